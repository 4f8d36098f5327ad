"""Property-based tests (hypothesis) of the URL state parser: any query string - pasted, truncated, hand-made,
hostile - gives a valid view (a known tab, a known date range, only values the warehouse has, a bounded customer id)
and never an error; and every valid view round-trips through its URL without a notice."""

from __future__ import annotations

from datetime import date
from urllib.parse import quote, urlencode

from hypothesis import given, settings
from hypothesis import strategies as st

from dashapp.state import (
    MAX_CUSTOMER_ID_CHARS,
    MAX_VALUES_PER_KEY,
    PRESETS,
    TABS,
    URL_KEYS,
    ViewState,
    parse_search,
    to_search,
)
from warehouse.filters import LIST_FILTERS

OPTIONS = {
    "value_segment": ["High Value", "Medium Value", "Low Value"],
    "derived_persona": ["Mixed", "Neutral", "Satisfied"],
    "churn_risk": ["High", "Medium", "Low"],
    "upsell_opportunity": ["High", "Low"],
    "interaction_type": ["SMS", "video-call", "e-mail & chat"],
    "review_language": ["en", "fr"],
}
KEYS = ["tab", "range", "from", "to", "customer", *URL_KEYS, "colour", "", "tab[]", "__proto__"]
NASTY = ["'", "' or 1=1 --", "../../etc/passwd", "%00", "%ZZ", "&&", "==", "?", "#", "\u202e", "🙂", "a" * 5000,
         "2025-02-30", "2025-1-1", "9999-12-31", "0001-01-01", "-1", "1e309", "<script>alert(1)</script>"]
VALUES = st.one_of(st.sampled_from(NASTY), st.sampled_from([v for vs in OPTIONS.values() for v in vs]),
                   st.sampled_from(list(TABS) + list(PRESETS)), st.text(max_size=30))


def check_valid(state: ViewState, notices: list[str]) -> None:
    assert state.tab in TABS and state.preset in PRESETS
    assert (state.custom_from is None and state.custom_to is None) or state.preset == "custom"
    if state.custom_from and state.custom_to:
        assert state.custom_from <= state.custom_to
    for name, values in state.selections.items():
        assert values and set(values) <= set(OPTIONS[LIST_FILTERS[name]]) and len(values) <= MAX_VALUES_PER_KEY
    assert state.customer is None or 0 < len(state.customer) <= MAX_CUSTOMER_ID_CHARS
    assert all(isinstance(n, str) and len(n) < 400 for n in notices)  # notices quote values shortened


@given(st.text(max_size=300))
@settings(max_examples=400, deadline=None)
def test_any_text_is_a_valid_view(search):
    check_valid(*parse_search(search, OPTIONS))


@given(st.lists(st.tuples(st.sampled_from(KEYS), VALUES), max_size=12), st.booleans())
@settings(max_examples=400, deadline=None)
def test_any_query_string_of_known_and_unknown_keys_is_a_valid_view(pairs, encoded):
    search = "?" + (urlencode(pairs) if encoded else "&".join(f"{k}={v}" for k, v in pairs))
    state, notices = parse_search(search, OPTIONS, customer_exists=lambda c: c.startswith("CUST-"))
    check_valid(state, notices)
    assert state.customer is None or state.customer.startswith("CUST-")


@given(st.sampled_from(list(TABS)), st.sampled_from([p for p in PRESETS if p != "custom"] + ["custom"]),
       st.dates(date(1990, 1, 1), date(2100, 1, 1)), st.dates(date(1990, 1, 1), date(2100, 1, 1)),
       st.fixed_dictionaries({}, optional={name: st.lists(st.sampled_from(OPTIONS[column]), min_size=1,
                                                          unique=True).map(tuple)
                                           for name, column in LIST_FILTERS.items()}),
       st.one_of(st.none(), st.text(st.characters(exclude_categories=["Cs", "Cc", "Zs"]), min_size=1, max_size=40)))
@settings(max_examples=300, deadline=None)
def test_every_valid_view_round_trips_without_a_notice(tab, preset, first, second, selections, customer):
    custom = preset == "custom"
    state = ViewState(tab=tab, preset=preset, custom_from=min(first, second) if custom else None,
                      custom_to=max(first, second) if custom else None, selections=selections, customer=customer)
    parsed, notices = parse_search(to_search(state), OPTIONS)
    assert notices == []
    assert parsed == state


def test_a_nasty_link_by_hand():
    search = ("?tab=" + quote("../../admin") + "&range=30d&range=7d&risk=High&risk=" + quote("High' or 1=1 --")
              + "&risk=High&from=2025-02-30&customer=" + "x" * (MAX_CUSTOMER_ID_CHARS + 1))
    state, notices = parse_search(search, OPTIONS)
    assert state == ViewState(tab="overview", preset="30d", selections={"churn_risks": ("High",)})
    assert notices == ["Unknown tab '../../admin' ignored.", f"Unknown customer '{'x' * 39}…' ignored.",
                       "from: '2025-02-30' is not a date (YYYY-MM-DD), ignored.",
                       "risk: 'High' or 1=1 --' not found in the data, ignored."]
