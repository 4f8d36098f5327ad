"""The glossary (config/glossary): entries rendered with the current config values, the drift guarantee (every
config key a SQL file uses is printed by an entry, and changing it changes that entry's text), categories and
search."""

from __future__ import annotations

import copy
import re
from typing import Any

import pytest

from config.glossary import CATEGORIES, build_glossary, config_keys, group_rows, matches, search_text
from config.glossary.categories import MAX_LISTED
from config.rules import flat_rules, load_rules
from warehouse.sqlfiles import SQL_DIR

PLACEHOLDER = re.compile(r"\{\{\s*([a-z0-9_]+)\s*\}\}")
KNOWN_TABS = {"", "overview", "sentiment", "support", "product", "segmentation", "retention", "customer", "usage",
              "glossary"}


def entries(sections=None) -> dict[str, Any]:
    return {entry.anchor: entry for section in (sections or build_glossary()) for entry in section.entries}


def rules_with(section: str, key: str, value: Any) -> dict:
    rules = copy.deepcopy(load_rules())
    rules[section][key] = value
    return rules


def sql_config_keys() -> dict[str, set[str]]:
    """Config key -> the SQL files that use it as {{ key }} (snippets excluded: they are files, not values)."""
    used: dict[str, set[str]] = {}
    for path in SQL_DIR.rglob("*.sql"):
        for name in PLACEHOLDER.findall(path.read_text(encoding="utf-8")):
            if not name.startswith("snippet_"):
                used.setdefault(name, set()).add(str(path.relative_to(SQL_DIR)))
    return used


def split_key(flat_key: str) -> tuple[str, str]:
    section = next(s for s in load_rules() if flat_key.startswith(f"{s}_") and flat_key[len(s) + 1:] in load_rules()[s])
    return section, flat_key[len(section) + 1:]


def changed(value: Any) -> Any:
    """A different value of the same type: what a user editing rules.toml could write."""
    if isinstance(value, bool):
        return not value
    if isinstance(value, int):
        return value + 17
    if isinstance(value, float):
        return round(value + 0.17, 6)
    if isinstance(value, str):
        return value + " (edited)"
    if isinstance(value, list):
        return value[1:] if len(value) > 1 else value * 2
    raise TypeError(value)


# ---------------------------------------------------------------- the drift guarantee

def test_every_config_key_a_sql_file_uses_is_printed_by_a_glossary_entry():
    printed = config_keys(build_glossary())
    used = sql_config_keys()
    assert used, "no {{ key }} found under sql/: the scan is broken"
    missing = {key: sorted(files) for key, files in used.items() if key not in printed}
    assert missing == {}, f"config keys used by SQL but in no glossary entry: {missing}"


def test_every_sql_placeholder_is_a_config_key():
    assert set(sql_config_keys()) <= set(flat_rules())


def test_every_key_of_rules_toml_is_printed_by_a_glossary_entry():
    # stronger than the SQL check: the keys only Python reads (priority timeframes, churn model, summary) too
    assert set(flat_rules()) - config_keys(build_glossary()) == set()


def test_entries_print_the_values_of_the_config_in_service():
    current = flat_rules()
    for entry in entries().values():
        for key, value in entry.values.items():
            assert current[key] == value, (entry.term, key)


@pytest.mark.parametrize("flat_key", sorted(flat_rules()))
def test_changing_a_value_changes_the_text_of_every_entry_that_prints_it(flat_key):
    before = entries()
    printing = [anchor for anchor, entry in before.items() if flat_key in entry.values]
    section, key = split_key(flat_key)
    new_value = changed(load_rules()[section][key])
    after = entries(build_glossary(rules_with(section, key, new_value)))
    for anchor in printing:
        assert after[anchor].text() != before[anchor].text(), f"{anchor} records {flat_key} but does not print it"
        assert after[anchor].values[flat_key] == new_value


# ---------------------------------------------------------------- texts, by hand

def test_value_segments_with_the_current_and_an_edited_threshold():
    rows = dict((name, rule) for name, rule in entries()["value-segment"].table.rows)
    assert rows["High Value"] == "lifetime value ≥ 1,000"
    assert rows["Medium Value"] == "lifetime value ≥ 500 (and < 1,000)"
    assert rows["Low Value"] == "lifetime value < 500, or none given"
    edited = entries(build_glossary(rules_with("value_segment", "high_min_ltv", 2500)))["value-segment"]
    assert edited.table.rows[0] == ("High Value", "lifetime value ≥ 2,500")
    assert edited.values["value_segment_high_min_ltv"] == 2500


def test_personas_in_their_first_match_order_with_values():
    table = entries()["derived-persona"].table
    assert [row[1] for row in table.rows] == ["Satisfied", "Frustrated", "Mixed", "Improving", "Deteriorating",
                                              "Neutral"]
    assert table.rows[0][2] == "average sentiment > +0.5 and at most 1 ticket"
    assert table.rows[1][2] == "average sentiment < −0.3 and at least 3 tickets"
    assert table.rows[2][2] == "sentiment volatility > 0.7"
    edited = entries(build_glossary(rules_with("persona", "frustrated_min_tickets", 5)))["derived-persona"]
    assert edited.table.rows[1][2] == "average sentiment < −0.3 and at least 5 tickets"


