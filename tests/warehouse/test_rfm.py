"""analytics.customer_rfm (sql/analytics/customer_rfm.sql) on real DuckDB warehouses: RFM scores, segments and
value tiers. Rules: docs/segments.md; thresholds: config/rules.toml [rfm].

Every expected value is worked out by hand in the comments. The score rule, for one measure over the n customers
with activity: b = customers ranking strictly worse, t = customers with the same value (the customer included),
pos2 = 2b + t (twice the middle of the tie group), p = pos2 / 2n, score = 1 + floor(5p), i.e. in integers
5 * pos2 < 2n -> 1, < 4n -> 2, < 6n -> 3, < 8n -> 4, else 5. With n = 10 distinct values the k-th worst has
pos2 = 2k - 1 and scores ceil(k / 2): two customers per score. The tier rule, over all customers by value:
value <= 0 -> Bronze; else 50 * pos2 >= 90n -> Platinum, >= 70n -> Gold, >= 40n -> Silver, else Bronze.
"""

from __future__ import annotations

import itertools
from datetime import date, timedelta

import duckdb
import pytest
import sqlglot
from sqlglot import exp

from config.rules import flat_rules
from tests.warehouse.builder import customer
from tests.warehouse.test_marts import build, by_key, event
from warehouse.sqlfiles import read_sql

SEGMENTS = ["Champions", "Loyal", "Potential Loyalists", "New", "At Risk", "Can't Lose", "Hibernating", "Lost"]
AS_OF = date(2024, 6, 30)


def test_the_rule_values_these_expectations_assume():
    rules = {k.removeprefix("rfm_"): v for k, v in flat_rules().items() if k.startswith("rfm_")}
    assert rules == {
        "champions_min_r": 4, "champions_min_f": 4, "champions_min_m": 4,
        "loyal_min_r": 3, "loyal_min_f": 4,
        "potential_loyalists_min_r": 3, "potential_loyalists_min_f": 2,
        "new_min_r": 4,
        "cant_lose_max_r": 1, "cant_lose_min_f": 4, "cant_lose_min_m": 4,
        "at_risk_max_r": 2, "at_risk_min_f": 3, "at_risk_min_m": 4,
        "hibernating_min_r": 2,
        "tier_platinum_top_pct": 10, "tier_gold_top_pct": 30, "tier_silver_top_pct": 60,
    }


def day(days_before_as_of: int) -> str:
    return (AS_OF - timedelta(days=days_before_as_of)).isoformat()


def orders_for(customer_id: str, recency_days: int, count: int, net: float) -> list[dict]:
    """`count` orders adding up to `net`: the last one `recency_days` before AS_OF, the others (10.0 each) on the
    days before it."""
    last = {"order_id": f"{customer_id}-0", "customer_id": customer_id, "order_date": day(recency_days),
            "amount": net - 10.0 * (count - 1)}
    return [last] + [{"order_id": f"{customer_id}-{j}", "customer_id": customer_id,
                      "order_date": day(recency_days + j), "amount": 10.0} for j in range(1, count)]


# ---------------------------------------------------------------- orders basis
# Ten customers with orders, each with distinct recency, frequency and net revenue, chosen so that each score
# value is held by exactly two customers per measure (the k-th worst scores ceil(k / 2)):
#   recency days, worst first: C 200, I 180 | D 150, H 120 | G 90, J 60 | A 30, B 20 | E 10, F 0
#   orders, fewest first:      F 1, G 2 | E 3, I 4 | H 5, J 6 | A 7, B 8 | C 9, D 10
#   net revenue, lowest first: E 100, I 110 | F 200, J 210 | B 300, G 310 | A 400, H 410 | C 500, D 510
# plus Z-REFUND (only a refund of 25: no order, net -25) and Z-USAGE (only product usage, ignored on the
# orders basis). F's order on 2024-06-30 is the newest activity: as_of_date.
SHOP = {  # customer: (recency_days, orders, net revenue) -> expected (r, f, m), segment, tier
    "A": ((30, 7, 400.0), (4, 4, 4), "Champions"),            # every score at the Champions threshold
    "B": ((20, 8, 300.0), (4, 4, 3), "Loyal"),                # m one below Champions -> Loyal (r >= 3, f >= 4)
    "C": ((200, 9, 500.0), (1, 5, 5), "Can't Lose"),          # r 1, f and m >= 4
    "D": ((150, 10, 510.0), (2, 5, 5), "At Risk"),            # r 2 is not "long gone": At Risk (f >= 3)
    "E": ((10, 3, 100.0), (5, 2, 1), "Potential Loyalists"),  # recent, f at the threshold 2
    "F": ((0, 1, 200.0), (5, 1, 2), "New"),                   # recent, one order
    "G": ((90, 2, 310.0), (3, 1, 3), "Hibernating"),          # r 3, f 1: not recent enough for New
    "H": ((120, 5, 410.0), (2, 3, 4), "At Risk"),
    "I": ((180, 4, 110.0), (1, 2, 1), "Lost"),
    "J": ((60, 6, 210.0), (3, 3, 2), "Potential Loyalists"),  # r at the threshold 3
}


