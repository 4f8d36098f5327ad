"""Health queries (sql/queries/health/*.sql) through WarehouseReader with Filters, on a small known warehouse.

The warehouse holds interactions only (no tickets, reviews or usage, products_owned NULL), so every health score
is the sentiment level alone: 50 * (avg + 1), avg = the mean sentiment of the last 90 days (docs/health.md; the
other measures are missing and their weight goes to it). All records are within the last 90 days, so the trend is
never computable. AS_OF = 2024-06-30 (the newest interaction); the previous date is day(30) = 2024-05-31 and its
score uses the records of days 30-89 only. Value segments from lifetime_value: >= 1000 High, >= 500 Medium.

    customer  segment  records (days before: sentiment)  now                  then (day 30)      change  persona
    A         High     0: -0.6, 40: 0.8                  avg 0.1 -> 55 yellow  0.8 -> 90 green    -35     Mixed
    B         High     40: 0.6                           80 green              80 green             0     Satisfied
    C         Low      0: -1.0, 40: 0.2                  avg -0.4 -> 30 red    0.2 -> 60 yellow   -30     Mixed
    D         Medium   0: 0.5                            75 green              no record -> NULL  NULL    Neutral
    E         Low      50: -0.5                          25 red                25 red               0     Neutral
    F         Low      0: 0.9, 40: 0.1                   avg 0.5 -> 75 green   0.1 -> 55 yellow   +20     Mixed
    G         Low      none                              NULL (not scored)     NULL               NULL    Neutral
    H         Medium   0: 1.0                            100 green             NULL               NULL    Satisfied

Personas (customer_persona_signals, all-time): A volatility 1.4 > 0.7 Mixed; B avg 0.6 > 0.5 Satisfied; C
volatility 1.2 Mixed; D avg 0.5 is not > 0.5, no volatility or trend: Neutral; E, G Neutral; F volatility 0.8 Mixed;
H avg 1.0 Satisfied.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from tests.warehouse.builder import build_warehouse, customer
from warehouse.filters import Filters
from warehouse.reader import WarehouseReader

AS_OF = date(2024, 6, 30)
RECORDS = {
    "A": [(0, -0.6), (40, 0.8)],
    "B": [(40, 0.6)],
    "C": [(0, -1.0), (40, 0.2)],
    "D": [(0, 0.5)],
    "E": [(50, -0.5)],
    "F": [(0, 0.9), (40, 0.1)],
    "H": [(0, 1.0)],
}
LTV = {"A": 2000.0, "B": 1500.0, "C": 100.0, "D": 600.0, "E": 100.0, "F": 100.0, "G": 100.0, "H": 700.0}
HIGH_VALUE = Filters(value_segments=("High Value",))
LOW_VALUE = Filters(value_segments=("Low Value",))


@pytest.fixture(scope="module")
def reader(tmp_path_factory):
    path = tmp_path_factory.mktemp("health") / "warehouse.duckdb"
    interactions = [
        {"interaction_id": f"{cid}-{i}", "customer_id": cid,
         "interaction_date": f"{(AS_OF - timedelta(days=d)).isoformat()} 12:00", "interaction_type": "call",
         "interaction_notes": "note", "sentiment_score": s}
        for cid, records in RECORDS.items() for i, (d, s) in enumerate(records)]
    customers = [customer(cid, ltv, products_owned=None, customer_name=f"Customer {cid}") for cid, ltv in LTV.items()]
    build_warehouse(path, customers, interactions=interactions).close()
    reader = WarehouseReader(path)
    yield reader
    reader.close()


def records(reader, name, filters=None, **params):
    """The query's rows as dicts, NULL as None (pandas reads a NULL double as NaN)."""
    frame = reader.query(f"health/{name}", filters or Filters(), **params)
    return frame.astype(object).where(frame.notna(), None).to_dict("records")


