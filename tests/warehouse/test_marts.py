"""The further marts (sql/analytics/mart_*.sql, warehouse_as_of.sql) on a real DuckDB warehouse.

Every expected value is worked out by hand in the comments next to it, from the rows written here and the
rules in config/rules.toml [usage] (super user >= 20 actions in the last 30 days, active = any event in the
last 30 days, inactive team after 182 days). "The last N days" of as_of_date are the days d with
0 <= as_of_date - d < N: a day exactly 30 days before as_of_date is outside the window, 29 days is inside.
"""

from __future__ import annotations

import re
from datetime import date

import pytest
import sqlglot

from config.rules import flat_rules
from tests.warehouse.builder import build_warehouse, customer
from warehouse.models import discover_models

MARTS = {
    "warehouse_as_of", "mart_usage_daily", "mart_user_activity", "mart_team_activity", "mart_feature_usage_daily",
    "mart_customer_orders", "mart_rfm_inputs", "mart_revenue_monthly", "mart_cohort_retention",
    "mart_scored_records", "customer_rfm",
    "mart_customer_active_months",
    "customer_health",
    "mart_usage_feature_days",
}


def build(path, customers: list[dict], **sources: list[dict]):
    """build_warehouse with every date written as 'YYYY-MM-DD HH:MM': pandas parses a column with one format,
    so a column mixing '2024-06-01' and '2024-06-01 12:00' would not parse."""
    def with_times(row: dict) -> dict:
        return {k: f"{v} 00:00" if k.endswith("_date") and isinstance(v, str) and len(v) == 10 else v
                for k, v in row.items()}
    return build_warehouse(path, [with_times(r) for r in customers],
                           **{name: [with_times(r) for r in rs] for name, rs in sources.items()})


def rows(con, sql: str, params: list | None = None) -> list[dict]:
    cursor = con.execute(sql, params or [])
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, r, strict=True)) for r in cursor.fetchall()]


def by_key(con, table: str, key: str = "customer_id") -> dict:
    return {r[key]: r for r in rows(con, f"select * from analytics.{table}")}


def event(user_id: str, team: str, when: str, feature: str, count: int | None = 1) -> dict:
    row = {"user_id": user_id, "customer_id": team, "event_date": when, "feature_name": feature}
    if count is not None:  # omitted: the source contract's default of 1 applies
        row["events_count"] = count
    return row


def user(user_id: str, team: str, join_date: str | None) -> dict:
    return {"user_id": user_id, "customer_id": team, "join_date": join_date, "user_name": user_id}


def test_the_rule_values_these_expectations_assume():
    rules = flat_rules()
    assert rules["usage_super_user_min_actions"] == 20
    assert rules["usage_super_user_window_days"] == 30
    assert rules["usage_active_window_days"] == 30
    assert rules["usage_inactive_team_after_days"] == 182


# ---------------------------------------------------------------- as_of_date

AS_OF_SOURCES = {  # one row of each activity source, given an id and a date
    "interactions": lambda i, d: {"interaction_id": i, "customer_id": "c1", "interaction_date": d,
                                  "interaction_type": "call", "interaction_notes": "n"},
    "reviews": lambda i, d: {"review_id": i, "customer_id": "c1", "review_date": d, "review_rating": 4,
                             "review_text": "ok"},
    "tickets": lambda i, d: {"ticket_id": i, "customer_id": "c1", "ticket_date": d, "ticket_category": "billing",
                             "ticket_description": "x"},
    "usage_events": lambda i, d: event(i, "c1", d, "reports", 1),
    "orders": lambda i, d: {"order_id": i, "customer_id": "c1", "order_date": d, "amount": 10.0},
}


@pytest.mark.parametrize("newest", list(AS_OF_SOURCES))
def test_as_of_date_is_the_newest_activity_of_any_source(tmp_path, newest):
    # every source has a row on 2023-03-01; the `newest` one also has one on 2023-05-17 at 23:30, so as_of is
    # that day as a DATE, whatever today is. The sign-up date (2023-12-01) is later but is not activity.
    sources = {name: [make("x1", "2023-03-01")] + ([make("x2", "2023-05-17 23:30")] if name == newest else [])
               for name, make in AS_OF_SOURCES.items()}
    con = build(tmp_path / "w.duckdb", [customer("c1", sign_up_date="2023-12-01")], **sources)
    assert con.execute("select * from analytics.warehouse_as_of").fetchall() == [(date(2023, 5, 17),)]


