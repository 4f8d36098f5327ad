"""Segmentation tab queries (sql/queries/segmentation/*.sql) through the WarehouseReader with Filters, on a small
known warehouse. Rules: docs/segments.md; thresholds: config/rules.toml [rfm] (tests/warehouse/test_rfm.py checks
the values assumed here).

The warehouse: 13 customers, 7 "Low Value" (lifetime value 100) and 6 "High Value" (1500), so that the sidebar's
value-segment filter removes customers. Net revenue from orders (the RFM basis is 'orders', value = net revenue):

    customer  segment filter   orders (last order: days before as_of 2024-06-30)   net revenue
    P1..P4    Low Value        1 order 100 days before: 1, 2, 3, 4                  1, 2, 3, 4
    P5        Low Value        2 orders, last 10 days before: 5 + 5                10
    Q1        Low Value        none                                                 0 (no activity)
    Q2        Low Value        1 order of 5, 100 days before; a refund of 8        -3
    H1, H2    High Value       1 order of 5, 100 days before                        5, 5
    H3        High Value       2 orders, last 10 days before: 6 + 4                10
    H4, H5    High Value       3 orders, last on as_of: 10+5+5, 10+10+10           20, 30
    H6        High Value       3 orders, last on as_of: 20+20+10                   50

RFM scores among the 12 customers with an order (n = 12; 5 * pos2 < 24 -> 1, < 48 -> 2, < 72 -> 3, < 96 -> 4,
else 5; pos2 = 2 * (customers ranking worse) + (customers tied)):
    recency 100 days: 7 customers, pos2 7, 35 -> 2;  10 days: pos2 2 * 7 + 2 = 16, 80 -> 4;  0 days: 2 * 9 + 3 = 21,
    105 -> 5. Orders 1 / 2 / 3: the same groups -> f 2 / 4 / 5.
    net revenue: Q2 -3 (pos2 1) 1, P1 (3) 1, P2 (5) 2, P3 (7) 2, P4 (9) 2, H1 = H2 (12, 60) 3, P5 = H3 (16, 80) 4,
    H4 (19, 95) 4, H5 (21) 5, H6 (23) 5.
Segments: H4 (5,5,4), H5, H6 (5,5,5), P5, H3 (4,4,4) -> Champions; Q2, P1..P4, H1, H2 (r 2, f 2, m <= 3) ->
Hibernating; Q1 (no order) -> Lost.
Value tiers among all 13 (value <= 0 Bronze; 50 * pos2 >= 90 * 13 = 1170 Platinum, >= 910 Gold, >= 520 Silver):
    ascending Q2 -3 (pos2 1), Q1 0 (3), P1 (5), P2 (7), P3 (9), P4 (11), H1 = H2 (14), P5 = H3 (18), H4 (21),
    H5 (23), H6 (25) -> Platinum H6; Gold H4, H5; Silver P4, H1, H2, P5, H3 (18 * 50 = 900 < 910);
    Bronze Q2, Q1, P1, P2, P3.
"""

from __future__ import annotations

import hashlib
from datetime import date, timedelta

import pytest
import sqlglot

from tests.warehouse.builder import build_warehouse, customer
from warehouse.filters import Filters
from warehouse.reader import WarehouseReader
from warehouse.sqlfiles import SQL_DIR, read_sql

AS_OF = date(2024, 6, 30)
LOW, HIGH = 100.0, 1500.0
LOW_VALUE = Filters(value_segments=("Low Value",))
HIGH_VALUE = Filters(value_segments=("High Value",))
NOBODY = Filters(value_segments=("Medium Value",))  # no customer has a lifetime value of 500..999
QUERIES = ["rfm_segments", "value_tiers", "revenue_concentration", "pareto_curve", "rfm_customers"]


def orders(customer_id: str, days_before: int, *amounts: float) -> list[dict]:
    """Orders of the given amounts, the first `days_before` as_of, the others one day earlier each."""
    return [{"order_id": f"{customer_id}-{j}", "customer_id": customer_id, "amount": amount,
             "order_date": (AS_OF - timedelta(days=days_before + j)).isoformat()} for j, amount in enumerate(amounts)]


CUSTOMERS = [customer(c, LOW) for c in ("P1", "P2", "P3", "P4", "P5", "Q1", "Q2")] + \
    [customer(c, HIGH) for c in ("H1", "H2", "H3", "H4", "H5", "H6")]
