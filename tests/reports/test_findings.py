"""The executive summary's finding rules (reports/findings.py) on hand-made rows: every severity branch, the
thresholds of config/rules.toml [executive] at their boundary, thin data, ranking. The PDF and the query on real
warehouses: tests/reports/test_executive.py."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from config.rules import load_rules
from reports import findings as fx

RULES = load_rules()
EX = RULES["executive"]
PERIOD = "the previous 90 days"


def kpis(pct: float = 5.0, avg: float = 0.5, rating: float = 4.5, customers: int = 100) -> dict:
    return {"pct_high_churn_risk": pct, "avg_sentiment": avg, "avg_rating": rating, "active_customers": customers,
            "total_interactions": 10}


def severity(item: fx.Finding | fx.Note) -> str:
    assert isinstance(item, fx.Finding), item
    return item.severity

# ---------------------------------------------------------------- judging helpers

def test_levels_are_reached_at_the_threshold_and_below_thresholds_only_under_it():
    assert fx.level(9.99, 10, 20) == "good" and fx.level(10, 10, 20) == "watch" and fx.level(20, 10, 20) == "act"
    assert fx.level_below(0.1, 0.1, -0.1) == "good" and fx.level_below(0.09, 0.1, -0.1) == "watch"
    assert fx.level_below(-0.1, 0.1, -0.1) == "watch" and fx.level_below(-0.11, 0.1, -0.1) == "act"
    assert fx.worse_by(0.25 - 0.2, 0.05)  # 0.04999999999999999 in floating point: still a fall of 0.05
    assert not fx.worse_by(0.049, 0.05)
    assert [fx.escalate(s) for s in ("good", "watch", "act")] == ["watch", "act", "act"]
    assert fx.change(1.25, "{:.1f}", " points") == "up 1.2 points" and fx.change(-0.05, "{:.2f}") == "down 0.05"
    assert fx.change(0.001, "{:.1f}") == "unchanged"
    assert fx.months_text(182) == "over 6 months" and fx.months_text(45) == "over 45 days"


# ---------------------------------------------------------------- one test per finding, every branch

@pytest.mark.parametrize(("now", "before", "expected"), [
    (EX["churn_risk_watch_pct"] - 0.1, None, "good"),
    (EX["churn_risk_watch_pct"], None, "watch"),
    (EX["churn_risk_act_pct"] - 0.1, None, "watch"),
    (EX["churn_risk_act_pct"], None, "act"),
    # a rise of exactly churn_risk_rise_pp moves it one level up; a little less does not
    (EX["churn_risk_watch_pct"] - 1, EX["churn_risk_watch_pct"] - 1 - EX["churn_risk_rise_pp"], "watch"),
    (EX["churn_risk_watch_pct"] - 1, EX["churn_risk_watch_pct"] - 1 - EX["churn_risk_rise_pp"] + 0.1, "good"),
    (EX["churn_risk_act_pct"] - 1, EX["churn_risk_act_pct"] - 1 - EX["churn_risk_rise_pp"], "act"),
])
def test_high_churn_risk(now, before, expected):
    found = fx.churn_risk(kpis(pct=now, customers=250), None if before is None else kpis(pct=before), PERIOD, RULES)
    assert severity(found) == expected
    assert found.text.startswith(f"{now:.1f} % of the 250 customers active in the period")
    assert (PERIOD in found.text) == (before is not None)
    assert (found.action == EX["action_churn_risk"]) == (expected != "good") and found.tab == "overview"


def test_high_churn_risk_without_enough_customers_or_with_a_risk_filter_is_a_note():
    thin = fx.churn_risk(kpis(customers=EX["min_customers"] - 1), None, PERIOD, RULES)
    assert isinstance(thin, fx.Note)
    assert thin.text == f"fewer than {EX['min_customers']} customers active in view ({EX['min_customers'] - 1})."
    assert isinstance(fx.churn_risk(kpis(customers=EX["min_customers"]), None, PERIOD, RULES), fx.Finding)
    # the previous period with too few customers: no change is stated
    found = fx.churn_risk(kpis(), kpis(pct=1, customers=EX["min_customers"] - 1), PERIOD, RULES)
    assert PERIOD not in found.text
    assert isinstance(fx.churn_risk(kpis(pct=100), None, PERIOD, RULES, ("High",)), fx.Note)


@pytest.mark.parametrize(("now", "before", "expected"), [
    (EX["sentiment_watch_below"], None, "good"),
    (EX["sentiment_watch_below"] - 0.01, None, "watch"),
    (EX["sentiment_act_below"], None, "watch"),
    (EX["sentiment_act_below"] - 0.01, None, "act"),
    (0.5, 0.5 + EX["sentiment_fall"], "watch"),
    (0.5, 0.5 + EX["sentiment_fall"] - 0.01, "good"),
    (0.5, 0.2, "good"),  # better than before: never a step down either
])
def test_sentiment(now, before, expected):
    found = fx.sentiment(kpis(avg=now), None if before is None else kpis(avg=before), PERIOD, RULES)
    assert severity(found) == expected and f"is {now:+.2f} on a scale from -1 to +1" in found.text
    if before is not None:
        assert f"from {before:+.2f} in {PERIOD}" in found.text


def test_sentiment_of_too_few_customers_is_a_note():
    assert isinstance(fx.sentiment(kpis(customers=3), None, PERIOD, RULES), fx.Note)
    assert isinstance(fx.sentiment({"active_customers": 50, "avg_sentiment": None}, None, PERIOD, RULES), fx.Note)


@pytest.mark.parametrize(("now", "before", "expected"), [
    (EX["rating_watch_below"], None, "good"),
    (EX["rating_watch_below"] - 0.01, None, "watch"),
    (EX["rating_act_below"] - 0.01, None, "act"),
    (4.5, 4.5 + EX["rating_fall"], "watch"),
    (4.5, 4.5 + EX["rating_fall"] - 0.01, "good"),
])
def test_product_rating(now, before, expected):
    found = fx.rating(kpis(rating=now), 40, None if before is None else kpis(rating=before), 40, PERIOD, RULES)
    assert severity(found) == expected and f"{now:.2f} out of 5 on average (40 reviews)" in found.text


def test_product_rating_needs_enough_reviews_now_and_before_a_change():
    note = fx.rating(kpis(), EX["min_reviews"] - 1, None, 0, PERIOD, RULES)
    assert isinstance(note, fx.Note) and f"fewer than {EX['min_reviews']} reviews in view" in note.text
    found = fx.rating(kpis(rating=4.0), EX["min_reviews"], kpis(rating=4.9), EX["min_reviews"] - 1, PERIOD, RULES)
    assert severity(found) == "good" and PERIOD not in found.text


def sla(rate: float | None, measured: int = 100, unresolved: int = 30, overdue: int = 12) -> dict:
    return {"tickets": measured, "measured_tickets": measured, "breached_tickets": 0, "unresolved_tickets": unresolved,
            "breached_unresolved_tickets": overdue, "sla_breach_rate_pct": rate}


@pytest.mark.parametrize(("now", "before", "expected"), [
    (EX["sla_breach_watch_pct"] - 0.1, None, "good"),
    (EX["sla_breach_watch_pct"], None, "watch"),
    (EX["sla_breach_act_pct"], None, "act"),
    (5.0, 5.0 - EX["sla_breach_rise_pp"], "watch"),
    (5.0, 5.1 - EX["sla_breach_rise_pp"], "good"),
])
def test_support_targets(now, before, expected):
    found = fx.support_targets(sla(now, overdue=1234), {"resolution_rate_pct": 87.25},
                               None if before is None else sla(before), PERIOD, RULES)
    assert severity(found) == expected
    assert found.text.startswith(f"{now:.1f} % of the 100 tickets that could be checked missed their resolution")
    assert "1,234 of the 30 tickets still open are already past it" in found.text
    assert "87.2 % of all tickets are resolved or closed" in found.text
    if expected != "good":
        assert "1,234" in found.action and "{" not in found.action


def test_support_targets_with_too_few_measured_tickets_is_a_note():
    note = fx.support_targets(sla(50.0, measured=EX["min_tickets"] - 1), {}, None, PERIOD, RULES)
    assert isinstance(note, fx.Note) and note.tab == "support"


CATEGORIES = pd.DataFrame({"ticket_category": ["technical", "billing"], "tickets": [60, 40],
                           "avg_sentiment": [-0.25, 0.1]})


@pytest.mark.parametrize(("now", "before", "expected"), [
    (100 + EX["ticket_rise_watch_pct"] - 1, 100, "good"),
    (100 + EX["ticket_rise_watch_pct"], 100, "watch"),
    (100 + EX["ticket_rise_act_pct"] - 1, 100, "watch"),
    (100 + EX["ticket_rise_act_pct"], 100, "act"),
    (80, 100, "good"),
])
def test_ticket_volume(now, before, expected):
    now = int(now)
    current = CATEGORIES.assign(tickets=[now - 40, 40])
    found = fx.ticket_volume({"tickets": now}, current, {"tickets": before}, CATEGORIES.assign(tickets=[50, 50]),
                             PERIOD, RULES)
    assert severity(found) == expected
    assert found.text.startswith(f"{now:,} tickets were opened, ")
    assert f"the largest category is technical with {now - 40} tickets" in found.text
    if expected != "good":
        assert "(technical)" in found.action


def test_ticket_volume_without_a_previous_period_names_the_largest_category_in_a_note():
    note = fx.ticket_volume({"tickets": 100}, CATEGORIES, {"tickets": EX["min_tickets"] - 1}, None, PERIOD, RULES)
    assert isinstance(note, fx.Note)
    assert "the largest category is technical with 60 tickets (60 %, average sentiment -0.25)" in note.text
    thin = fx.ticket_volume({"tickets": EX["min_tickets"] - 1}, CATEGORIES, None, None, PERIOD, RULES)
    assert isinstance(thin, fx.Note) and thin.text.startswith(f"fewer than {EX['min_tickets']} tickets in view")


def bands(red: int, red_before: int, customers: int = 1000) -> pd.DataFrame:
    green = customers // 2
    rows = [("green", green, green), ("yellow", customers - green - red, customers - green - red_before),
            ("red", red, red_before)]
    return pd.DataFrame([{"health_band": band, "customers": now, "share_of_customers": now / customers,
                          "previous_customers": before, "previous_share_of_customers": before / customers}
                         for band, now, before in rows])


@pytest.mark.parametrize(("red", "red_before", "expected"), [
    (int(EX["red_health_watch_pct"] * 10) - 1, int(EX["red_health_watch_pct"] * 10) - 1, "good"),
    (int(EX["red_health_watch_pct"] * 10), int(EX["red_health_watch_pct"] * 10), "watch"),
    (int(EX["red_health_act_pct"] * 10), int(EX["red_health_act_pct"] * 10), "act"),
    (50, 50 - int(EX["red_health_rise_pp"] * 10), "watch"),      # a rise of exactly red_health_rise_pp points
    (50, 51 - int(EX["red_health_rise_pp"] * 10), "good"),
])
def test_customer_health(red, red_before, expected):
    found = fx.customer_health(bands(red, red_before), RULES)
    assert severity(found) == expected
    assert found.text.startswith(f"{red / 10:.1f} % of customers ({red}) are in poor health")
    assert f"{RULES['health']['trend_days']} days earlier" in found.text and "50.0 % are healthy" in found.text


def test_customer_health_with_nobody_in_the_red_band_and_with_too_few_scores():
    found = fx.customer_health(bands(0, 0), RULES)
    assert severity(found) == "good" and found.text.startswith("No customer is in poor health")
    assert isinstance(fx.customer_health(bands(1, 1, customers=EX["min_customers"] - 1), RULES), fx.Note)
    assert isinstance(fx.customer_health(pd.DataFrame(columns=["health_band", "customers"]), RULES), fx.Note)


def churn_summary(high: int, inactive: int = 50, total: int = 1000) -> pd.DataFrame:
    counts = {"High": high, "Medium": 0, "Low": total - high - inactive, "Inactive": inactive, "Not scored": 0}
    return pd.DataFrame([{"churn_band": band, "customers": n, "share": n / total} for band, n in counts.items()])


@pytest.mark.parametrize(("high", "expected"), [
    (int(EX["churn_forecast_watch_pct"] * 10) - 1, "good"),
    (int(EX["churn_forecast_watch_pct"] * 10), "watch"),
    (int(EX["churn_forecast_act_pct"] * 10), "act"),
])
def test_churn_forecast(high, expected):
    found = fx.churn_forecast(churn_summary(high), {"status": "ok"}, RULES)
    horizon = RULES["churn_model"]["horizon_days"]
    assert severity(found) == expected
    assert found.text == (f"The churn model expects {high} customers ({high / 10:.1f} %) to stop all activity in the "
                          f"next {horizon} days; 50 more (5.0 %) have had no activity for {horizon} days already.")
    if expected != "good":
        assert f"{high} customers" in found.action and "50 have" in found.action


def test_churn_forecast_without_a_model_or_customers_is_a_note():
    note = fx.churn_forecast(churn_summary(1), {"status": "insufficient data: 0 customers"}, RULES)
    assert isinstance(note, fx.Note) and "too little history" in note.text
    assert "could not be built" in fx.churn_forecast(churn_summary(1), {"status": "failed: x"}, RULES).text
    assert isinstance(fx.churn_forecast(churn_summary(1, 1, total=EX["min_customers"] - 1), {"status": "ok"}, RULES),
                      fx.Note)


def checkup(inactive: int, teams: int = 1000, usage_rows: int = 5) -> dict:
    return {"teams": teams, "inactive_teams_6m": inactive, "never_used_teams": 7, "usage_rows": usage_rows}


@pytest.mark.parametrize(("inactive", "earlier", "expected"), [
    (int(EX["inactive_teams_watch_pct"] * 10) - 1, None, "good"),
    (int(EX["inactive_teams_watch_pct"] * 10), None, "watch"),
    (int(EX["inactive_teams_act_pct"] * 10), None, "act"),
    (50, 50 - int(EX["inactive_teams_rise_pp"] * 10), "watch"),
    (50, 51 - int(EX["inactive_teams_rise_pp"] * 10), "good"),
])
def test_inactive_teams(inactive, earlier, expected):
    before = None if earlier is None else {"earlier_teams": 1000, "earlier_inactive_teams_6m": earlier}
    found = fx.inactive_teams(checkup(inactive), before, RULES)
    assert severity(found) == expected
    assert found.text.startswith(f"{inactive:,} of 1,000 teams ({inactive / 10:.1f} %) have not used the product for "
                                 f"{fx.months_text(RULES['usage']['inactive_team_after_days'])}, 7 of them never")
    assert (f"{EX['usage_change_days']} days earlier" in found.text) == (earlier is not None)


def test_inactive_teams_without_usage_data_or_teams_is_a_note():
    assert fx.inactive_teams(checkup(5, usage_rows=0), None, RULES).text == "no product usage data is loaded."
    assert isinstance(fx.inactive_teams(checkup(1, teams=EX["min_customers"] - 1), None, RULES), fx.Note)
    found = fx.inactive_teams(checkup(10), {"earlier_teams": EX["min_customers"] - 1,
                                            "earlier_inactive_teams_6m": 0}, RULES)
    assert "days earlier" not in found.text  # too few teams back then to compare with


def curve(retention_at_month: float, drop_at: int | None = None, customers: int = 500) -> pd.DataFrame:
    month = EX["retention_month"]
    rows = []
    for k in range(month + 2):
        drop = k == drop_at
        rows.append({"months_since_signup": k, "cohorts": 4, "customers": customers,
                     "retention_pct": retention_at_month if k == month else 90.0,
                     "change_pp": -RULES["retention"]["drop_off_min_pp"] - 2.5 if drop else -1.0,
                     "is_drop_off": drop})
    return pd.DataFrame(rows)


@pytest.mark.parametrize(("pct", "drop_at", "expected"), [
    (EX["retention_watch_below_pct"], None, "good"),
    (EX["retention_watch_below_pct"] - 0.1, None, "watch"),
    (EX["retention_act_below_pct"] - 0.1, None, "act"),
    (EX["retention_watch_below_pct"], 2, "watch"),  # a drop-off moves it one level up
])
def test_retention(pct, drop_at, expected):
    found = fx.retention(curve(pct, drop_at), RULES)
    month = EX["retention_month"]
    assert severity(found) == expected
    assert found.text.startswith(f"{pct:.1f} % of customers were still active {month} months after signing up (500 "
                                 "customers in 4 monthly cohorts)")
    if drop_at:
        fall = RULES["retention"]["drop_off_min_pp"] + 2.5
        assert f"falls by {fall:.1f} points from month 1 to month 2" in found.text


def test_retention_before_the_month_is_reached_is_a_note():
    assert "no customer in view has been a customer" in fx.retention(curve(90.0).iloc[:2], RULES).text
    note = fx.retention(curve(90.0, customers=EX["min_customers"] - 1), RULES)
    assert isinstance(note, fx.Note) and f"({EX['min_customers'] - 1})" in note.text


def profile(high_sentiment: float | None, high: int = 100, others: int = 200) -> pd.DataFrame:
    return pd.DataFrame({"value_segment": ["High Value", "Medium Value", "Low Value"],
                         "customers": [high, others, others], "avg_sentiment": [high_sentiment, 0.3, 0.3],
                         "tickets_per_customer": [2.25, 1.5, 1.0]})


@pytest.mark.parametrize(("gap", "expected"), [
    (EX["high_value_gap_watch"] - 0.01, "good"),
    (EX["high_value_gap_watch"], "watch"),
    (EX["high_value_gap_act"], "act"),
    (-0.2, "good"),  # happier than everyone
])
def test_high_value_customers(gap, expected):
    found = fx.high_value(profile(0.3 - gap), {"avg_sentiment": 0.3}, RULES)
    assert severity(found) == expected
    assert found.text == (f"The 100 High Value customers have an average sentiment of {0.3 - gap:+.2f}, against +0.30 "
                          "for all customers in view; they opened 2.2 tickets each in the period (Medium Value 1.5, "
                          "Low Value 1.0).")


def test_high_value_customers_alone_or_too_few_is_a_note():
    assert "only High Value customers" in fx.high_value(profile(0.1, others=0), {"avg_sentiment": 0.1}, RULES).text
    assert isinstance(fx.high_value(profile(0.1, high=3), {"avg_sentiment": 0.1}, RULES), fx.Note)
    assert isinstance(fx.high_value(profile(None), {"avg_sentiment": 0.1}, RULES), fx.Note)


def test_findings_are_ranked_most_severe_first_and_capped():
    def finding(topic: str, sev: str) -> fx.Finding:
        return fx.Finding(topic, sev, "text", None, "overview")

    items = [finding("Retention", "good"), finding("Sentiment", "act"), fx.Note("Ticket volume", "thin", "support"),
             finding("Support targets", "watch"), finding("Product rating", "act"), finding("Churn forecast", "good")]
    summary = fx.rank(items, 3)
    assert [(f.topic, f.severity) for f in summary.findings] == [("Sentiment", "act"), ("Product rating", "act"),
                                                                 ("Support targets", "watch")]
    assert [f.topic for f in summary.left_out] == ["Churn forecast", "Retention"]
    assert [n.topic for n in summary.notes] == ["Ticket volume"]


def test_every_action_uses_only_the_placeholders_its_finding_fills():
    filled = {"action_sla": {"overdue"}, "action_tickets": {"category"},
              "action_churn_forecast": {"customers", "inactive"}}
    actions = {key: text for key, text in EX.items() if key.startswith("action_")}
    assert len(actions) == len(fx.TOPICS)
    for key, text in actions.items():
        assert set(re.findall(r"\{(\w+)\}", text)) <= filled.get(key, set()), key