def test_as_of_date_of_an_empty_warehouse_is_null_and_marts_still_build(tmp_path):
    con = build(tmp_path / "w.duckdb", [customer("c1")])
    assert con.execute("select * from analytics.warehouse_as_of").fetchall() == [(None,)]
    team = by_key(con, "mart_team_activity")["c1"]
    assert (team["days_since_last_activity"], team["is_active_30d"], team["is_inactive_6m"]) == (None, False, True)
    assert rows(con, "select * from analytics.mart_revenue_monthly") == []
    # the cohort of January 2024 still has its month 0, with nobody active
    assert rows(con, "select months_since_signup, cohort_size, active_customers from analytics.mart_cohort_retention") \
        == [{"months_since_signup": 0, "cohort_size": 1, "active_customers": 0}]


# ---------------------------------------------------------------- usage: users, teams, features
# as_of_date = 2024-06-30 (u-20's event at 17:30). Window (2024-05-31, 2024-06-30]: 2024-06-01 (29 days
# before) is inside, 2024-05-31 (30 days before) is outside. 182 days before 2024-06-30 is 2023-12-31
# (2024-06-30 is day 182 of 2024, so 181 days back is 2024-01-01).

USAGE = [
    # team t1
    event("u-20", "t1", "2024-06-30 09:00", "reports", 4),
    event("u-20", "t1", "2024-06-30 17:30", "reports", 6),      # same day and feature: one daily row of 10
    event("u-20", "t1", "2024-06-01 12:00", "dashboards", 10),  # 29 days before: inside -> 4 + 6 + 10 = 20
    event("u-20", "t1", "2024-05-31 23:59", "dashboards", 5),   # 30 days before: outside
    event("u-19", "t1", "2024-06-01", "dashboards", 19),        # inside -> 19
    event("u-19", "t1", "2024-05-31", "dashboards", 1),         # outside (inside it would make 20)
    event("u-idle", "t1", "2024-06-30", "reports", 0),          # 0 events: not activity
    event("u-old", "t1", "2024-05-31 08:00", "exports", 8),     # only outside the window
    # team t2
    event("u-tie", "t2", "2024-06-01", "alpha", 2),
    event("u-tie", "t2", "2024-06-02", "alpha", 3),             # alpha 5 in the window
    event("u-tie", "t2", "2024-06-10", "beta", 5),              # beta 5 in the window: tie -> alpha
    event("u-tie", "t2", "2024-05-31", "zeta", 7),              # most events overall, but outside
    event("u-orphan", "t2", "2024-06-01", "dashboards", None),  # no events_count -> 1; no users row
    # inactivity boundary
    event("u-182", "t182", "2023-12-31", "reports", 1),         # 182 days before as_of
    event("u-183", "t183", "2023-12-30", "reports", 1),         # 183 days before as_of
]

USERS = [
    user("u-20", "t1", "2024-02-01"), user("u-19", "t1", "2024-01-15"), user("u-idle", "t1", "2024-03-01"),
    user("u-old", "t1", None), user("u-tie", "t2", "2024-04-01"), user("u-182", "t182", "2023-11-01"),
]

TEAMS = [customer("t1"), customer("t2"), customer("t182"), customer("t183"),
         customer("t-never", sign_up_date="2024-02-29")]


@pytest.fixture(scope="module")
def usage(tmp_path_factory):
    con = build(tmp_path_factory.mktemp("usage") / "w.duckdb", TEAMS, usage_events=USAGE, users=USERS)
    yield con
    con.close()


def test_usage_as_of_date(usage):
    assert usage.execute("select as_of_date from analytics.warehouse_as_of").fetchone()[0] == date(2024, 6, 30)