ORDERS = [
    *orders("P1", 100, 1.0), *orders("P2", 100, 2.0), *orders("P3", 100, 3.0), *orders("P4", 100, 4.0),
    *orders("P5", 10, 5.0, 5.0),
    *orders("Q2", 100, 5.0),
    {"order_id": "Q2-refund", "customer_id": "Q2", "order_date": "2024-05-11", "amount": -8.0},
    *orders("H1", 100, 5.0), *orders("H2", 100, 5.0), *orders("H3", 10, 6.0, 4.0),
    *orders("H4", 0, 10.0, 5.0, 5.0), *orders("H5", 0, 10.0, 10.0, 10.0), *orders("H6", 0, 20.0, 20.0, 10.0),
]


@pytest.fixture(scope="module")
def reader(tmp_path_factory):
    path = tmp_path_factory.mktemp("segmentation") / "warehouse.duckdb"
    build_warehouse(path, CUSTOMERS, orders=ORDERS).close()
    reader = WarehouseReader(path)
    yield reader
    reader.close()


def query(reader, name, filters=None, **params):
    return reader.query(f"segmentation/{name}", filters or Filters(), **params)


def records(frame) -> list[dict]:
    return [{k: (None if v != v else v) for k, v in row.items()} for row in frame.to_dict("records")]  # NaN -> None


# ---------------------------------------------------------------- columns (the contract the tab builds on)


@pytest.mark.parametrize(("name", "columns"), [
    ("rfm_segments", ["segment_order", "rfm_segment", "customers", "share_of_customers",
                      "customers_without_activity", "avg_recency_days", "avg_frequency", "avg_monetary",
                      "total_monetary", "basis"]),
    ("value_tiers", ["tier_order", "value_tier", "customers", "share_of_customers", "total_value", "share_of_value",
                     "min_value", "max_value", "value_basis"]),
    ("revenue_concentration", ["customers_in_view", "customers_with_value", "total_value", "top_1pct_customers",
                               "top_1pct_share", "top_10pct_customers", "top_10pct_share", "top_20pct_customers",
                               "top_20pct_share", "gini", "value_basis"]),
    ("pareto_curve", ["point_index", "customer_share", "value_share", "customers_with_value", "total_value",
                      "value_basis"]),
    ("rfm_customers", ["customer_id", "recency_days", "frequency", "monetary", "r_score", "f_score", "m_score",
                       "rfm_segment", "value", "value_tier", "has_activity", "basis", "customers_in_view"]),
])
def test_columns(reader, name, columns):
    assert list(query(reader, name, max_points=10).columns) == columns


# ---------------------------------------------------------------- rfm_segments

SEGMENTS = ["Champions", "Loyal", "Potential Loyalists", "New", "At Risk", "Can't Lose", "Hibernating", "Lost"]


def test_rfm_segments_all_eight_in_a_fixed_order(reader):
    frame = query(reader, "rfm_segments")
    assert list(frame["rfm_segment"]) == SEGMENTS
    assert list(frame["segment_order"]) == list(range(1, 9))
    assert set(frame["basis"]) == {"orders"}
    rows = {r["rfm_segment"]: r for r in records(frame)}
    # Champions H3, H4, H5, H6, P5: recency (10 + 0 + 0 + 0 + 10) / 5 = 4; orders (2 + 3 + 3 + 3 + 2) / 5 = 2.6;
    # net revenue 10 + 20 + 30 + 50 + 10 = 120, / 5 = 24
    assert rows["Champions"] == {"segment_order": 1, "rfm_segment": "Champions", "customers": 5,
                                 "share_of_customers": pytest.approx(5 / 13), "customers_without_activity": 0,
                                 "avg_recency_days": 4.0, "avg_frequency": 2.6, "avg_monetary": 24.0,
                                 "total_monetary": 120.0, "basis": "orders"}
    # Hibernating Q2, P1..P4, H1, H2: all 100 days, 1 order; -3 + 1 + 2 + 3 + 4 + 5 + 5 = 17
    hib = rows["Hibernating"]
    assert (hib["customers"], hib["avg_recency_days"], hib["avg_frequency"], hib["total_monetary"]) \
        == (7, 100.0, 1.0, pytest.approx(17.0))
    assert hib["avg_monetary"] == pytest.approx(17 / 7)
    # Lost: Q1 without any order: no recency to average, frequency and net revenue 0
    assert {k: rows["Lost"][k] for k in ("customers", "customers_without_activity", "avg_recency_days",
                                         "avg_frequency", "avg_monetary", "total_monetary")} \
        == {"customers": 1, "customers_without_activity": 1, "avg_recency_days": None, "avg_frequency": 0.0,
            "avg_monetary": 0.0, "total_monetary": 0.0}
    for empty in ("Loyal", "Potential Loyalists", "New", "At Risk", "Can't Lose"):
        assert {k: rows[empty][k] for k in ("customers", "share_of_customers", "avg_recency_days",
                                            "avg_monetary", "total_monetary")} \
            == {"customers": 0, "share_of_customers": 0.0, "avg_recency_days": None, "avg_monetary": None,
                "total_monetary": 0.0}
    assert frame["share_of_customers"].sum() == pytest.approx(1.0)


