"""analytics.customer_health (sql/analytics/customer_health.sql) on real DuckDB warehouses: the seven sub-scores,
the weighting with redistribution of missing measures, the bands, the previous-period score and the weakest
measure. Rules: docs/health.md; values: config/rules.toml [health] (checked by the first test).

Every expected value is worked out by hand in the comments. AS_OF = 2024-06-30 is the newest activity of each
warehouse; day(n) is the date n days before it (at 12:00, so the time of day is dropped on the way). "The last N
days" of a reference date r are the days d with 0 <= r - d < N: day(89) is inside a 90-day window, day(90) is not.
The previous reference date is day(30) = 2024-05-31; its windows count from there.
Weights: sentiment_level .20, sentiment_trend .10, tickets .15, rating .10, usage_recency .15,
usage_frequency .20, adoption .10; health = sum(w * s) / sum(w) over the sub-scores that are not NULL.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from config.rules import load_rules
from tests.warehouse.builder import customer
from tests.warehouse.test_marts import build, by_key, event

AS_OF = date(2024, 6, 30)
SUB_SCORES = ["sentiment_level_score", "sentiment_trend_score", "ticket_score", "rating_score",
              "usage_recency_score", "usage_frequency_score", "adoption_score"]


def test_the_rule_values_these_expectations_assume():
    assert load_rules()["health"] == {
        "weight_sentiment_level": 0.20, "weight_sentiment_trend": 0.10, "weight_tickets": 0.15,
        "weight_rating": 0.10, "weight_usage_recency": 0.15, "weight_usage_frequency": 0.20,
        "weight_adoption": 0.10,
        "sentiment_window_days": 90, "sentiment_trend_full_change": 0.5,
        "ticket_window_days": 90, "ticket_weight_critical": 4, "ticket_weight_high": 2, "ticket_weight_medium": 1,
        "ticket_weight_low": 0.5, "ticket_weight_unclassified": 1, "ticket_load_zero_score": 8,
        "rating_window_days": 365,
        "usage_recency_zero_days": 90, "usage_frequency_window_days": 30, "usage_frequency_full_days": 10,
        "adoption_full_products": 3,
        "green_min_score": 70, "yellow_min_score": 40,
        "trend_days": 30,
    }
    weights = [v for k, v in load_rules()["health"].items() if k.startswith("weight_")]
    assert sum(weights) == pytest.approx(1.0)


def day(days_before_as_of: int) -> str:
    return f"{(AS_OF - timedelta(days=days_before_as_of)).isoformat()} 12:00"


def said(customer_id: str, *records: tuple[int, float | None]) -> list[dict]:
    """Interactions (days before AS_OF, sentiment score)."""
    return [{"interaction_id": f"{customer_id}-I{i}", "customer_id": customer_id, "interaction_date": day(d),
             "interaction_type": "call", "interaction_notes": "note", "sentiment_score": s}
            for i, (d, s) in enumerate(records)]


def ticket(ticket_id: str, customer_id: str, days_before: int, priority: str | None,
           sentiment: float | None = None) -> dict:
    return {"ticket_id": ticket_id, "customer_id": customer_id, "ticket_date": day(days_before),
            "ticket_category": "billing", "ticket_description": "text", "ticket_status": "open",
            "priority_level": priority, "sentiment_score": sentiment}


def review(review_id: str, customer_id: str, days_before: int, rating: int, sentiment: float | None = None) -> dict:
    return {"review_id": review_id, "customer_id": customer_id, "review_date": day(days_before), "product_id": "P1",
            "review_rating": rating, "review_text": "text", "sentiment_score": sentiment}


def used(customer_id: str, *days_before: int, user: str = "u1", count: int = 1) -> list[dict]:
    return [event(f"{customer_id}-{user}", customer_id, day(d), "reports", count) for d in days_before]


# ---------------------------------------------------------------- sub-scores (one warehouse with every measure)

MEASURES_CUSTOMERS = [
    customer("full", products_owned=3), customer("no_rating", products_owned=3),
    customer("sl_window"), customer("sl_min"), customer("sl_max"), customer("st_fall"), customer("sl_sources"),
    customer("t_mix"), customer("t_zero"),
    customer("r_window"), customer("r_max"), customer("r_min"),
    customer("u_today"), customer("u_5"), customer("u_45"), customer("u_89"), customer("u_90"), customer("u_never"),
    customer("a_0", products_owned=0), customer("a_5", products_owned=5), customer("a_none", products_owned=None),
]
MEASURES_INTERACTIONS = [
    # full and no_rating: current window avg 0.2 (day 1) -> 50 * 1.2 = 60; the 90 days before: 0.4 (day 100)
    # -> change -0.2 -> 50 + 50 * -0.2 / 0.5 = 30
    *said("full", (1, 0.2), (100, 0.4)),
    *said("no_rating", (1, 0.2), (100, 0.4)),
    # day 0 and day 89 are in the window, day 90 is in the window before, the unscored one counts nowhere:
    # avg (0.6 - 0.2) / 2 = 0.2 -> 60; change 0.2 - (-1.0) = 1.2 -> 50 + 120 = 170 -> clamped to 100
    *said("sl_window", (0, 0.6), (89, -0.2), (90, -1.0), (5, None)),
    *said("sl_min", (0, -1.0)),            # -> 0; nothing in the window before: trend NULL
    *said("sl_max", (0, 1.0)),             # -> 100
    # avg 0.1 -> 55; before 0.3 (day 100; day 180 is outside both windows) -> change -0.2 -> 30
    *said("st_fall", (10, 0.1), (100, 0.3), (180, -1.0)),
    *said("sl_sources", (0, 0.5)),         # with a review at -0.5 and a ticket at 0.3 below: avg 0.1 -> 55
]
MEASURES_TICKETS = [
    ticket("F1", "full", 3, "High"),       # full: load 2 -> 100 * (1 - 2 / 8) = 75 (no_rating: the same)
    ticket("N1", "no_rating", 3, "High"),
    # t_mix: Critical 4 + High 2 (day 89) + Low 0.5 + unclassified 1 = 7.5 -> 100 * (1 - 7.5 / 8) = 6.25;
    # the Critical of day 90 is outside the window
    ticket("M1", "t_mix", 0, "Critical"), ticket("M2", "t_mix", 89, "High"), ticket("M3", "t_mix", 30, "Low"),
    ticket("M4", "t_mix", 10, None), ticket("M5", "t_mix", 90, "Critical"),
    # t_zero: 4 + 4 + 1 = 9 >= 8 -> 0 (clamped)
    ticket("Z1", "t_zero", 1, "Critical"), ticket("Z2", "t_zero", 2, "Critical"), ticket("Z3", "t_zero", 3, "Medium"),
    ticket("S1", "sl_sources", 0, "Low", sentiment=0.3),
]
MEASURES_REVIEWS = [
    review("FR", "full", 2, 4),            # full: rating 4 -> 25 * 3 = 75
    # r_window: 5 (day 0) and 2 (day 364) -> avg 3.5 -> 62.5; the 1 of day 365 is outside the 365-day window
    review("W1", "r_window", 0, 5), review("W2", "r_window", 364, 2), review("W3", "r_window", 365, 1),
    review("X1", "r_max", 0, 5),           # -> 100
    review("X2", "r_min", 0, 1),           # -> 0
    review("S2", "sl_sources", 0, 3, sentiment=-0.5),
]
MEASURES_USAGE = [
    # full / no_rating: days 0-4 -> recency 100, 5 days of the last 30 -> 100 * 5 / 10 = 50
    *used("full", 0, 1, 2, 3, 4), *used("no_rating", 0, 1, 2, 3, 4),
    # u_today: 12 distinct days (0-11; a second user on day 0 is the same day; a 0-event row on day 12 is not
    # activity) -> recency 100, frequency 100 * 12 / 10 = 120 -> 100
    *used("u_today", *range(12)), *used("u_today", 0, user="u2"), *used("u_today", 12, count=0),
    # u_5: days 0, 2, 4, 6, 29 in the window, 30 and 31 outside -> 5 days -> 50
    *used("u_5", 0, 2, 4, 6, 29, 30, 31),
    *used("u_45", 45),                     # recency 100 * (1 - 45 / 90) = 50; frequency 0
    *used("u_89", 89),                     # recency 100 * (1 - 89 / 90) = 10 / 9 = 1.111...
    *used("u_90", 90),                     # recency 0
]                                          # u_never: no usage while the warehouse has some -> 0 and 0


@pytest.fixture(scope="module")
def measures(tmp_path_factory):
    con = build(tmp_path_factory.mktemp("health") / "w.duckdb", MEASURES_CUSTOMERS,
                interactions=MEASURES_INTERACTIONS, tickets=MEASURES_TICKETS, reviews=MEASURES_REVIEWS,
                usage_events=MEASURES_USAGE)
    yield by_key(con, "customer_health")
    con.close()


def test_one_row_per_customer_as_of_the_warehouse_date(measures):
    assert set(measures) == {c["customer_id"] for c in MEASURES_CUSTOMERS}
    assert {(r["reference_date"], r["previous_reference_date"]) for r in measures.values()} == {
        (AS_OF, date(2024, 5, 31))}


@pytest.mark.parametrize(("customer_id", "level", "trend"), [
    ("sl_window", 60.0, 100.0),
    ("sl_min", 0.0, None),
    ("sl_max", 100.0, None),
    ("st_fall", 55.0, 30.0),
    ("sl_sources", 55.0, None),
    ("t_mix", None, None),                 # no scored record: both NULL
])
def test_sentiment_level_and_trend(measures, customer_id, level, trend):
    row = measures[customer_id]
    assert row["sentiment_level_score"] == pytest.approx(level)
    assert row["sentiment_trend_score"] == pytest.approx(trend)


@pytest.mark.parametrize(("customer_id", "score", "load"), [
    ("full", 75.0, 2.0), ("t_mix", 6.25, 7.5), ("t_zero", 0.0, 9.0), ("sl_sources", 93.75, 0.5),
    ("sl_min", 100.0, 0.0),                # no ticket, while the warehouse has tickets
])
def test_ticket_score_by_priority_weighted_load(measures, customer_id, score, load):
    assert (measures[customer_id]["ticket_score"], measures[customer_id]["ticket_load"]) == \
        (pytest.approx(score), pytest.approx(load))


@pytest.mark.parametrize(("customer_id", "score"), [
    ("full", 75.0), ("r_window", 62.5), ("r_max", 100.0), ("r_min", 0.0), ("sl_sources", 50.0),
    ("no_rating", None),                   # no review: missing, not 0
])
def test_rating_score(measures, customer_id, score):
    assert measures[customer_id]["rating_score"] == pytest.approx(score)


@pytest.mark.parametrize(("customer_id", "recency", "frequency", "days_since", "usage_days"), [
    ("full", 100.0, 50.0, 0, 5),
    ("u_today", 100.0, 100.0, 0, 12),
    ("u_5", 100.0, 50.0, 0, 5),
    ("u_45", 50.0, 0.0, 45, 0),
    ("u_89", 100 / 90, 0.0, 89, 0),
    ("u_90", 0.0, 0.0, 90, 0),
    ("u_never", 0.0, 0.0, None, 0),
])
def test_usage_recency_and_frequency(measures, customer_id, recency, frequency, days_since, usage_days):
    row = measures[customer_id]
    assert row["usage_recency_score"] == pytest.approx(recency)
    assert row["usage_frequency_score"] == pytest.approx(frequency)
    assert (row["days_since_last_usage"], row["usage_days"]) == (days_since, usage_days)


@pytest.mark.parametrize(("customer_id", "score"), [
    ("full", 100.0), ("u_never", 100 / 3), ("a_0", 0.0), ("a_5", 100.0), ("a_none", None),
])
def test_adoption_score(measures, customer_id, score):
    assert measures[customer_id]["adoption_score"] == pytest.approx(score)


def test_weighted_score_with_every_measure(measures):
    row = measures["full"]
    assert [row[c] for c in SUB_SCORES] == pytest.approx([60, 30, 75, 75, 100, 50, 100])
    # .2*60 + .1*30 + .15*75 + .1*75 + .15*100 + .2*50 + .1*100 = 12 + 3 + 11.25 + 7.5 + 15 + 10 + 10 = 68.75
    # -> 68.8 (one decimal, half away from zero, whatever the float noise) -> yellow (40 <= 68.8 < 70)
    assert (row["health_score"], row["health_band"], row["measures_used"]) == (68.8, "yellow", 7)
    # points lost w * (100 - s): 8, 7, 3.75, 2.5, 0, 10, 0 -> usage_frequency, 10.0 points
    assert (row["weakest_measure"], row["weakest_measure_score"], row["weakest_measure_points_lost"]) == \
        ("usage_frequency", 50.0, 10.0)


def test_a_missing_measure_shares_its_weight_out_over_the_others(measures):
    row = measures["no_rating"]
    # as `full` without its review: 68.75 - 7.5 = 61.25 over the weights present, 1 - .1 = .9 -> 68.0555... -> 68.1
    assert (row["rating_score"], row["health_score"], row["measures_used"]) == (None, 68.1, 6)
    # usage_frequency loses 10 / .9 = 11.11 points
    assert (row["weakest_measure"], row["weakest_measure_points_lost"]) == ("usage_frequency", 11.1)


def test_a_customer_with_no_activity_at_all(measures):
    row = measures["u_never"]
    # sentiment and rating missing; tickets 100, usage 0 and 0, adoption 1/3 * 100:
    # (.15*100 + 0 + 0 + .1*33.33) / (.15 + .15 + .2 + .1) = 18.333 / .6 = 30.555 -> 30.6 -> red
    assert (row["health_score"], row["health_band"], row["measures_used"]) == (30.6, "red", 4)
    # points lost: usage_frequency .2*100/.6 = 33.3, usage_recency 25, adoption 11.1, tickets 0
    assert (row["weakest_measure"], row["weakest_measure_points_lost"]) == ("usage_frequency", 33.3)


# ---------------------------------------------------------------- bands, ties, missing sources
# A warehouse with interactions only: no ticket and no usage data (those measures are NULL for everyone, not 100
# or 0), no reviews, products_owned NULL. The score is then the sentiment level alone, 50 * (avg + 1), or the
# sentiment measures, or adoption alone.

def only(customer_id: str, **extra) -> dict:
    return customer(customer_id, products_owned=None, **extra)


BAND_CASES = [  # (customer, sentiment, score, band): the band is taken on the score rounded to one decimal
    ("g70", 0.4, 70.0, "green"),
    ("g69_95", 0.399, 70.0, "green"),      # 69.95 -> 70.0
    ("y69_94", 0.3988, 69.9, "yellow"),    # 69.94 -> 69.9
    ("y40", -0.2, 40.0, "yellow"),
    ("y39_99", -0.2002, 40.0, "yellow"),   # 39.99 -> 40.0
    ("r39_9", -0.202, 39.9, "red"),
    ("r0", -1.0, 0.0, "red"),
]


@pytest.fixture(scope="module")
def sparse(tmp_path_factory):
    customers = [only(c) for c, *_ in BAND_CASES] + [
        only("tie"), only("perfect"), only("nothing"), customer("adopt_only", products_owned=2)]
    interactions = [r for c, s, *_ in BAND_CASES for r in said(c, (0, s))] + [
        *said("tie", (0, 0.0), (100, 0.5)),  # level 50, trend 50 + 50 * -0.5 / 0.5 = 0
        *said("perfect", (0, 1.0)),
    ]
    con = build(tmp_path_factory.mktemp("health") / "w.duckdb", customers, interactions=interactions)
    yield by_key(con, "customer_health")
    con.close()


@pytest.mark.parametrize(("customer_id", "sentiment", "score", "band"), BAND_CASES)
def test_bands_at_their_thresholds(sparse, customer_id, sentiment, score, band):
    row = sparse[customer_id]
    assert row["sentiment_level_score"] == pytest.approx(50 * (sentiment + 1))
    assert (row["health_score"], row["health_band"], row["measures_used"]) == (score, band, 1)


def test_no_ticket_or_usage_data_in_the_warehouse_leaves_those_measures_out(sparse):
    row = sparse["g70"]
    assert [row[c] for c in SUB_SCORES] == [pytest.approx(70.0), None, None, None, None, None, None]
    # adoption alone: 100 * 2 / 3 = 66.67 with all the weight -> 66.7
    assert (sparse["adopt_only"]["health_score"], sparse["adopt_only"]["health_band"]) == (66.7, "yellow")


def test_weakest_measure_ties_go_to_the_first_in_config_order_and_none_without_a_loss(sparse):
    tie = sparse["tie"]
    # level 50 and trend 0: (.2*50 + .1*0) / .3 = 33.3; both lose .2*50 / .3 = .1*100 / .3 = 33.3 points
    assert (tie["sentiment_level_score"], tie["sentiment_trend_score"], tie["health_score"]) == (50.0, 0.0, 33.3)
    assert (tie["weakest_measure"], tie["weakest_measure_points_lost"]) == ("sentiment_level", 33.3)
    perfect = sparse["perfect"]
    assert (perfect["health_score"], perfect["weakest_measure"], perfect["weakest_measure_points_lost"]) == \
        (100.0, None, None)


def test_no_computable_measure_no_score(sparse):
    row = sparse["nothing"]
    assert (row["health_score"], row["health_band"], row["measures_used"], row["weakest_measure"]) == \
        (None, None, 0, None)
    assert (row["previous_health_score"], row["health_change"]) == (None, None)


# ---------------------------------------------------------------- the previous period: data up to day(30) only

@pytest.fixture(scope="module")
def periods(tmp_path_factory):
    customers = [customer("p", products_owned=3), customer("n", sign_up_date="2024-06-15", products_owned=3)]
    interactions = said("p", (0, -1.0), (30, 0.6))
    # day 120 is outside both ticket windows (days 0-89 now, 30-119 then) but makes ticket data exist at day(30)
    tickets = [ticket("P1", "p", 5, "Critical"), ticket("P0", "p", 120, "Low")]
    usage = [*used("p", 0, 40), *used("n", 0)]
    con = build(tmp_path_factory.mktemp("health") / "w.duckdb", customers, interactions=interactions,
                tickets=tickets, usage_events=usage)
    yield by_key(con, "customer_health")
    con.close()


def test_previous_score_uses_only_data_up_to_the_previous_date(periods):
    row = periods["p"]
    # now: sentiment avg(-1.0, 0.6) = -0.2 -> 40; Critical ticket -> 100 * (1 - 4 / 8) = 50; used today -> 100;
    # 1 day in the last 30 (day 40 is outside) -> 10; adoption 100; no trend (nothing 90-179 days back), no rating.
    # (.2*40 + .15*50 + .15*100 + .2*10 + .1*100) / .8 = (8 + 7.5 + 15 + 2 + 10) / .8 = 53.125 -> 53.1 yellow
    assert (row["health_score"], row["health_band"]) == (53.1, "yellow")
    # at day(30): day 0's interaction, ticket (day 5) and usage do not exist yet. Sentiment 0.6 (day 30, the
    # reference date itself) -> 80; no ticket -> 100; last usage 10 days before -> 100 * (1 - 10 / 90) = 88.89;
    # 1 day in days 30-59 -> 10; adoption 100:
    # (16 + 15 + 13.333 + 2 + 10) / .8 = 70.417 -> 70.4 green
    assert (row["previous_health_score"], row["previous_health_band"]) == (70.4, "green")
    assert row["health_change"] == -17.3    # 53.1 - 70.4, exactly one decimal


def test_a_customer_signed_up_after_the_previous_date_has_no_previous_score(periods):
    row = periods["n"]
    # signed up on 2024-06-15 > 2024-05-31. Now: tickets 100 (none), usage 100 and 10, adoption 100:
    # (15 + 15 + 2 + 10) / .6 = 70.0 -> green
    assert (row["health_score"], row["health_band"]) == (70.0, "green")
    assert (row["previous_health_score"], row["previous_health_band"], row["health_change"]) == (None, None, None)


@pytest.fixture(scope="module")
def late_sources(tmp_path_factory):
    # ticket and usage data start after the previous date: at day(30) the warehouse had none of either
    customers = [customer("l", products_owned=None), customer("idle", products_owned=None)]
    con = build(tmp_path_factory.mktemp("health") / "w.duckdb", customers,
                interactions=said("l", (0, 0.2), (40, 0.2)), tickets=[ticket("L1", "l", 0, "Low")],
                usage_events=used("l", 0))
    yield by_key(con, "customer_health")
    con.close()


def test_a_source_without_data_by_the_previous_date_is_missing_then_not_zero(late_sources):
    row = late_sources["l"]
    # now: sentiment 0.2 -> 60; Low ticket -> 100 * (1 - 0.5 / 8) = 93.75; usage 100 and 10:
    # (12 + 14.0625 + 15 + 2) / (.2 + .15 + .15 + .2) = 43.0625 / .7 = 61.518 -> 61.5
    assert row["health_score"] == 61.5
    # then: sentiment 0.2 (day 40) -> 60 alone (tickets and usage missing, not 100 and 0) -> 60.0
    assert (row["previous_health_score"], row["health_change"]) == (60.0, 1.5)
    # idle: now tickets 100 (none of its own), usage 0 and 0 -> 15 / .5 = 30.0; then nothing computable -> NULL
    idle = late_sources["idle"]
    assert (idle["health_score"], idle["health_band"], idle["previous_health_score"]) == (30.0, "red", None)


def test_an_empty_warehouse_gives_every_customer_a_row_without_a_score(tmp_path):
    con = build(tmp_path / "w.duckdb", [customer("c1")])
    row = by_key(con, "customer_health")["c1"]
    assert (row["reference_date"], row["health_score"], row["previous_health_score"], row["health_band"]) == \
        (None, None, None, None)
