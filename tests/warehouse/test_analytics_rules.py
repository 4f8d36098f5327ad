"""The ANALYTICS rules of DESIGN.md §3 at their thresholds, on a real DuckDB warehouse.

Each case states the sentiment records and ticket count of one customer and the labels expected from the
rules as written in DESIGN.md (worked out by hand: avg, trend = last - first, volatility = max - min).
Records start at 0.0 so that trend and volatility are exact in floating point.
"""

from __future__ import annotations

import pytest

from tests.warehouse.builder import build_warehouse, customer, scored, tickets_for

# customer id -> (sentiment scores in time order, ticket count, expected labels)
CASES = {
    # overall_sentiment: avg < -0.3 Negative, > 0.3 Positive, else Neutral
    "neg-edge": ([-0.3], 0, {"overall_sentiment": "Neutral"}),
    "neg": ([-0.31], 0, {"overall_sentiment": "Negative", "churn_risk": "Low", "derived_persona": "Neutral"}),
    "pos-edge": ([0.3], 0, {"overall_sentiment": "Neutral", "upsell_opportunity": "Low"}),
    "pos": ([0.31], 0, {"overall_sentiment": "Positive", "upsell_opportunity": "High"}),
    # Satisfied: avg > 0.5 and tc <= 1
    "sat": ([0.51], 1, {"derived_persona": "Satisfied", "upsell_opportunity": "High"}),
    "sat-edge-avg": ([0.5], 0, {"derived_persona": "Neutral"}),
    "sat-too-many-tickets": ([0.9], 2, {"derived_persona": "Neutral", "churn_risk": "Medium",
                                        "upsell_opportunity": "Low"}),
    # Frustrated: avg < -0.3 and tc >= 3
    "frus": ([-0.31], 3, {"derived_persona": "Frustrated", "churn_risk": "High"}),
    "frus-edge-tickets": ([-0.31], 2, {"derived_persona": "Neutral", "churn_risk": "High"}),
    "frus-edge-avg": ([-0.3], 3, {"derived_persona": "Neutral", "churn_risk": "Medium"}),
    # Mixed: volatility > 0.7 (before Improving)
    "mixed": ([0.0, 0.71], 0, {"derived_persona": "Mixed", "sentiment_volatility": 0.71}),
    "mixed-edge": ([0.0, 0.7], 0, {"derived_persona": "Improving", "upsell_opportunity": "High"}),  # avg 0.35
    # Improving / Deteriorating: trend > 0.3 / < -0.3
    "impr": ([0.0, 0.31], 0, {"derived_persona": "Improving", "upsell_opportunity": "Medium"}),
    "impr-edge": ([0.0, 0.3], 0, {"derived_persona": "Neutral", "upsell_opportunity": "Low"}),
    "det": ([0.0, -0.31], 0, {"derived_persona": "Deteriorating", "churn_risk": "Medium"}),
    "det-edge": ([0.0, -0.3], 0, {"derived_persona": "Neutral"}),
    # churn High: (avg < -0.3 and tc >= 1) or (trend < -0.2 and tc >= 1) or (avg < -0.2 and trend < -0.1)
    "churn-avg": ([-0.31], 1, {"churn_risk": "High"}),
    "churn-avg-no-ticket": ([-0.31], 0, {"churn_risk": "Low"}),
    "churn-trend": ([0.0, -0.21], 1, {"churn_risk": "High"}),
    "churn-trend-edge": ([0.0, -0.2], 1, {"churn_risk": "Low"}),
    "churn-combined": ([-0.1, -0.4], 0, {"churn_risk": "High"}),
    # churn Medium: (avg < -0.1 and trend < 0) or tc >= 2
    "churn-medium": ([0.0, -0.3], 0, {"churn_risk": "Medium"}),
    "churn-medium-tickets": ([0.2], 2, {"churn_risk": "Medium"}),
    "churn-low-one-ticket": ([0.2], 1, {"churn_risk": "Low"}),
    # upsell High: avg > 0.3 and tc <= 1; Medium: trend > 0.3
    "upsell-tickets": ([0.31], 2, {"upsell_opportunity": "Low"}),
    # no scored text at all: labels fall through
    "silent": ([], 0, {"overall_sentiment": "Neutral", "derived_persona": "Neutral", "churn_risk": "Low",
                       "upsell_opportunity": "Low", "avg_sentiment": None}),
    "silent-tickets": ([], 2, {"churn_risk": "Medium", "ticket_count": 2}),
}


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    customers, interactions, tickets = [], [], []
    for customer_id, (scores, ticket_count, _expected) in CASES.items():
        customers.append(customer(customer_id))
        interactions += scored(customer_id, *scores)
        tickets += [dict(t, sentiment_score=None) for t in tickets_for(customer_id, ticket_count)]
    con = build_warehouse(tmp_path_factory.mktemp("rules") / "w.duckdb", customers, interactions, tickets=tickets)
    yield con
    con.close()


