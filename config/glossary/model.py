"""The glossary's building blocks: an entry, the reader that records which config values an entry's text uses, and
the number formats of the texts.

Why a recording reader: the glossary promises that its rules cannot drift from the SQL. An entry does not list
its config keys by hand; every value it prints is read through RuleReader, which files the `section_key` names
(the names the SQL's {{ placeholders }} use) under the entry. The tests then check that every key a SQL model
uses is printed by some entry, and that changing a key's value changes that entry's text.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

# Categories in page order. Every entry names one of them (checked when the entry is made).
CATEGORIES: tuple[str, ...] = (
    "Segments & labels", "Sentiment", "Support", "Product & reviews", "Customer profile", "Usage", "Retention",
    "Health", "Churn model", "RFM & value", "Clusters", "Dates & filters", "Interaction categories",
)
RULES_FILE_NAME = "config/rules.toml"


@dataclass(frozen=True)
class Table:
    """A rule that is a list (first-match rules, per-level values): column headers and rows of text."""
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]

    def text(self) -> str:
        return "\n".join(" | ".join(row) for row in (self.columns, *self.rows))


@dataclass(frozen=True)
class Place:
    """Where a term is shown: a tab id (the ?tab= of the URL) and the card or control on it."""
    tab: str
    where: str


@dataclass(frozen=True)
class Entry:
    term: str
    category: str
    definition: str                                  # one sentence: what it is
    rule: str = ""                                   # how it is computed, with the current values
    table: Table | None = None                       # the rule as a list, when it has one row per case
    items: tuple[str, ...] = ()                      # values found in the data ("call (19)"), shown as chips
    values: Mapping[str, Any] = field(default_factory=dict)  # flat config key (section_key) -> value printed
    appears_in: tuple[Place, ...] = ()
    source: str = ""                                 # the doc or file with the full detail

    @property
    def anchor(self) -> str:
        return anchor(self.term)

    def text(self) -> str:
        """Everything the entry says, as plain text (for search and for the tests)."""
        parts = [self.term, self.definition, self.rule, self.table.text() if self.table else "", ", ".join(self.items)]
        return "\n".join(part for part in parts if part)


@dataclass(frozen=True)
class Section:
    category: str
    entries: tuple[Entry, ...]

    @property
    def anchor(self) -> str:
        return anchor(self.category)


def anchor(name: str) -> str:
    """A URL fragment for a term or category: 'RFM & value' -> 'rfm-value', 'Can't Lose' -> 'can-t-lose'."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")


class RuleReader:
    """Reads config values for entry texts and files each one under the next entry made (see the module doc)."""

    def __init__(self, rules: Mapping[str, Mapping[str, Any]]) -> None:
        self._rules = rules
        self._used: dict[str, Any] = {}

    def __call__(self, section: str, key: str) -> Any:
        value = self._rules[section][key]
        self._used[f"{section}_{key}"] = value
        return value

    def section(self, section: str) -> Mapping[str, Any]:
        """A whole section, unrecorded: for listing its keys. Values printed must go through __call__."""
        return self._rules[section]

    def entry(self, term: str, category: str, definition: str, rule: str = "", *, table: Table | None = None,
              items: Iterable[str] = (), appears_in: Iterable[tuple[str, str]] = (), source: str = "") -> Entry:
        if category not in CATEGORIES:
            raise ValueError(f"unknown glossary category {category!r}")
        used, self._used = self._used, {}
        return Entry(term, category, definition, rule, table, tuple(items), used,
                     tuple(Place(tab, where) for tab, where in appears_in), source)


# ---------------------------------------------------------------- number formats of the texts

def num(value: Any) -> str:
    """1000 -> '1,000'; -0.3 -> '−0.3' (a real minus sign); 0.20 -> '0.2'."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = f"{value:,}" if isinstance(value, int) else f"{value:,.6g}"
    return text.replace("-", "−")


def signed(value: Any) -> str:
    """A threshold on a signed scale: '+0.3', '−0.3', '0'."""
    text = num(value)
    return f"+{text}" if isinstance(value, int | float) and value > 0 else text


def pct(value: Any) -> str:
    return f"{num(value)} %"


def share(value: float) -> str:
    """A weight or probability 0..1 as a percentage: 0.2 -> '20 %'."""
    return pct(round(value * 100, 6))


def days(value: Any) -> str:
    return f"{num(value)} day{'' if value == 1 else 's'}"


def count(value: Any, word: str) -> str:
    return f"{num(value)} {word}{'' if value == 1 else 's'}"


def either(items: Iterable[Any], last: str = "or") -> str:
    """['a', 'b', 'c'] -> 'a, b or c'."""
    items = [str(item) for item in items]
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} {last} {items[-1]}"
