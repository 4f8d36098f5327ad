"""URL state: every filter round-trips through the query string; bad values are dropped with a notice."""

from __future__ import annotations

from datetime import date

from dashapp.state import ViewState, parse_search, preset_dates, to_search

OPTIONS = {
    "value_segment": ["High Value", "Medium Value", "Low Value"],
    "derived_persona": ["Mixed", "Neutral", "Satisfied"],
    "churn_risk": ["High", "Medium", "Low"],
    "upsell_opportunity": ["High", "Low"],
    "interaction_type": ["SMS", "video-call"],
    "review_language": ["en", "fr"],
}
BOUNDS = (date(2024, 1, 10), date(2026, 10, 31))


def test_every_filter_round_trips():
    state = ViewState(tab="overview", preset="custom", custom_from=date(2025, 1, 1), custom_to=date(2025, 6, 30),
                      selections={"value_segments": ("High Value",), "personas": ("Mixed", "Satisfied"),
                                  "churn_risks": ("High",), "upsell_opportunities": ("Low",),
                                  "interaction_types": ("video-call",), "review_languages": ("fr",)})
    search = to_search(state)
    assert search == ("?tab=overview&from=2025-01-01&to=2025-06-30&segment=High+Value&persona=Mixed"
                      "&persona=Satisfied&risk=High&upsell=Low&type=video-call&lang=fr")
    parsed, notices = parse_search(search, OPTIONS)
    assert notices == []
    assert parsed == state


def test_unknown_and_malformed_values_are_dropped_with_a_notice():
    parsed, notices = parse_search("?tab=nope&range=forever&from=2025-13-01&segment=Gold&segment=High+Value"
                                   "&risk=High'%3B+drop+table+x--&colour=blue", OPTIONS)
    assert parsed == ViewState(selections={"value_segments": ("High Value",)})
    assert notices == [
        "Unknown tab 'nope' ignored.",
        "from: '2025-13-01' is not a date (YYYY-MM-DD), ignored.",
        "Unknown date range 'forever' ignored.",
        "segment: 'Gold' not found in the data, ignored.",
        "risk: 'High'; drop table x--' not found in the data, ignored.",
        "Unknown filter 'colour' ignored.",
    ]


def test_empty_search_is_the_default_view():
    assert parse_search("", OPTIONS) == (ViewState(), [])
    assert parse_search(None, OPTIONS) == (ViewState(), [])
    assert to_search(ViewState()) == "?tab=overview"


def test_swapped_dates_are_put_in_order():
    parsed, notices = parse_search("?from=2025-06-30&to=2025-01-01", OPTIONS)
    assert (parsed.custom_from, parsed.custom_to) == (date(2025, 1, 1), date(2025, 6, 30))
    assert notices == ["The date range ended before it started; the dates were swapped."]


def test_presets_are_relative_to_the_newest_data_not_the_clock():
    assert preset_dates("7d", BOUNDS) == (date(2026, 10, 25), date(2026, 10, 31))
    assert preset_dates("30d", BOUNDS) == (date(2026, 10, 2), date(2026, 10, 31))
    assert preset_dates("90d", BOUNDS) == (date(2026, 8, 3), date(2026, 10, 31))
    assert preset_dates("ytd", BOUNDS) == (date(2026, 1, 1), date(2026, 10, 31))
    assert preset_dates("all", BOUNDS) == BOUNDS
    assert preset_dates("30d", (date(2026, 10, 20), date(2026, 10, 31))) == (date(2026, 10, 20), date(2026, 10, 31))


def test_filters_of_a_state_use_the_bounds():
    state, _ = parse_search("?range=30d&risk=High&risk=Medium", OPTIONS)
    filters = state.filters(BOUNDS)
    assert (filters.date_from, filters.date_to) == (date(2026, 10, 2), date(2026, 10, 31))
    assert filters.churn_risks == ("High", "Medium")
    params = filters.params(*BOUNDS)
    assert params["churn_risks"] == ["High", "Medium"]
    assert params["value_segments"] is None