def test_churn_risk_and_upsell_rules():
    risk = dict((level, rule) for level, rule in entries()["churn-risk"].table.rows)
    assert risk["High"] == ("(average sentiment < −0.3 and at least 1 ticket) or (sentiment trend < −0.2 and at "
                            "least 1 ticket) or (average sentiment < −0.2 and sentiment trend < −0.1)")
    assert risk["Medium"] == "(average sentiment < −0.1 and sentiment trend < 0) or at least 2 tickets"
    upsell = dict((level, rule) for level, rule in entries()["upsell-opportunity"].table.rows)
    assert upsell == {"High": "average sentiment > +0.3 and at most 1 ticket", "Medium": "sentiment trend > +0.3",
                      "Low": "otherwise"}


def test_sla_hours_per_priority_and_resolved_statuses():
    glossary = entries()
    assert "Critical 4 h, High 24 h, Medium 72 h, Low 168 h" in glossary["sla-resolution-target"].rule
    priority = glossary["priority-level"].table
    assert priority.rows[0][0] == "Critical" and priority.rows[0][2:] == ("Immediate attention", "4 h")
    assert "resolved or closed" in glossary["resolution-rate"].rule
    edited = entries(build_glossary(rules_with("support", "sla_hours_high", 12)))
    assert "High 12 h" in edited["sla-breach-rate"].rule


def test_health_weights_bands_and_churn_actions():
    glossary = entries()
    weights = dict(glossary["health-score"].table.rows)
    assert weights["Sentiment level"] == "20 %" and weights["Usage frequency"] == "20 %"
    assert dict(glossary["health-band"].table.rows)["green"] == "score ≥ 70"
    bands = dict((band, rule) for band, rule in glossary["churn-band"].table.rows)
    assert bands["High"] == "probability ≥ 60 %" and bands["Medium"] == "probability ≥ 30 % (and < 60 %)"
    actions = glossary["recommended-action"].table.rows
    assert len(actions) == len(load_rules()["churn_model"]["actions"])
    assert actions[0] == ("High", "High Value", "CSM call: review the account and agree a save plan", "7 days")
    assert ("Low", "any", "No action: regular lifecycle communication", "—") in actions


def test_rfm_segments_tiers_usage_and_retention():
    glossary = entries()
    segments = {row[1]: row[2] for row in glossary["rfm-segment"].table.rows}
    assert segments["Champions"] == "r ≥ 4 and f ≥ 4 and m ≥ 4"
    assert segments["At Risk"] == "r ≤ 2 and (f ≥ 3 or m ≥ 4)"
    assert dict(glossary["value-tier"].table.rows)["Platinum"] == "the top 10 %"
    assert "At least 20 actions (usage events) in the last 30 days" in glossary["super-user"].rule
    assert "more than 182 days" in glossary["inactive-team"].rule
    assert "10 percentage points or more" in glossary["drop-off"].rule and "20 customers" in glossary["drop-off"].rule
    assert "up to 120 days" in glossary["weekly-or-monthly"].rule


# ---------------------------------------------------------------- structure

def test_every_category_has_entries_and_anchors_are_unique():
    sections = build_glossary()
    assert [s.category for s in sections] == list(CATEGORIES)
    assert all(section.entries for section in sections)
    anchors = [entry.anchor for section in sections for entry in section.entries]
    assert len(anchors) == len(set(anchors))
    assert not set(anchors) & {section.anchor for section in sections}


def test_every_entry_has_a_definition_and_known_places():
    for entry in entries().values():
        assert entry.definition.strip().endswith((".", ")")), entry.term
        assert {place.tab for place in entry.appears_in} <= KNOWN_TABS, entry.term


# ---------------------------------------------------------------- categories from the warehouse, search

ROWS = [{"dimension": "interaction_type", "value": "call", "records": 19},
        {"dimension": "interaction_type", "value": "email", "records": 8},
        {"dimension": "ticket_status", "value": "closed", "records": 48},
        {"dimension": "ticket_status", "value": "on-hold", "records": 11},
        {"dimension": "review_language", "value": "fr", "records": 10}]


def test_categories_list_what_the_warehouse_holds():
    glossary = entries(build_glossary(present=group_rows(ROWS)))
    interaction_types = glossary["interaction-type"]
    assert interaction_types.rule == "In this warehouse, most interactions first (number of interactions in brackets):"
    assert interaction_types.items == ("call (19)", "email (8)")
    assert glossary["ticket-status"].items == ("closed [resolved] (48)", "on-hold (11)")
    assert glossary["review-languages-in-the-data"].items == ("French (10)",)
    assert glossary["product-feature"].rule == "None in this warehouse." and not glossary["product-feature"].items
    unavailable = entries(build_glossary())["interaction-type"]
    assert "not available" in unavailable.rule and not unavailable.items


def test_a_long_category_list_is_cut():
    rows = [{"dimension": "ticket_category", "value": f"c{i}", "records": 1} for i in range(MAX_LISTED + 3)]
    entry = entries(build_glossary(present=group_rows(rows)))["ticket-category"]
    assert entry.rule.endswith(f"the first {MAX_LISTED} of {MAX_LISTED + 3}:")
    assert len(entry.items) == MAX_LISTED and entry.items[-1] == f"c{MAX_LISTED - 1} (1)"


def test_search_matches_every_word_with_typographic_signs_folded():
    glossary = entries()
    persona = glossary["derived-persona"]
    assert matches(persona, "frustrated") and matches(persona, "FRUSTRATED tickets")
    assert matches(persona, "< -0.3") and matches(persona, "−0.3")
    assert not matches(persona, "frustrated gini")
    assert matches(persona, "") and matches(persona, None)
    assert matches(glossary["value-segment"], ">= 1,000")
    assert "segments & labels" in search_text(persona)