def test_the_personas_this_warehouse_assumes(reader):
    def in_view(persona):
        return records(reader, "health_bands", Filters(personas=(persona,)))[0]["customers_in_view"]
    assert {p: in_view(p) for p in ("Mixed", "Neutral", "Satisfied")} == {"Mixed": 3, "Neutral": 3, "Satisfied": 2}


def test_health_bands_all_customers(reader):
    got = records(reader, "health_bands")
    assert [(r["band_order"], r["health_band"], r["min_score"], r["max_score"]) for r in got] == [
        (1, "green", 70, 100), (2, "yellow", 40, 70), (3, "red", 0, 40)]
    # now: green B 80, D 75, F 75, H 100; yellow A 55; red C 30, E 25 (7 scored; G has no score)
    # then: green A, B; yellow C, F; red E (5 scored; D and H had no record by day 30)
    assert [(r["customers"], r["share_of_customers"], r["avg_health_score"], r["previous_customers"],
             r["previous_share_of_customers"], r["customers_change"], r["customers_in_view"]) for r in got] == [
        (4, pytest.approx(4 / 7), pytest.approx(82.5), 2, pytest.approx(0.4), 2, 8),   # (80+75+75+100) / 4
        (1, pytest.approx(1 / 7), pytest.approx(55.0), 2, pytest.approx(0.4), -1, 8),
        (2, pytest.approx(2 / 7), pytest.approx(27.5), 1, pytest.approx(0.2), 1, 8),   # (30+25) / 2
    ]


def test_health_bands_with_a_sidebar_filter_keeps_every_band(reader):
    got = records(reader, "health_bands", HIGH_VALUE)
    # A (yellow now, green then) and B (green both)
    assert [(r["health_band"], r["customers"], r["share_of_customers"], r["avg_health_score"],
             r["previous_customers"], r["customers_in_view"]) for r in got] == [
        ("green", 1, 0.5, 80.0, 2, 2),
        ("yellow", 1, 0.5, 55.0, 0, 2),
        ("red", 0, 0.0, None, 0, 2),
    ]


def test_health_bands_with_nobody_in_view(reader):
    got = records(reader, "health_bands", Filters(value_segments=("No Such Segment",)))
    assert [(r["customers"], r["share_of_customers"], r["previous_share_of_customers"]) for r in got] == \
        [(0, 0.0, 0.0)] * 3


def test_health_distribution_in_ten_point_bins(reader):
    got = records(reader, "health_distribution")
    assert [(r["score_bin"], r["bin_start"], r["bin_end"]) for r in got] == \
        [(k, 10 * k, 10 * k + 10) for k in range(10)]
    # now: E 25 -> 2, C 30 -> 3 (a bin's lower edge is inside it), A 55 -> 5, D 75 and F 75 -> 7, B 80 -> 8,
    # H 100 -> 9 (100 belongs to the last bin)
    assert [r["customers"] for r in got] == [0, 0, 1, 1, 0, 1, 0, 2, 1, 1]
    assert got[7]["share_of_customers"] == pytest.approx(2 / 7)
    # then: E 25 -> 2, F 55 -> 5, C 60 -> 6, B 80 -> 8, A 90 -> 9
    assert [r["previous_customers"] for r in got] == [0, 0, 1, 0, 0, 1, 1, 0, 1, 1]


def test_health_distribution_with_a_sidebar_filter(reader):
    got = records(reader, "health_distribution", LOW_VALUE)
    # C 30, E 25, F 75 (G not scored); then C 60, E 25, F 55
    assert [r["customers"] for r in got] == [0, 0, 1, 1, 0, 0, 0, 1, 0, 0]
    assert [r["previous_customers"] for r in got] == [0, 0, 1, 0, 0, 1, 1, 0, 0, 0]
    assert sum(r["share_of_customers"] for r in got) == pytest.approx(1.0)


