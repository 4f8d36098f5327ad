"""The glossary: every metric, segment, persona, risk level and category the app shows, with its rule or formula
written out with the current values of config/rules.toml (issue 5). Pure Python, no Dash and no SQL: the Glossary
tab (dashapp/tabs/glossary.py) renders it, and passes in the categories the warehouse holds
(sql/queries/glossary/categories.sql).

The texts cannot drift from the SQL: the SQL models read the same config keys through {{ section_key }}
placeholders, every value an entry prints is read through RuleReader (config/glossary/model.py), which records its
key under the entry, and tests/config/test_glossary.py fails when a key a SQL file uses is printed by no entry, or
when changing a key's value does not change the text of the entries that print it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from config.glossary.activity import dates_entries, retention_entries, usage_entries
from config.glossary.alerts import alert_entries
from config.glossary.categories import Present, category_entries, group_rows
from config.glossary.executive import executive_entries
from config.glossary.labels import label_entries, profile_entries, sentiment_entries
from config.glossary.model import CATEGORIES, Entry, Place, RuleReader, Section, Table, anchor
from config.glossary.rfm import cluster_entries, rfm_entries
from config.glossary.scores import churn_entries, health_entries
from config.glossary.support import product_entries, support_entries
from config.rules import load_rules

__all__ = ["CATEGORIES", "FOLD", "Entry", "Place", "Section", "Table", "anchor", "build_glossary", "config_keys",
           "group_rows", "matches", "search_text"]


def build_glossary(rules: Mapping[str, Mapping[str, Any]] | None = None,
                   present: Present | None = None) -> list[Section]:
    """The glossary in page order: one Section per category, entries in reading order.

    rules: the nested rules (default: load_rules(), the file the SQL reads); present: dimension ->
    [(value, records)] of the warehouse (group_rows of the categories query), None when not available."""
    v = RuleReader(load_rules() if rules is None else rules)
    entries = [*label_entries(v), *sentiment_entries(v), *support_entries(v), *product_entries(v),
               *profile_entries(v), *usage_entries(v), *retention_entries(v), *health_entries(v),
               *churn_entries(v), *rfm_entries(v), *cluster_entries(v), *dates_entries(v), *alert_entries(v),
               *executive_entries(v), *category_entries(v, present)]
    return [Section(category, tuple(e for e in entries if e.category == category)) for category in CATEGORIES]


def config_keys(sections: Iterable[Section]) -> set[str]:
    """Every flat config key (section_key, as the SQL names it) that some entry prints."""
    return {key for section in sections for entry in section.entries for key in entry.values}


# Typographic signs of the texts -> what a keyboard types (the search box's JavaScript folds with the same map).
FOLD: dict[str, str] = {"−": "-", "–": "-", "—": "-", "≥": ">=", "≤": "<=", "×": "x", "÷": "/", "’": "'"}
_FOLD = str.maketrans(FOLD)


def search_text(entry: Entry) -> str:
    """What the search box matches against: the term, definition, rule, table and places, lower-cased, with the
    typographic signs folded to what a keyboard types (−0.3 → -0.3, ≥ → >=)."""
    places = " ".join(place.where for place in entry.appears_in)
    return f"{entry.text()}\n{entry.category}\n{places}".lower().translate(_FOLD)


def matches(entry: Entry, query: str | None) -> bool:
    """Every word of the query occurs in the entry (an empty query matches everything)."""
    words = re.findall(r"\S+", (query or "").lower().translate(_FOLD))
    text = search_text(entry)
    return all(word in text for word in words)
