"""Overview queries and figures on a small warehouse whose numbers are worked out by hand."""

from __future__ import annotations

import math
from datetime import date

import pytest

from dashapp.figures import overview as figures
from dashapp.tabs.overview import kpi_texts
from tests.warehouse.builder import build_warehouse, customer
from warehouse.filters import Filters
from warehouse.reader import WarehouseReader

MARCH = Filters(date_from=date(2024, 3, 1), date_to=date(2024, 3, 31))


def interaction(cid, day, kind, score):
    return {"interaction_id": f"{cid}-{day}", "customer_id": cid, "interaction_date": day, "interaction_type": kind,
            "interaction_notes": "n", "sentiment_score": score}


@pytest.fixture(scope="module")
def reader(tmp_path_factory):
    path = tmp_path_factory.mktemp("overview") / "w.duckdb"
    build_warehouse(
        path,
        [customer("A", 1500), customer("B", 600), customer("C", 100)],
        interactions=[interaction("A", "2024-03-01", "SMS", 0.5), interaction("A", "2024-03-10", "call", -0.1),
                      interaction("B", "2024-03-02", "SMS", -0.6)],
        reviews=[{"review_id": "RA", "customer_id": "A", "review_date": "2024-03-05", "review_rating": 4,
                  "review_text": "bien", "review_language": "fr", "sentiment_score": 0.3},
                 {"review_id": "RC", "customer_id": "C", "review_date": "2024-02-20", "review_rating": 2,
                  "review_text": "meh", "review_language": "en", "sentiment_score": -0.2}],
        tickets=[{"ticket_id": f"T{i}", "customer_id": "B", "ticket_date": f"2024-03-0{i}",
                  "ticket_category": "billing", "ticket_description": "x", "priority_level": "High",
                  "sentiment_score": -0.8} for i in (3, 4)],
    ).close()
    return WarehouseReader(path)


def test_kpis_for_a_period(reader):
    row = reader.query("overview/kpis", MARCH).iloc[0]
    assert row["avg_sentiment"] == pytest.approx(-0.25)       # (0.5 + 0.3 - 0.1 - 0.6 - 0.8 - 0.8) / 6
    assert row["total_interactions"] == 3
    assert row["pct_high_churn_risk"] == pytest.approx(50.0)  # A Low, B High (avg -0.73 with tickets)
    assert row["avg_rating"] == pytest.approx(4.0)
    assert row["active_customers"] == 2


def test_previous_period_has_equal_length(reader):
    previous = MARCH.previous_period(*reader.date_bounds())
    # March is 31 days (inclusive), so is 30 Jan - 29 Feb
    assert (previous.date_from, previous.date_to) == (date(2024, 1, 30), date(2024, 2, 29))
    row = reader.query("overview/kpis", previous).iloc[0]
    assert row["avg_sentiment"] == pytest.approx(-0.2)        # only C's review of 20 Feb
    assert row["total_interactions"] == 0
    assert row["pct_high_churn_risk"] == 0
    assert row["avg_rating"] == pytest.approx(2.0)


@pytest.mark.parametrize(("change", "expected"), [
    ({"interaction_types": ("SMS",)}, {"avg_sentiment": -0.28, "total_interactions": 2, "avg_rating": 4.0}),
    ({"value_segments": ("High Value",)}, {"avg_sentiment": 0.7 / 3, "total_interactions": 2,
                                            "pct_high_churn_risk": 0.0}),
    ({"review_languages": ("en",)}, {"avg_sentiment": -0.36, "total_interactions": 3, "avg_rating": None}),
    ({"churn_risks": ("High",)}, {"avg_sentiment": -2.2 / 3, "total_interactions": 1, "pct_high_churn_risk": 100}),
])
def test_filters_change_the_kpis(reader, change, expected):
    filters = Filters(date_from=MARCH.date_from, date_to=MARCH.date_to, **change)
    row = reader.query("overview/kpis", filters).iloc[0]
    for column, value in expected.items():
        if value is None:
            assert math.isnan(row[column])
        else:
            assert row[column] == pytest.approx(value), column


def test_sentiment_trend_by_month(reader):
    filters = Filters(date_from=date(2024, 2, 1), date_to=date(2024, 3, 31))
    trend = reader.query("overview/sentiment_trend", filters, grain="month")
    assert [p.strftime("%Y-%m-%d") for p in trend["period"]] == ["2024-02-01", "2024-03-01"]
    assert trend["avg_sentiment"].tolist() == pytest.approx([-0.2, -0.25])
    assert trend["records"].tolist() == [1, 6]


def test_customers_by_label(reader):
    churn = reader.query("overview/customers_by_churn_risk", Filters())
    assert dict(zip(churn["churn_risk"], churn["customers"], strict=True)) == {"High": 1, "Low": 2}
    overall = reader.query("overview/customers_by_overall_sentiment", Filters(value_segments=("Medium Value",)))
    assert overall.values.tolist() == [["Negative", 1]]
    counts = reader.query("filters/in_view_counts", MARCH).iloc[0]
    assert (counts["customers"], counts["records"]) == (3, 6)


def test_kpi_texts_show_value_and_delta():
    texts = kpi_texts({"avg_sentiment": 0.25, "total_interactions": 10, "pct_high_churn_risk": 12.5,
                       "avg_rating": float("nan")},
                      {"avg_sentiment": 0.5, "total_interactions": 10, "pct_high_churn_risk": 10.0,
                       "avg_rating": 4.0})
    assert texts["overview-kpi-sentiment"] == ("+0.25", "▼ 0.25 vs previous period", "text-danger")
    assert texts["overview-kpi-interactions"] == ("10", "■ 0 vs previous period", "text-muted")
    assert texts["overview-kpi-churn"] == ("12.5 %", "▲ 2.5 % vs previous period", "text-danger")
    assert texts["overview-kpi-rating"] == ("–", "no data in this period", "text-muted")


def test_figures_show_a_message_when_empty(reader):
    empty = reader.query("overview/sentiment_trend", Filters(date_from=date(2020, 1, 1), date_to=date(2020, 2, 1)),
                         grain="week")
    figure = figures.sentiment_trend(empty, "week")
    assert figure.layout.annotations[0].text.startswith("No data for these filters")
    bars = figures.customers_by_label(reader.query("overview/customers_by_churn_risk", Filters()), "churn_risk",
                                      "customers")
    assert list(bars.data[0].y) == ["High", "Low"]
    assert list(bars.data[0].x) == [1, 2]