def test_health_movers_largest_falls_first(reader):
    got = records(reader, "health_movers", limit=10)
    # falls only: A -35 (90 -> 55), C -30 (60 -> 30); B and E did not move, F rose, D and H have no previous score
    assert [(r["customer_id"], r["customer_name"], r["value_segment"], r["derived_persona"], r["health_score"],
             r["health_band"], r["previous_health_score"], r["previous_health_band"], r["health_change"])
            for r in got] == [
        ("A", "Customer A", "High Value", "Mixed", 55.0, "yellow", 90.0, "green", -35.0),
        ("C", "Customer C", "Low Value", "Mixed", 30.0, "red", 60.0, "yellow", -30.0),
    ]
    # the sentiment level is their only measure: it costs A 100 - 55 = 45 points
    assert [(r["weakest_measure"], r["weakest_measure_score"], r["weakest_measure_points_lost"]) for r in got] == [
        ("sentiment_level", pytest.approx(55.0), 45.0), ("sentiment_level", pytest.approx(30.0), 70.0)]


def test_health_movers_limit_and_sidebar_filter(reader):
    assert [r["customer_id"] for r in records(reader, "health_movers", limit=1)] == ["A"]
    assert [r["customer_id"] for r in records(reader, "health_movers", LOW_VALUE, limit=10)] == ["C"]
    assert records(reader, "health_movers", Filters(personas=("Satisfied",)), limit=10) == []


def test_health_by_segment(reader):
    got = records(reader, "health_by_segment")
    assert [(r["dimension"], r["dimension_value"]) for r in got] == [
        ("value_segment", "High Value"), ("value_segment", "Medium Value"), ("value_segment", "Low Value"),
        ("persona", "Mixed"), ("persona", "Neutral"), ("persona", "Satisfied")]
    rows = {r["dimension_value"]: r for r in got}

    def summary(value):
        r = rows[value]
        return (r["customers"], r["scored_customers"], r["avg_health_score"], r["avg_previous_health_score"],
                r["avg_health_change"], r["green_customers"], r["yellow_customers"], r["red_customers"])

    # High: A 55 / 90 / -35, B 80 / 80 / 0
    assert summary("High Value") == (2, 2, 67.5, 85.0, -17.5, 1, 1, 0)
    # Medium: D 75, H 100, neither has a previous score
    assert summary("Medium Value") == (2, 2, 87.5, None, None, 2, 0, 0)
    # Low: C 30 / 60 / -30, E 25 / 25 / 0, F 75 / 55 / +20, G not scored
    assert summary("Low Value") == (4, 3, pytest.approx(130 / 3), pytest.approx(140 / 3), pytest.approx(-10 / 3),
                                    1, 0, 2)
    # Mixed: A, C, F; Neutral: D 75, E 25, G; Satisfied: B 80, H 100
    assert summary("Mixed") == (3, 3, pytest.approx(160 / 3), pytest.approx(205 / 3), pytest.approx(-15.0), 1, 1, 1)
    assert summary("Neutral") == (3, 2, 50.0, 25.0, 0.0, 1, 0, 1)
    assert summary("Satisfied") == (2, 2, 90.0, 80.0, 0.0, 2, 0, 0)


def test_health_by_segment_with_a_sidebar_filter(reader):
    got = records(reader, "health_by_segment", HIGH_VALUE)
    # A (Mixed) and B (Satisfied) only
    assert [(r["dimension_value"], r["customers"], r["avg_health_score"]) for r in got] == [
        ("High Value", 2, 67.5), ("Mixed", 1, 55.0), ("Satisfied", 1, 80.0)]


def test_the_date_range_does_not_apply(reader):
    # the score is as of the warehouse's date: a range that holds no record changes nothing
    narrow = Filters(date_from=date(2020, 1, 1), date_to=date(2020, 1, 31))
    for name in ("health_bands", "health_distribution", "health_by_segment"):
        assert records(reader, name, narrow) == records(reader, name)