@pytest.fixture(scope="module")
def shop(tmp_path_factory):
    orders = [o for cid, ((days, count, net), _, _) in SHOP.items() for o in orders_for(cid, days, count, net)]
    orders.append({"order_id": "R1", "customer_id": "Z-REFUND", "order_date": day(60), "amount": -25.0})
    customers = [customer(cid) for cid in [*SHOP, "Z-REFUND", "Z-USAGE"]]
    con = build(tmp_path_factory.mktemp("rfm_shop") / "w.duckdb", customers, orders=orders,
                usage_events=[event("u", "Z-USAGE", day(0), "reports", 5)])
    yield by_key(con, "customer_rfm")
    con.close()


@pytest.mark.parametrize("customer_id", list(SHOP))
def test_orders_basis_scores_and_segments(shop, customer_id):
    (days, count, net), scores, segment = SHOP[customer_id]
    row = shop[customer_id]
    assert (row["recency_days"], row["frequency"], row["monetary"], row["basis"]) \
        == (days, count, pytest.approx(net), "orders")
    assert (row["r_score"], row["f_score"], row["m_score"]) == scores
    assert row["rfm_segment"] == segment
    assert row["has_activity"] is True
    assert (row["value"], row["value_basis"]) == (pytest.approx(net), "net_revenue")


@pytest.mark.parametrize(("customer_id", "monetary"), [("Z-REFUND", -25.0), ("Z-USAGE", 0.0)])
def test_customers_without_activity_on_the_basis_are_lost_with_scores_of_1(shop, customer_id, monetary):
    # no order (a refund is not an order; usage does not count once orders exist): not ranked, so they do not
    # move anyone else's quintile (the ten above still score two per value), scored 1, 1, 1, Lost
    row = shop[customer_id]
    assert (row["recency_days"], row["frequency"], row["monetary"], row["has_activity"]) == (None, 0, monetary, False)
    assert (row["r_score"], row["f_score"], row["m_score"], row["rfm_segment"]) == (1, 1, 1, "Lost")


def test_every_customer_has_one_row(shop):
    assert len(shop) == 12


def test_value_tiers_on_net_revenue(shop):
    # all 12 customers ranked by net revenue, distinct, so the k-th lowest has pos2 = 2k - 1; n = 12:
    #   Platinum 50 pos2 >= 90 * 12 = 1080 -> pos2 >= 21.6: k 12 (D 510)
    #   Gold     50 pos2 >= 70 * 12 =  840 -> pos2 >= 16.8: k 9-11 (A 400, H 410, C 500)
    #   Silver   50 pos2 >= 40 * 12 =  480 -> pos2 >=  9.6: k 6-8 (J 210, B 300, G 310)
    #   Bronze   k 1-5: Z-REFUND -25, Z-USAGE 0, E 100, I 110, F 200
    tiers = {cid: row["value_tier"] for cid, row in shop.items()}
    assert tiers == {"D": "Platinum", "A": "Gold", "H": "Gold", "C": "Gold", "J": "Silver", "B": "Silver",
                     "G": "Silver", "Z-REFUND": "Bronze", "Z-USAGE": "Bronze", "E": "Bronze", "I": "Bronze",
                     "F": "Bronze"}
    assert shop["Z-REFUND"]["value"] == -25.0