def test_usage_daily_sums_a_day_and_drops_zero_rows(usage):
    daily = rows(usage, "select * from analytics.mart_usage_daily where user_id in ('u-20', 'u-idle', 'u-orphan') "
                        "order by user_id, activity_date, feature_name")
    assert [(r["user_id"], r["feature_name"], r["activity_date"], r["events"]) for r in daily] == [
        ("u-20", "dashboards", date(2024, 5, 31), 5),
        ("u-20", "dashboards", date(2024, 6, 1), 10),
        ("u-20", "reports", date(2024, 6, 30), 10),    # 4 + 6, the two times of day dropped
        ("u-orphan", "dashboards", date(2024, 6, 1), 1),  # default events_count
    ]                                                  # u-idle's 0-event row is gone


def test_usage_feature_days_numbers_users_and_sorts_by_feature_and_day(usage):
    # The daily rows again (the 0-event row of u-idle is not one), users numbered in (team, user) order:
    # t1: u-19 1, u-20 2, u-old 3; t182: u-182 4; t183: u-183 5; t2: u-orphan 6, u-tie 7 (u-idle has no usage)
    got = usage.execute("select user_key, customer_id, feature_name, activity_date "
                        "from analytics.mart_usage_feature_days").fetchall()  # no ORDER BY: the stored order
    assert got == [
        (7, "t2", "alpha", date(2024, 6, 1)), (7, "t2", "alpha", date(2024, 6, 2)),
        (7, "t2", "beta", date(2024, 6, 10)),
        (1, "t1", "dashboards", date(2024, 5, 31)), (2, "t1", "dashboards", date(2024, 5, 31)),
        (1, "t1", "dashboards", date(2024, 6, 1)), (2, "t1", "dashboards", date(2024, 6, 1)),
        (6, "t2", "dashboards", date(2024, 6, 1)),
        (3, "t1", "exports", date(2024, 5, 31)),
        (5, "t183", "reports", date(2023, 12, 30)), (4, "t182", "reports", date(2023, 12, 31)),
        (2, "t1", "reports", date(2024, 6, 30)),
        (7, "t2", "zeta", date(2024, 5, 31)),
    ]


@pytest.mark.parametrize(("user_id", "expected"), [
    # 20 actions: 10 on as_of + 10 on the day 29 days before; the 5 of 30 days before not counted
    ("u-20", {"actions_last_30d": 20, "is_super_user": True, "is_active": True, "active_days_last_30d": 2,
              "first_activity_date": date(2024, 5, 31), "last_activity_date": date(2024, 6, 30),
              "favourite_feature": "dashboards", "join_date": date(2024, 2, 1)}),  # 10 vs reports 10: alphabetical
    # 19 actions: the 1 event exactly 30 days before is outside
    ("u-19", {"actions_last_30d": 19, "is_super_user": False, "is_active": True, "active_days_last_30d": 1}),
    ("u-idle", {"actions_last_30d": 0, "is_active": False, "active_days_last_30d": 0, "favourite_feature": None,
                "first_activity_date": None, "last_activity_date": None}),
    ("u-old", {"actions_last_30d": 0, "is_active": False, "is_super_user": False, "favourite_feature": None,
               "last_activity_date": date(2024, 5, 31), "join_date": None}),
    # alpha 2 + 3 = 5 ties beta 5 -> alpha; zeta (7) is outside the window
    ("u-tie", {"actions_last_30d": 10, "favourite_feature": "alpha", "active_days_last_30d": 3, "is_active": True}),
    ("u-orphan", {"customer_id": "t2", "join_date": None, "actions_last_30d": 1, "is_active": True}),
    ("u-182", {"is_active": False, "last_activity_date": date(2023, 12, 31)}),
])
def test_user_activity(usage, user_id, expected):
    row = rows(usage, "select * from analytics.mart_user_activity where user_id = ?", [user_id])
    assert len(row) == 1
    assert {k: row[0][k] for k in expected} == expected


def test_every_known_user_has_one_row(usage):
    # 6 users in the users file + u-orphan and u-183, seen only in usage events
    assert usage.execute("select count(*), count(distinct user_id) from analytics.mart_user_activity").fetchone() \
        == (8, 8)