def test_rfm_segments_follow_the_sidebar_filter(reader):
    # Low Value keeps P1..P5, Q1, Q2 (7): Champions P5; Hibernating Q2, P1..P4 (-3 + 1 + 2 + 3 + 4 = 7); Lost Q1.
    # Segments are the customers' own (scored among all customers), the filter only selects whom to count.
    rows = {r["rfm_segment"]: r for r in records(query(reader, "rfm_segments", LOW_VALUE))}
    assert {s: rows[s]["customers"] for s in SEGMENTS} == {
        "Champions": 1, "Loyal": 0, "Potential Loyalists": 0, "New": 0, "At Risk": 0, "Can't Lose": 0,
        "Hibernating": 5, "Lost": 1}
    assert rows["Champions"]["share_of_customers"] == pytest.approx(1 / 7)
    assert (rows["Champions"]["avg_recency_days"], rows["Champions"]["total_monetary"]) == (10.0, 10.0)
    assert rows["Hibernating"]["share_of_customers"] == pytest.approx(5 / 7)
    assert rows["Hibernating"]["avg_monetary"] == pytest.approx(7 / 5)


def test_rfm_segments_with_nobody_in_view(reader):
    frame = query(reader, "rfm_segments", NOBODY)
    assert list(frame["rfm_segment"]) == SEGMENTS
    assert set(frame["customers"]) == {0} and set(frame["share_of_customers"]) == {0.0}


# ---------------------------------------------------------------- value_tiers


def test_value_tiers(reader):
    frame = query(reader, "value_tiers")
    assert list(frame["value_tier"]) == ["Platinum", "Gold", "Silver", "Bronze"]
    assert set(frame["value_basis"]) == {"net_revenue"}
    # total of everyone: -3 + 0 + 1 + 2 + 3 + 4 + 5 + 5 + 10 + 10 + 20 + 30 + 50 = 137
    got = [(r["customers"], r["total_value"], r["min_value"], r["max_value"]) for r in records(frame)]
    assert got == [
        (1, 50.0, 50.0, 50.0),    # H6
        (2, 50.0, 20.0, 30.0),    # H4, H5
        (5, 34.0, 4.0, 10.0),     # P4 4, H1 5, H2 5, P5 10, H3 10
        (5, 3.0, -3.0, 3.0),      # Q2 -3, Q1 0, P1 1, P2 2, P3 3
    ]
    assert list(frame["share_of_value"]) == pytest.approx([50 / 137, 50 / 137, 34 / 137, 3 / 137])
    assert list(frame["share_of_customers"]) == pytest.approx([1 / 13, 2 / 13, 5 / 13, 5 / 13])


def test_value_tiers_follow_the_sidebar_filter(reader):
    # Low Value: Silver P4 4 + P5 10 = 14; Bronze Q2, Q1, P1, P2, P3 = 3; total 17. No Platinum or Gold in view.
    got = [(r["value_tier"], r["customers"], r["total_value"], r["share_of_value"], r["min_value"], r["max_value"])
           for r in records(query(reader, "value_tiers", LOW_VALUE))]
    assert got == [("Platinum", 0, 0.0, 0.0, None, None), ("Gold", 0, 0.0, 0.0, None, None),
                   ("Silver", 2, 14.0, pytest.approx(14 / 17), 4.0, 10.0),
                   ("Bronze", 5, 3.0, pytest.approx(3 / 17), -3.0, 3.0)]