@pytest.mark.parametrize("customer_id", list(CASES))
def test_labels_at_thresholds(warehouse, customer_id):
    expected = CASES[customer_id][2]
    row = warehouse.execute(
        "select * from analytics.customer_persona_signals where customer_id = ?", [customer_id]
    ).df().iloc[0].to_dict()
    for column, value in expected.items():
        if value is None:
            assert row[column] is None or row[column] != row[column], (customer_id, column, row[column])
        elif isinstance(value, float):
            assert row[column] == pytest.approx(value), (customer_id, column)
        else:
            assert row[column] == value, (customer_id, column, row[column])


def test_ticket_count_is_null_without_tickets(warehouse):
    value = warehouse.execute(
        "select ticket_count from analytics.customer_persona_signals where customer_id = 'pos'").fetchone()[0]
    assert value is None


@pytest.mark.parametrize(("ltv", "segment"), [
    (1000, "High Value"), (999.99, "Medium Value"), (500, "Medium Value"), (499.99, "Low Value"),
    (0, "Low Value"), (None, "Low Value"),
])
def test_value_segment_thresholds(tmp_path, ltv, segment):
    con = build_warehouse(tmp_path / "w.duckdb", [customer("c1", ltv)])
    assert con.execute("select value_segment from analytics.customer_base").fetchone()[0] == segment


def test_sentiment_trends_history_and_statistics(tmp_path):
    con = build_warehouse(tmp_path / "w.duckdb", [customer("c1"), customer("c2")],
                          scored("c1", 0.5, -0.25, 0.75, 0.0) + scored("c2", 0.25))
    rows = {r[0]: r[1:] for r in con.execute(
        "select customer_id, sentiment_history, avg_sentiment, min_sentiment, max_sentiment, sentiment_volatility, "
        "sentiment_trend from analytics.sentiment_trends").fetchall()}
    history, avg, low, high, volatility, trend = rows["c1"]
    assert history == [0.5, -0.25, 0.75, 0.0]
    assert avg == pytest.approx(0.25)           # (0.5 - 0.25 + 0.75 + 0) / 4
    assert (low, high) == (-0.25, 0.75)
    assert volatility == pytest.approx(1.0)     # 0.75 - (-0.25)
    assert trend == pytest.approx(-0.5)         # last 0.0 - first 0.5
    assert rows["c2"][5] == 0                   # a single record has no trend


def test_sentiment_analysis_unions_the_three_sources(tmp_path):
    interactions = scored("c1", 0.5)
    reviews = [{"review_id": "R1", "customer_id": "c1", "review_date": "2024-01-05", "review_rating": 4,
                "review_text": "ok", "sentiment_score": 0.25}]
    tickets = [dict(t, sentiment_score=-0.5) for t in tickets_for("c1", 1)]
    blank = [dict(scored("c1", 0.0)[0], interaction_id="blank", sentiment_score=None)]
    con = build_warehouse(tmp_path / "w.duckdb", [customer("c1")], interactions + blank, reviews, tickets)
    rows = con.execute("select source_type, sentiment_score from analytics.sentiment_analysis "
                       "order by interaction_date").fetchall()
    assert rows == [("review", 0.25), ("interaction", 0.5), ("ticket", -0.5)]


def test_ticket_patterns_order_by_date(tmp_path):
    tickets = [
        {"ticket_id": "T2", "customer_id": "c1", "ticket_date": "2024-05-02", "ticket_category": "billing",
         "ticket_description": "x", "priority_level": "High"},
        {"ticket_id": "T1", "customer_id": "c1", "ticket_date": "2024-05-01", "ticket_category": "technical",
         "ticket_description": "y", "priority_level": "Critical"},
    ]
    con = build_warehouse(tmp_path / "w.duckdb", [customer("c1")], tickets=tickets)
    row = con.execute("select ticket_count, first_ticket_date, most_recent_ticket_date, ticket_categories, "
                      "ticket_priorities from analytics.ticket_patterns").fetchone()
    assert row[0] == 2
    assert (str(row[1]), str(row[2])) == ("2024-05-01 00:00:00", "2024-05-02 00:00:00")
    assert row[3] == ["technical", "billing"]
    assert row[4] == ["Critical", "High"]


def test_summary_is_short_and_names_the_signals(tmp_path):
    reviews = [{"review_id": f"R{i}", "customer_id": "c1", "review_date": "2024-01-05", "review_rating": r,
                "review_text": "ok", "sentiment_score": 0.5} for i, r in enumerate([4, 5])]
    con = build_warehouse(tmp_path / "w.duckdb", [customer("c1", 3325.4, products_owned=2)],
                          scored("c1", 0.5), reviews)
    summary = con.execute("select customer_summary from analytics.insight_summaries").fetchone()[0]
    assert "Customer since 2024-01-01 with 2 products (lifetime value 3325)" in summary
    assert "1 interaction, 2 reviews (average rating 4.5), 0 tickets." in summary
    assert "Average sentiment 0.50, trend 0.00." in summary
    assert len(summary.split()) <= 100


def test_query_cache_key_changes_with_the_sql_text():
    from warehouse.cache import QueryCache

    same = QueryCache.key("select 1", "v1", {"a": 1})
    assert same == QueryCache.key("select 1", "v1", {"a": 1})
    assert same != QueryCache.key("select 2", "v1", {"a": 1})
    assert same != QueryCache.key("select 1", "v2", {"a": 1})
    assert same != QueryCache.key("select 1", "v1", {"a": 2})