@pytest.mark.parametrize(("team", "expected"), [
    # users u-20, u-19, u-idle, u-old; active u-20, u-19; super u-20; events 20 + 19; earliest join 2024-01-15
    ("t1", {"team_size": 4, "active_users_30d": 2, "super_users_30d": 1, "events_30d": 39,
            "first_activity_date": date(2024, 5, 31), "last_activity_date": date(2024, 6, 30),
            "days_since_last_activity": 0, "is_active_30d": True, "is_inactive_6m": False,
            "onboarded_date": date(2024, 1, 15)}),
    # u-tie and u-orphan; events 2 + 3 + 5 + 1 (zeta 7 outside); last use 2024-06-10 = 20 days before
    ("t2", {"team_size": 2, "active_users_30d": 2, "super_users_30d": 0, "events_30d": 11,
            "last_activity_date": date(2024, 6, 10), "days_since_last_activity": 20, "is_active_30d": True,
            "onboarded_date": date(2024, 4, 1)}),
    # exactly 182 days: not yet "inactive for over 6 months"
    ("t182", {"team_size": 1, "events_30d": 0, "days_since_last_activity": 182, "is_active_30d": False,
              "is_inactive_6m": False, "onboarded_date": date(2023, 11, 1)}),
    # 183 days: inactive; u-183 has no join date -> the customer's sign-up date
    ("t183", {"team_size": 1, "days_since_last_activity": 183, "is_inactive_6m": True,
              "onboarded_date": date(2024, 1, 1)}),
    ("t-never", {"team_size": 0, "active_users_30d": 0, "events_30d": 0, "first_activity_date": None,
                 "days_since_last_activity": None, "is_active_30d": False, "is_inactive_6m": True,
                 "onboarded_date": date(2024, 2, 29)}),
])
def test_team_activity(usage, team, expected):
    row = by_key(usage, "mart_team_activity")[team]
    assert {k: row[k] for k in expected} == expected


def test_feature_usage_daily(usage):
    features = {(r["feature_name"], r["activity_date"]): (r["events"], r["active_teams"], r["active_users"])
                for r in rows(usage, "select * from analytics.mart_feature_usage_daily")}
    assert features[("dashboards", date(2024, 6, 1))] == (30, 2, 3)  # u-20 10 + u-19 19 (t1) + u-orphan 1 (t2)
    assert features[("reports", date(2024, 6, 30))] == (10, 1, 1)    # u-idle's 0-event row is not a user
    assert len(features) == 10  # distinct (feature, day) pairs among the non-zero rows above


# ---------------------------------------------------------------- orders, RFM, revenue

ORDERS = [
    {"order_id": "o1", "customer_id": "c1", "order_date": "2024-01-10", "amount": 100.0},
    {"order_id": "o2", "customer_id": "c2", "order_date": "2024-01-15 16:00", "amount": 40.0},
    {"order_id": "o3", "customer_id": "c1", "order_date": "2024-03-05", "amount": 50.5},
    {"order_id": "o4", "customer_id": "c1", "order_date": "2024-03-20", "amount": -20.25},  # refund
    {"order_id": "o5", "customer_id": "c2", "order_date": "2024-03-22", "amount": -10.0},   # refund
    {"order_id": "o6", "customer_id": "c1", "order_date": "2024-03-25", "amount": 0.0},     # neither
]


@pytest.fixture(scope="module")
def shop(tmp_path_factory):
    # c3 only uses the product (its event on 2024-04-01 sets as_of_date), c4 does nothing
    con = build(tmp_path_factory.mktemp("shop") / "w.duckdb",
                [customer("c1"), customer("c2"), customer("c3"), customer("c4")],
                usage_events=[event("u3", "c3", "2024-04-01", "reports", 3)], orders=ORDERS)
    yield con
    con.close()


def test_customer_orders_with_refunds(shop):
    orders = by_key(shop, "mart_customer_orders")
    c1 = orders["c1"]
    assert (c1["order_count"], c1["refund_count"]) == (2, 1)          # o1, o3; o4 (o6 = 0 is neither)
    assert c1["gross_revenue"] == pytest.approx(150.5)                 # 100 + 50.5
    assert c1["refunds"] == pytest.approx(20.25)                       # positive number
    assert c1["net_revenue"] == pytest.approx(130.25)                  # 150.5 - 20.25
    assert (c1["first_order_date"], c1["last_order_date"]) == (date(2024, 1, 10), date(2024, 3, 5))  # not o4/o6
    c2 = orders["c2"]
    assert (c2["order_count"], c2["refund_count"], c2["gross_revenue"], c2["refunds"], c2["net_revenue"]) \
        == (1, 1, 40.0, 10.0, 30.0)
    assert orders["c4"] == {"customer_id": "c4", "order_count": 0, "refund_count": 0, "gross_revenue": 0,
                            "refunds": 0, "net_revenue": 0, "first_order_date": None, "last_order_date": None}