def test_value_tiers_with_nobody_in_view(reader):
    frame = query(reader, "value_tiers", NOBODY)
    assert list(frame["customers"]) == [0, 0, 0, 0]
    assert frame["share_of_value"].isna().all()  # no value in view to share


# ---------------------------------------------------------------- revenue_concentration


def test_revenue_concentration_of_everyone(reader):
    # values > 0 (Q2 -3 and Q1 0 left out), descending: 50, 30, 20, 10, 10, 5, 5, 4, 3, 2, 1; n = 11, total 140.
    # top 1 %: ceil(0.11) = 1 customer, 50 / 140; top 10 %: ceil(1.1) = 2, 80 / 140; top 20 %: ceil(2.2) = 3,
    # 100 / 140.
    # Gini, ascending x = 1, 2, 3, 4, 5, 5, 10, 10, 20, 30, 50: sum i x_i = 1 + 4 + 9 + 16 + 25 + 30 + 70 + 80 + 180
    # + 300 + 550 = 1265; G = 2 * 1265 / (11 * 140) - 12 / 11 = 23 / 14 - 12 / 11 = 85 / 154 = 0.5519...
    row = query(reader, "revenue_concentration").iloc[0].to_dict()
    assert row == {"customers_in_view": 13, "customers_with_value": 11, "total_value": 140.0,
                   "top_1pct_customers": 1, "top_1pct_share": pytest.approx(50 / 140),
                   "top_10pct_customers": 2, "top_10pct_share": pytest.approx(80 / 140),
                   "top_20pct_customers": 3, "top_20pct_share": pytest.approx(100 / 140),
                   "gini": pytest.approx(85 / 154), "value_basis": "net_revenue"}


def test_revenue_concentration_of_1_2_3_4_10(reader):
    # Low Value: P1..P5 = 1, 2, 3, 4, 10 (Q1 0 and Q2 -3 in view, without value); n = 5, total 20.
    # top 1 % / 10 % / 20 %: ceil(0.05) = ceil(0.5) = ceil(1.0) = 1 customer: 10 / 20 = 0.5.
    # Gini: sum i x_i = 1 + 4 + 9 + 16 + 50 = 80; G = 2 * 80 / (5 * 20) - 6 / 5 = 1.6 - 1.2 = 0.4
    row = query(reader, "revenue_concentration", LOW_VALUE).iloc[0].to_dict()
    assert (row["customers_in_view"], row["customers_with_value"], row["total_value"]) == (7, 5, 20.0)
    assert (row["top_1pct_customers"], row["top_10pct_customers"], row["top_20pct_customers"]) == (1, 1, 1)
    assert (row["top_1pct_share"], row["top_10pct_share"], row["top_20pct_share"]) == (0.5, 0.5, 0.5)
    assert row["gini"] == pytest.approx(0.4)


def test_revenue_concentration_with_tied_values(reader):
    # High Value: H1..H6 = 5, 5, 10, 20, 30, 50; n = 6, total 120. top 1 %: ceil(0.06) = 1, 50 / 120; top 10 %:
    # ceil(0.6) = 1; top 20 %: ceil(1.2) = 2, (50 + 30) / 120.
    # Gini: sum i x_i = 5 + 10 + 30 + 80 + 150 + 300 = 575; G = 1150 / 720 - 7 / 6 = (1150 - 840) / 720 = 31 / 72
    row = query(reader, "revenue_concentration", HIGH_VALUE).iloc[0].to_dict()
    assert (row["top_1pct_share"], row["top_10pct_share"], row["top_20pct_share"]) \
        == (pytest.approx(50 / 120), pytest.approx(50 / 120), pytest.approx(80 / 120))
    assert row["gini"] == pytest.approx(31 / 72)


def test_revenue_concentration_with_nobody_in_view(reader):
    row = query(reader, "revenue_concentration", NOBODY).iloc[0]
    assert (row["customers_in_view"], row["customers_with_value"]) == (0, 0)
    assert row[["total_value", "top_1pct_share", "top_10pct_share", "top_20pct_share", "gini"]].isna().all()


# ---------------------------------------------------------------- pareto_curve

CUMULATIVE = [0, 50, 80, 100, 110, 120, 125, 130, 134, 137, 139, 140]  # the top i customers' value, i = 0..11


def curve(reader, filters=None, max_points=1000):
    frame = query(reader, "pareto_curve", filters, max_points=max_points)
    return [(r["point_index"], r["customer_share"], r["value_share"]) for r in records(frame)]