# ---------------------------------------------------------------- usage basis, ties, lifetime value tiers
# No orders: the usage basis (recency = days since the last usage day, frequency = days with usage, monetary =
# events). Five teams use the product; U01's and U02's last use is on 2024-06-30 = as_of_date.
#   U01: 1 day (06-30), 50 events          U02: 3 days (06-28..30), 1 + 2 + 2 = 5 events
#   U03: 2 days (06-22, 06-23), 20 events   U04: 5 days (05-27..31), 5 x 4 = 20 events; last use 30 days before
#   U05: 4 days (03-19..22), 4 events; last use 100 days before
# n = 5: 5 * pos2 < 10 -> 1, < 20 -> 2, < 30 -> 3, < 40 -> 4, else 5.
#   recency, worst first: U05 100 (pos2 1) -> 1, U04 30 (3) -> 2, U03 7 (5) -> 3,
#                         U01 = U02 0: b 3, t 2, pos2 8, 5 * 8 = 40 -> 5 (p = 0.8 exactly: the upper score)
#   days:   U01 1 (1) -> 1, U03 2 (3) -> 2, U02 3 (5) -> 3, U05 4 (7) -> 4, U04 5 (9) -> 5
#   events: U05 4 (1) -> 1, U02 5 (3) -> 2, U03 = U04 20: b 2, t 2, pos2 6, 30 -> 4 (both; p = 0.6 exactly),
#           U01 50 (9) -> 5
USAGE_RFM = {
    "U01": ((0, 1, 50), (5, 1, 5), "New"),                   # recent, a single day of use
    "U02": ((0, 3, 5), (5, 3, 2), "Potential Loyalists"),
    "U03": ((7, 2, 20), (3, 2, 4), "Potential Loyalists"),
    "U04": ((30, 5, 20), (2, 5, 4), "At Risk"),              # r 2: not "long gone" -> not Can't Lose
    "U05": ((100, 4, 4), (1, 4, 1), "At Risk"),              # f >= 3; m 1 < 4 -> not Can't Lose
}
USAGE_EVENTS = [
    event("a", "U01", day(0), "reports", 50),
    event("b", "U02", day(0), "reports", 1), event("b", "U02", day(1), "reports", 2),
    event("b", "U02", day(2), "reports", 2),
    event("c", "U03", day(7), "reports", 10), event("c", "U03", day(8), "reports", 10),
    *[event("d", "U04", day(30 + j), "reports", 4) for j in range(5)],
    *[event("e", "U05", day(100 + j), "reports", 1) for j in range(4)],
]


def ltv(k: int) -> float | None:
    # customer Uk (k = 1..20) has lifetime value 10 k, except U01 (unknown: counts as 0) and U18 = U19 = 185
    return None if k == 1 else 185.0 if k in (18, 19) else 10.0 * k


@pytest.fixture(scope="module")
def teams(tmp_path_factory):
    customers = [customer(f"U{k:02d}", ltv=ltv(k)) for k in range(1, 21)]
    con = build(tmp_path_factory.mktemp("rfm_usage") / "w.duckdb", customers, usage_events=USAGE_EVENTS)
    yield by_key(con, "customer_rfm")
    con.close()


@pytest.mark.parametrize("customer_id", list(USAGE_RFM))
def test_usage_basis_scores_with_ties(teams, customer_id):
    inputs, scores, segment = USAGE_RFM[customer_id]
    row = teams[customer_id]
    assert (row["recency_days"], row["frequency"], row["monetary"], row["basis"]) == (*inputs, "usage")
    assert (row["r_score"], row["f_score"], row["m_score"], row["rfm_segment"]) == (*scores, segment)


def test_usage_basis_teams_without_usage_are_lost(teams):
    idle = [teams[f"U{k:02d}"] for k in range(6, 21)]
    assert {(r["has_activity"], r["r_score"], r["f_score"], r["m_score"], r["rfm_segment"]) for r in idle} \
        == {(False, 1, 1, 1, "Lost")}