def test_rfm_on_orders_basis(shop):
    rfm = {k: (r["recency_days"], r["frequency"], r["monetary"], r["basis"])
           for k, r in by_key(shop, "mart_rfm_inputs").items()}
    assert rfm["c1"] == (27, 2, pytest.approx(130.25), "orders")  # 2024-03-05 -> 2024-04-01 = 26 + 1 days
    assert rfm["c2"] == (77, 1, pytest.approx(30.0), "orders")    # 2024-01-15 -> 04-01: 31 + 29 + 17 days
    assert rfm["c3"] == (None, 0, 0, "orders")                    # usage is ignored once any order exists
    assert rfm["c4"] == (None, 0, 0, "orders")


def test_rfm_on_usage_basis_without_any_order(tmp_path):
    usage = [event("u2", "c2", "2024-03-30 08:00", "a", 1), event("u2", "c2", "2024-03-30 09:00", "b", 2),
             event("u2b", "c2", "2024-04-01", "a", 4)]
    interactions = [{"interaction_id": "I1", "customer_id": "c1", "interaction_date": "2024-04-10",
                     "interaction_type": "call", "interaction_notes": "n"}]   # sets as_of_date 2024-04-10
    con = build(tmp_path / "w.duckdb", [customer("c1"), customer("c2")], interactions=interactions,
                usage_events=usage)
    rfm = {k: (r["recency_days"], r["frequency"], r["monetary"], r["basis"])
           for k, r in by_key(con, "mart_rfm_inputs").items()}
    assert rfm["c2"] == (9, 2, 7, "usage")      # last use 04-01 -> 04-10; 2 days with usage; 1 + 2 + 4 events
    assert rfm["c1"] == (None, 0, 0, "usage")   # an interaction is not usage


def test_revenue_monthly(shop):
    months = rows(shop, "select * from analytics.mart_revenue_monthly order by revenue_month")
    assert [m["revenue_month"] for m in months] == [date(2024, m, 1) for m in (1, 2, 3, 4)]  # up to as_of month
    jan, feb, mar, apr = months
    assert (jan["gross_revenue"], jan["refunds"], jan["net_revenue"]) == (140.0, 0, 140.0)  # 100 + 40
    assert (jan["order_count"], jan["refund_count"], jan["paying_customers"]) == (2, 0, 2)
    assert (feb["gross_revenue"], feb["net_revenue"], feb["order_count"], feb["paying_customers"]) == (0, 0, 0, 0)
    assert mar["gross_revenue"] == pytest.approx(50.5)                # o3
    assert mar["refunds"] == pytest.approx(30.25)                     # 20.25 + 10 (o2's refund in its own month)
    assert mar["net_revenue"] == pytest.approx(20.25)                 # 50.5 - 30.25
    assert (mar["order_count"], mar["refund_count"], mar["paying_customers"]) == (1, 2, 1)
    assert (apr["net_revenue"], apr["order_count"]) == (0, 0)


# ---------------------------------------------------------------- cohort retention