def test_pareto_curve_every_point_from_the_origin_to_1_1(reader):
    points = curve(reader)
    assert points == [(i, pytest.approx(i / 11), pytest.approx(CUMULATIVE[i] / 140)) for i in range(12)]
    assert points[0] == (0, 0.0, 0.0) and points[-1] == (11, 1.0, 1.0)


def test_pareto_curve_follows_the_sidebar_filter(reader):
    # Low Value: 10, 4, 3, 2, 1 of 20
    assert curve(reader, LOW_VALUE) == [(0, 0.0, 0.0), (1, 0.2, 0.5), (2, 0.4, 0.7), (3, pytest.approx(0.6), 0.85),
                                        (4, 0.8, 0.95), (5, 1.0, 1.0)]


@pytest.mark.parametrize(("max_points", "kept"), [
    (12, list(range(12))),                  # n + 1 = 12 points fit
    (11, [0, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]),  # ceil(j * 11 / 10), j = 0..10: 0, 2 (1.1), 3 (2.2), ..., 10 (9.9), 11
    (5, [0, 3, 6, 9, 11]),                  # ceil(j * 11 / 4): 0, 3 (2.75), 6 (5.5), 9 (8.25), 11
    (2, [0, 11]),                           # the endpoints only
])
def test_pareto_curve_downsampling_keeps_the_endpoints(reader, max_points, kept):
    points = curve(reader, max_points=max_points)
    assert [p[0] for p in points] == kept
    assert [p[2] for p in points] == pytest.approx([CUMULATIVE[i] / 140 for i in kept])


def test_pareto_curve_with_nobody_in_view(reader):
    assert curve(reader, NOBODY) == []


# ---------------------------------------------------------------- rfm_customers


def test_rfm_customers_one_row_per_customer_with_scores(reader):
    rows = {r["customer_id"]: r for r in records(query(reader, "rfm_customers", max_points=100))}
    assert len(rows) == 13 and {r["customers_in_view"] for r in rows.values()} == {13}
    h4 = rows["H4"]
    assert {k: h4[k] for k in ("recency_days", "frequency", "monetary", "r_score", "f_score", "m_score",
                               "rfm_segment", "value", "value_tier", "has_activity", "basis")} \
        == {"recency_days": 0, "frequency": 3, "monetary": 20.0, "r_score": 5, "f_score": 5, "m_score": 4,
            "rfm_segment": "Champions", "value": 20.0, "value_tier": "Gold", "has_activity": True, "basis": "orders"}
    q1 = rows["Q1"]
    assert (q1["recency_days"], q1["frequency"], q1["r_score"], q1["f_score"], q1["m_score"], q1["rfm_segment"],
            q1["value_tier"], q1["has_activity"]) == (None, 0, 1, 1, 1, "Lost", "Bronze", False)


def test_rfm_customers_is_a_fixed_sample_with_the_count_before_sampling(reader):
    frame = query(reader, "rfm_customers", LOW_VALUE, max_points=3)
    low = ["P1", "P2", "P3", "P4", "P5", "Q1", "Q2"]
    first_three = sorted(low, key=lambda c: (hashlib.md5(c.encode()).hexdigest(), c))[:3]
    assert list(frame["customer_id"]) == first_three
    assert set(frame["customers_in_view"]) == {7}


# ---------------------------------------------------------------- the date range does not apply


@pytest.mark.parametrize("name", QUERIES)
def test_the_date_range_does_not_change_any_query(reader, name):
    june = Filters(date_from=date(2024, 6, 1), date_to=date(2024, 6, 30))
    a, b = query(reader, name, max_points=100), query(reader, name, june, max_points=100)
    assert a.equals(b)


# ---------------------------------------------------------------- portability


@pytest.mark.parametrize("name", QUERIES)
def test_query_transpiles_to_postgres_and_snowflake(name):
    assert (SQL_DIR / "queries" / "segmentation" / f"{name}.sql").is_file()
    sql = read_sql(f"queries/segmentation/{name}.sql")
    for dialect in ("postgres", "snowflake"):
        try:
            sqlglot.transpile(sql, read="duckdb", write=dialect, unsupported_level=sqlglot.ErrorLevel.RAISE)
        except sqlglot.errors.SqlglotError as exc:
            pytest.fail(f"{name} -> {dialect}: {exc}")
