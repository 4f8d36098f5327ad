"""URL state: every filter round-trips through the query string; bad values are dropped with a notice."""

from __future__ import annotations

from datetime import date

from dashapp.state import ViewState, customer_link, parse_search, preset_dates, to_search

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


# ---------------------------------------------------------------- the selected customer (Customer tab)

KNOWN_CUSTOMERS = {"CUST-001", "CUST 7/ü"}


def test_the_customer_round_trips_and_is_checked_against_the_warehouse():
    state = ViewState(tab="customer", preset="30d", selections={"churn_risks": ("High",)}, customer="CUST 7/ü")
    search = to_search(state)
    assert search == "?tab=customer&customer=CUST+7%2F%C3%BC&range=30d&risk=High"
    assert parse_search(search, OPTIONS, KNOWN_CUSTOMERS.__contains__) == (state, [])
    assert parse_search("?tab=customer&customer=CUST-001", OPTIONS, KNOWN_CUSTOMERS.__contains__)[0].customer == \
        "CUST-001"


def test_an_unknown_customer_is_dropped_with_a_notice():
    parsed, notices = parse_search("?tab=customer&customer=CUST-999&risk=High", OPTIONS, KNOWN_CUSTOMERS.__contains__)
    assert parsed == ViewState(tab="customer", selections={"churn_risks": ("High",)})
    assert notices == ["Unknown customer 'CUST-999' ignored."]
    asked: list[str] = []
    too_long = "x" * 300  # not a customer id: dropped without asking the warehouse
    parsed, notices = parse_search(f"?customer={too_long}", OPTIONS, lambda c: asked.append(c) or True)
    assert parsed.customer is None and asked == [] and notices[0].startswith("Unknown customer 'xxx")
    assert parse_search("?customer=%20%20", OPTIONS, KNOWN_CUSTOMERS.__contains__) == (ViewState(), [])


def test_the_customer_stays_in_the_url_on_other_tabs():
    parsed, notices = parse_search("?tab=overview&customer=CUST-001", OPTIONS, KNOWN_CUSTOMERS.__contains__)
    assert (parsed.tab, parsed.customer, notices) == ("overview", "CUST-001", [])
    assert to_search(parsed) == "?tab=overview&customer=CUST-001"
    assert parsed.filters(BOUNDS) == ViewState(tab="overview").filters(BOUNDS)  # not a filter


def test_customer_link_keeps_the_filters():
    assert customer_link("?tab=overview&range=30d&customer=OLD&risk=High&risk=Low", "CUST 7/ü") == \
        "?tab=customer&customer=CUST+7%2F%C3%BC&range=30d&risk=High&risk=Low"
    assert customer_link(None, "CUST-001") == "?tab=customer&customer=CUST-001"