def test_cohort_retention_with_an_empty_month(tmp_path):
    customers = [customer("A", sign_up_date="2024-01-05"), customer("B", sign_up_date="2024-01-20"),
                 customer("C", sign_up_date="2024-01-31"), customer("D", sign_up_date="2024-02-10")]
    interactions = [
        {"interaction_id": "I1", "customer_id": "A", "interaction_date": "2024-01-10", "interaction_type": "call",
         "interaction_notes": "n"},
        {"interaction_id": "I2", "customer_id": "C", "interaction_date": "2023-12-20", "interaction_type": "call",
         "interaction_notes": "n"},   # before C signed up: ignored
    ]
    reviews = [{"review_id": "R1", "customer_id": "B", "review_date": "2024-02-12", "review_rating": 2,
                "review_text": "meh"}]  # not retention
    tickets = [{"ticket_id": "T1", "customer_id": "A", "ticket_date": "2024-02-15", "ticket_category": "billing",
                "ticket_description": "x"}]  # not retention
    usage = [event("ua", "A", "2024-03-02", "reports", 1), event("uc", "C", "2024-03-31 10:00", "reports", 2)]
    orders = [
        {"order_id": "o1", "customer_id": "B", "order_date": "2024-01-25", "amount": 30.0},
        {"order_id": "o2", "customer_id": "B", "order_date": "2024-02-10", "amount": -30.0},  # refund: not retention
        {"order_id": "o3", "customer_id": "D", "order_date": "2024-03-15", "amount": 10.0},
    ]
    con = build(tmp_path / "w.duckdb", customers, interactions=interactions, reviews=reviews, tickets=tickets,
                usage_events=usage, orders=orders)
    grid = [tuple(r.values()) for r in rows(con, "select * from analytics.mart_cohort_retention "
                                                 "order by cohort_month, activity_month")]
    jan, feb, mar = date(2024, 1, 1), date(2024, 2, 1), date(2024, 3, 1)
    assert grid == [
        # cohort, month, months since sign-up, size, active, rate
        (jan, jan, 0, 3, 2, pytest.approx(2 / 3)),   # A (interaction), B (order)
        (jan, feb, 1, 3, 0, 0.0),                    # only a refund, a review and a ticket
        (jan, mar, 2, 3, 2, pytest.approx(2 / 3)),   # A, C (usage)
        (feb, feb, 0, 1, 0, 0.0),
        (feb, mar, 1, 1, 1, 1.0),                    # D's order; no April: as_of_date is 2024-03-31
    ]


# ---------------------------------------------------------------- portability


def test_every_mart_transpiles_to_postgres_and_snowflake():
    models = {m.name: m for m in discover_models() if m.name in MARTS or m.name.startswith("mart_")}
    assert set(models) == MARTS  # a mart added or renamed without its tests fails here
    for model in models.values():
        code = re.sub(r"--[^\n]*", "", model.sql)  # comments may name what the code avoids
        assert "generate_series" not in code and "range(" not in code, model.name
        for dialect in ("postgres", "snowflake"):
            try:
                sqlglot.transpile(model.sql, read="duckdb", write=dialect,
                                  unsupported_level=sqlglot.ErrorLevel.RAISE)
            except sqlglot.errors.SqlglotError as exc:
                pytest.fail(f"{model.name} -> {dialect}: {exc}")
        # Snowflake requires a column list on a recursive CTE (`grid (a, b) as (...)`); DuckDB and Postgres accept it
        for cte in sqlglot.parse_one(model.sql, read="duckdb").find_all(sqlglot.exp.CTE):
            if any(t.name == cte.alias_or_name and not t.db for t in cte.this.find_all(sqlglot.exp.Table)):
                assert cte.args["alias"].columns, f"{model.name}: recursive CTE {cte.alias_or_name} has no column list"


# ---------------------------------------------------------------- scored records (the dashboard's record table)


def test_scored_records_one_row_per_record_with_its_customers_filter_attributes(tmp_path):
    interactions = [{"interaction_id": "I1", "customer_id": "c1", "interaction_date": "2024-03-01 18:30",
                     "interaction_type": "chat", "interaction_notes": "n", "sentiment_score": 0.5}]
    reviews = [{"review_id": "R1", "customer_id": "c2", "review_date": "2024-02-10 09:00", "product_id": "P1",
                "review_rating": 4, "review_text": "bien", "review_language": "fr", "sentiment_score": -0.25}]
    tickets = [{"ticket_id": "T1", "customer_id": "c1", "ticket_date": "2024-01-05 23:59", "issue_category": "billing",
                "ticket_description": "d", "ticket_status": "open", "sentiment_score": None,
                "priority_level": "Low"}]
    con = build(tmp_path / "w.duckdb", [customer("c1", ltv=100.0), customer("c2", ltv=9000.0)],
                interactions=interactions, reviews=reviews, tickets=tickets)
    got = rows(con, "select * from analytics.mart_scored_records")
    # stored in date order, timestamps cut to their calendar date, an unscored ticket kept with a NULL score
    assert [(r["customer_id"], r["record_date"], r["sentiment_score"], r["source_type"], r["interaction_type"],
             r["review_language"]) for r in got] == [
        ("c1", date(2024, 1, 5), None, "ticket", None, None),
        ("c2", date(2024, 2, 10), -0.25, "review", None, "fr"),
        ("c1", date(2024, 3, 1), 0.5, "interaction", "chat", None),
    ]
    dims = {r["customer_id"]: r for r in rows(con, "select * from analytics.customer_dimensions")}
    for record in got:
        for column in ("value_segment", "derived_persona", "churn_risk", "upsell_opportunity"):
            assert record[column] == dims[record["customer_id"]][column], column
    assert dims["c1"]["value_segment"] != dims["c2"]["value_segment"]  # the attributes differ per customer