def test_value_tiers_at_the_quantile_boundaries_on_lifetime_value(teams):
    # no orders and some lifetime values known -> value = lifetime_value (U01 unknown -> 0). n = 20, ascending:
    # U01 0, U02 20, ..., U17 170, U18 = U19 185, U20 200.
    #   Platinum 50 pos2 >= 90 * 20 = 1800 -> pos2 >= 36: U20 (39); U18, U19: b 17, t 2, pos2 36 -> exactly
    #            p = 0.9, both Platinum (without the tie U18 would have pos2 35 -> Gold): 3 Platinum
    #   Gold     50 pos2 >= 1400 -> pos2 >= 28: U15 (29), U16 (31), U17 (33); U14 (27) is not
    #   Silver   50 pos2 >=  800 -> pos2 >= 16: U09 (17) .. U14; U08 (15) is not
    #   Bronze   U01 .. U08
    expected = {**{f"U{k:02d}": "Bronze" for k in range(1, 9)}, **{f"U{k:02d}": "Silver" for k in range(9, 15)},
                **{f"U{k:02d}": "Gold" for k in range(15, 18)}, **{f"U{k:02d}": "Platinum" for k in range(18, 21)}}
    assert {cid: row["value_tier"] for cid, row in teams.items()} == expected
    assert {row["value_basis"] for row in teams.values()} == {"lifetime_value"}
    assert (teams["U01"]["value"], teams["U19"]["value"]) == (0.0, 185.0)


def test_value_is_usage_events_without_orders_or_lifetime_values(tmp_path):
    # no orders, no lifetime value anywhere: value = events. n = 3, ascending: V3 0, V2 2, V1 6
    #   V1 pos2 5: 250 >= 90 * 3 = 270? no; >= 210 -> Gold.  V2 pos2 3: 150 >= 120 -> Silver.  V3: value 0 -> Bronze
    con = build(tmp_path / "w.duckdb", [customer("V1", ltv=None), customer("V2", ltv=None), customer("V3", ltv=None)],
                usage_events=[event("a", "V1", "2024-05-01", "x", 6), event("b", "V2", "2024-05-02", "x", 2)])
    rfm = by_key(con, "customer_rfm")
    assert {cid: (r["value"], r["value_basis"], r["value_tier"]) for cid, r in rfm.items()} == {
        "V1": (6.0, "usage_events", "Gold"), "V2": (2.0, "usage_events", "Silver"),
        "V3": (0.0, "usage_events", "Bronze")}


def test_ties_share_a_tier_and_nothing_earned_is_bronze(tmp_path):
    # no activity at all: everyone Lost. E1 and E2 have the same lifetime value 100: b 0, t 2, pos2 2, n 2,
    # 50 * 2 = 100 >= 40 * 2 = 80 but < 70 * 2 -> both Silver (all equal: the middle, p = 0.5).
    # E3, E4 with no lifetime value in a warehouse without any: value 0 -> Bronze, although p = 0.5 as well.
    con = build(tmp_path / "w.duckdb", [customer("E1"), customer("E2")])
    assert {(r["value"], r["value_tier"], r["rfm_segment"], r["has_activity"])
            for r in by_key(con, "customer_rfm").values()} == {(100.0, "Silver", "Lost", False)}
    con.close()
    con = build(tmp_path / "w0.duckdb", [customer("E3", ltv=None), customer("E4", ltv=None)])
    assert {(r["value"], r["value_basis"], r["value_tier"]) for r in by_key(con, "customer_rfm").values()} \
        == {(0.0, "usage_events", "Bronze")}


# ---------------------------------------------------------------- the rule table


def segment_case_sql() -> str:
    """The model's rfm_segment CASE expression, as it is built (thresholds substituted)."""
    tree = sqlglot.parse_one(read_sql("analytics/customer_rfm.sql"), read="duckdb")
    (case,) = [a.this for a in tree.find_all(exp.Alias) if a.alias == "rfm_segment"]
    return case.sql(dialect="duckdb")


def segments_of_every_combination(has_activity: bool) -> dict[tuple[int, int, int], str]:
    """Every (r, f, m) of 1..5 through the model's CASE."""
    con = duckdb.connect()
    got = con.execute(f"""
        select r_score, f_score, m_score, {segment_case_sql()} as rfm_segment
        from (select {has_activity} as has_activity) as activity,
             range(1, 6) as r (r_score), range(1, 6) as f (f_score), range(1, 6) as m (m_score)
    """).fetchall()
    con.close()
    return {(r, f, m): segment for r, f, m, segment in got}


@pytest.fixture(scope="module")
def rule_table():
    return segments_of_every_combination(has_activity=True)


def test_without_activity_the_segment_is_lost_whatever_the_scores():
    # the model scores such customers 1, 1, 1, but Lost does not depend on the thresholds reaching (1, 1, 1)
    assert set(segments_of_every_combination(has_activity=False).values()) == {"Lost"}


def documented_segment(r: int, f: int, m: int) -> str:
    """The table of docs/segments.md, first match wins, with the values of config/rules.toml [rfm]."""
    if r >= 4 and f >= 4 and m >= 4:
        return "Champions"
    if r >= 3 and f >= 4:
        return "Loyal"
    if r >= 3 and f >= 2:
        return "Potential Loyalists"
    if r >= 4:
        return "New"
    if r <= 1 and f >= 4 and m >= 4:
        return "Can't Lose"
    if r <= 2 and (f >= 3 or m >= 4):
        return "At Risk"
    if r >= 2:
        return "Hibernating"
    return "Lost"


def test_rule_table_maps_every_combination_to_exactly_one_of_the_eight_segments(rule_table):
    combinations = list(itertools.product(range(1, 6), repeat=3))
    assert sorted(rule_table) == combinations                 # 125 combinations, one row each
    assert set(rule_table.values()) == set(SEGMENTS)         # only the eight names, and every one is reachable
    assert rule_table == {c: documented_segment(*c) for c in combinations}


def test_rule_table_sizes(rule_table):
    # Champions: r 4-5, f 4-5, m 4-5 = 2 * 2 * 2 = 8
    # Loyal: r 3-5, f 4-5, any m = 30, minus the 8 Champions = 22
    # Potential Loyalists: r 3-5, f 2-3, any m = 3 * 2 * 5 = 30
    # New: r 4-5, f 1, any m = 10
    # Can't Lose: r 1, f 4-5, m 4-5 = 4
    # At Risk: r 1-2 with f >= 3 or m >= 4: 25 - (f 1-2 and m 1-3: 6) = 19 per r, 38, minus the 4 Can't Lose = 34
    # Hibernating: r 3 f 1 (5) + r 2 with f 1-2 and m 1-3 (6) = 11
    # Lost: r 1, f 1-2, m 1-3 = 6;                                    8 + 22 + 30 + 10 + 4 + 34 + 11 + 6 = 125
    counts = {s: list(rule_table.values()).count(s) for s in SEGMENTS}
    assert counts == {"Champions": 8, "Loyal": 22, "Potential Loyalists": 30, "New": 10, "Can't Lose": 4,
                      "At Risk": 34, "Hibernating": 11, "Lost": 6}


@pytest.mark.parametrize(("scores", "segment"), [
    ((4, 4, 4), "Champions"), ((5, 5, 3), "Loyal"), ((3, 5, 5), "Loyal"), ((3, 4, 1), "Loyal"),
    ((3, 3, 5), "Potential Loyalists"), ((5, 2, 1), "Potential Loyalists"), ((3, 1, 5), "Hibernating"),
    ((4, 1, 5), "New"), ((1, 4, 4), "Can't Lose"), ((2, 5, 5), "At Risk"), ((1, 4, 3), "At Risk"),
    ((1, 3, 1), "At Risk"), ((2, 1, 4), "At Risk"), ((1, 1, 4), "At Risk"), ((2, 2, 3), "Hibernating"),
    ((1, 2, 3), "Lost"), ((1, 1, 1), "Lost"),
])
def test_segments_at_their_thresholds(rule_table, scores, segment):
    assert rule_table[scores] == segment