# ---------------------------------------------------------------- customer active months (retention activity)


def test_customer_active_months_one_row_per_customer_and_active_month(tmp_path):
    customers = [customer("A", sign_up_date="2024-02-20"), customer("B", sign_up_date="2023-12-31"),
                 customer("C", sign_up_date="2024-01-01")]
    interactions = [
        {"interaction_id": "I1", "customer_id": "A", "interaction_date": "2024-01-31 23:59", "interaction_type": "call",
         "interaction_notes": "n"},   # before A signed up: kept, one month before (-1)
        {"interaction_id": "I2", "customer_id": "A", "interaction_date": "2024-02-01", "interaction_type": "call",
         "interaction_notes": "n"},
    ]
    usage = [event("ua", "A", "2024-02-25", "reports", 3),            # the same month again: still one row
             event("ub", "B", "2024-03-01", "reports", 0),            # no events: not activity
             event("ub", "B", "2025-01-15", "reports", 1)]            # 13 months after December 2023
    orders = [{"order_id": "o1", "customer_id": "B", "order_date": "2023-12-31 22:00", "amount": 5.0},
              {"order_id": "o2", "customer_id": "C", "order_date": "2024-02-10", "amount": -5.0},  # refund: no
              {"order_id": "o3", "customer_id": "C", "order_date": "2024-03-10", "amount": 0.0}]   # neither: no
    reviews = [{"review_id": "R1", "customer_id": "C", "review_date": "2024-02-12", "review_rating": 5,
                "review_text": "great"}]   # not retention
    tickets = [{"ticket_id": "T1", "customer_id": "C", "ticket_date": "2024-02-15", "ticket_category": "billing",
                "ticket_description": "x"}]   # not retention
    con = build(tmp_path / "w.duckdb", customers, interactions=interactions, reviews=reviews, tickets=tickets,
                usage_events=usage, orders=orders)
    got = [tuple(r.values()) for r in rows(con, "select customer_id, cohort_month, activity_month, months_since_signup "
                                                "from analytics.mart_customer_active_months "
                                                "order by customer_id, activity_month")]
    assert got == [
        ("A", date(2024, 2, 1), date(2024, 1, 1), -1),
        ("A", date(2024, 2, 1), date(2024, 2, 1), 0),    # I2 and the usage of the 25th
        ("B", date(2023, 12, 1), date(2023, 12, 1), 0),  # the order of 31 Dec at 22:00
        ("B", date(2023, 12, 1), date(2025, 1, 1), 13),
    ]
    # mart_cohort_retention counts from it, without A's month before sign-up: Feb 2024 cohort (A) 1 of 1 in
    # month 0; Jan 2024 cohort (C) never active
    retention = {(r["cohort_month"], r["months_since_signup"]): r["active_customers"]
                 for r in rows(con, "select * from analytics.mart_cohort_retention")}
    assert retention[(date(2024, 2, 1), 0)] == 1
    assert retention[(date(2023, 12, 1), 0)] == 1 and retention[(date(2023, 12, 1), 13)] == 1
    assert retention[(date(2023, 12, 1), 3)] == 0   # March 2024: a usage row with 0 events
    assert sum(n for (cohort, _), n in retention.items() if cohort == date(2024, 1, 1)) == 0
