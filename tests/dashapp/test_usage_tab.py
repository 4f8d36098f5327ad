"""Usage tab: its queries (sql/queries/usage/*.sql) on two small warehouses whose numbers are worked out by hand,
the check-up cards, the figure builders, the pickers and the team table's paging, the callbacks through Dash's HTTP
endpoint, and the queries' portability.

Rules (config/rules.toml [usage], docs/marts.md, docs/usage.md): a day d is in "the last 30 days" when
as_of_date - d < 30; active = any usage in the last 30 days; inactive = never used or last used more than 182 days
before as_of_date; super user = at least 20 actions in the last 30 days.

CHECK-UP warehouse, as_of_date = 2024-06-30 (the newest usage event). Teams (ltv -> value segment):
    t1     1500 High    u-20: 10 on 06-30 + 10 on 06-01 (29 days before: inside) = 20 -> super user
                        (+5 on 05-31, 30 days before: outside); u-19: 19 on 06-01 -> active, not super
                        (+1 on 05-31 outside: it would make 20); u-old: only 05-31 -> not active. events_30d 39
    t2      600 Medium  u-a: 1 on 06-01 (29 days: active, the window's first day); u-b in the users file, never used
    t-tie   100 Low     u-t: 1 on 06-30 (as t1: last used on as_of_date)
    t30     100 Low     u-30: last use 05-31 = 30 days before -> not active ("quiet")
    t182    100 Low     u-182: last use 2023-12-31 = 182 days before -> not yet inactive ("quiet")
    t183    100 Low     u-183: last use 2023-12-30 = 183 days before -> inactive
    t-never 100 Low     no usage; u-n joined 2024-06-20 -> inactive (never used), onboarded 2024-06-20
(2024-06-30 is day 182 of 2024, so 2024-01-01 is 181 days before it, 2023-12-31 182 and 2023-12-30 183.)

FEATURES warehouse, as_of_date = 2024-03-31, period March 2024 (31 days; weekly grain; weeks start on Monday and
2024-03-01 is a Friday). Teams X (High Value), Y and Z (Low Value); users x1, x2 in X, y1 in Y, z1 in Z:
    x1: search 03-01 (3 events), export 03-02 (2), share 03-05 (1), search 03-05 (1)
    x2: search 03-03 (1), search 03-04 (1)
    y1: export 03-01 (4), search 03-10 (2)
    z1: search 03-31 (1)
"""

from __future__ import annotations

import base64
import json
import math
from datetime import date

import dash
import numpy as np
import pandas as pd
import pytest
import sqlglot
from dash import dcc, html

from config.rules import flat_rules
from dashapp.figures import usage as figures
from dashapp.tabs import usage as tab
from dashapp.tabs import usage_features as features_tab
from dashapp.tabs import usage_profiles as profiles_tab
from tests.dashapp.tab_checks import callback_ids, layout_ids
from tests.warehouse.builder import build_warehouse, customer
from warehouse.filters import Filters
from warehouse.queries import to_duckdb_parameters
from warehouse.reader import WarehouseReader
from warehouse.sqlfiles import SQL_DIR, read_sql

JUNE = Filters(date_from=date(2024, 6, 1), date_to=date(2024, 6, 30))
MARCH = Filters(date_from=date(2024, 3, 1), date_to=date(2024, 3, 31))
FEATURES = ["search", "export", "share"]


def event(user_id: str, team: str, day: str, feature: str, count: int = 1) -> dict:
    return {"user_id": user_id, "customer_id": team, "event_date": day, "feature_name": feature,
            "events_count": count}


def user(user_id: str, team: str, join_date: str | None) -> dict:
    return {"user_id": user_id, "customer_id": team, "join_date": join_date, "user_name": user_id}


def open_reader(path, customers, usage, users=()) -> WarehouseReader:
    build_warehouse(path, customers, usage_events=usage, users=list(users)).close()
    return WarehouseReader(path)


@pytest.fixture(scope="module")
def checkup(tmp_path_factory):
    reader = open_reader(
        tmp_path_factory.mktemp("usage-checkup") / "w.duckdb",
        [customer("t1", 1500, customer_name="One"), customer("t2", 600, customer_name="Two"),
         customer("t-tie", 100), customer("t30", 100, sign_up_date="2024-05-01"),
         customer("t182", 100, sign_up_date="2023-06-01"), customer("t183", 100, sign_up_date="2023-06-01"),
         customer("t-never", 100, sign_up_date="2024-06-15")],
        [event("u-20", "t1", "2024-06-30", "reports", 10), event("u-20", "t1", "2024-06-01", "dashboards", 10),
         event("u-20", "t1", "2024-05-31", "dashboards", 5), event("u-19", "t1", "2024-06-01", "dashboards", 19),
         event("u-19", "t1", "2024-05-31", "dashboards", 1), event("u-old", "t1", "2024-05-31", "exports", 8),
         event("u-a", "t2", "2024-06-01", "reports"), event("u-t", "t-tie", "2024-06-30", "search"),
         event("u-30", "t30", "2024-05-31", "reports"), event("u-182", "t182", "2023-12-31", "reports"),
         event("u-183", "t183", "2023-12-30", "reports")],
        [user("u-20", "t1", "2024-02-01"), user("u-19", "t1", "2024-01-15"), user("u-old", "t1", None),
         user("u-a", "t2", "2024-04-01"), user("u-b", "t2", "2024-05-01"), user("u-n", "t-never", "2024-06-20")])
    yield reader
    reader.close()


@pytest.fixture(scope="module")
def usage(tmp_path_factory):
    reader = open_reader(
        tmp_path_factory.mktemp("usage-features") / "w.duckdb",
        [customer("X", 1500, customer_name="Xylo"), customer("Y", 100, customer_name="Yew"), customer("Z", 100)],
        [event("x1", "X", "2024-03-01", "search", 3), event("x1", "X", "2024-03-02", "export", 2),
         event("x1", "X", "2024-03-05", "share"), event("x1", "X", "2024-03-05", "search"),
         event("x2", "X", "2024-03-03", "search"), event("x2", "X", "2024-03-04", "search"),
         event("y1", "Y", "2024-03-01", "export", 4), event("y1", "Y", "2024-03-10", "search", 2),
         event("z1", "Z", "2024-03-31", "search")])
    yield reader
    reader.close()


def test_the_rule_values_these_expectations_assume():
    rules = flat_rules()
    assert (rules["usage_super_user_min_actions"], rules["usage_super_user_window_days"]) == (20, 30)
    assert (rules["usage_active_window_days"], rules["usage_inactive_team_after_days"]) == (30, 182)
    # stickiness.sql keeps a user's days in the window as the bits of one BIGINT
    assert rules["usage_active_window_days"] <= 62


# ---------------------------------------------------------------- check-up (as of the newest data)

def test_checkup_classifies_at_the_boundaries(checkup):
    row = checkup.query("usage/checkup", JUNE).iloc[0]
    # 7 teams; users: t1 3, t2 2, one each for the others (u-t, u-30, u-182, u-183 seen only in usage; u-n) = 10
    assert (row["teams"], row["teams_with_users"], row["users"]) == (7, 7, 10)
    assert row["active_teams_30d"] == 3       # t1, t2 (06-01: 29 days), t-tie; not t30 (30 days)
    assert row["inactive_teams_6m"] == 2      # t183 (183 days) and t-never; not t182 (182 days)
    assert row["never_used_teams"] == 1
    assert row["active_users_30d"] == 4       # u-20, u-19, u-a, u-t
    assert row["super_users_30d"] == 1        # u-20 with 20 actions; u-19 with 19 is not
    # t1 and t-tie last used on 06-30; t1 has more events in the last 30 days
    assert (row["most_recent_team"], row["most_recent_team_name"], row["most_recent_ties"]) == ("t1", "One", 1)
    assert row["most_recent_date"] == pd.Timestamp("2024-06-30") and row["usage_rows"] > 0


def test_checkup_follows_the_customer_filters_not_the_dates(checkup):
    low = checkup.query("usage/checkup", Filters(value_segments=("Low Value",))).iloc[0]
    assert (low["teams"], low["active_teams_30d"], low["inactive_teams_6m"], low["never_used_teams"]) == (5, 1, 2, 1)
    assert (low["most_recent_team"], low["most_recent_ties"], low["super_users_30d"]) == ("t-tie", 0, 0)
    march = checkup.query("usage/checkup", MARCH).iloc[0]
    assert (march["teams"], march["active_teams_30d"], march["inactive_teams_6m"]) == (7, 3, 2)


def test_last_activity_distribution(checkup):
    frame = checkup.query("usage/last_activity_distribution", JUNE)
    rows = [(None if pd.isna(m) else m.date(), s, n) for m, s, n in frame.itertuples(index=False)]
    assert rows == [(date(2023, 12, 1), "inactive", 1), (date(2023, 12, 1), "quiet", 1),   # t183, t182
                    (date(2024, 5, 1), "quiet", 1),                                           # t30
                    (date(2024, 6, 1), "active", 3),                                          # t1, t2, t-tie
                    (None, "never", 1)]                                                       # t-never
    high = checkup.query("usage/last_activity_distribution", Filters(value_segments=("High Value",)))
    assert list(high["teams"]) == [1] and list(high["activity_status"]) == ["active"]


def test_recently_onboarded_newest_first(checkup):
    frame = checkup.query("usage/recently_onboarded", JUNE, limit=3)
    # t-never: u-n's join date 06-20 (a user's join date comes before the sign-up date 06-15); t30: sign-up 05-01
    # (its only user has no join date); t2: u-a joined 04-01
    assert list(frame["customer_id"]) == ["t-never", "t30", "t2"]
    assert list(frame["onboarded_date"].dt.date) == [date(2024, 6, 20), date(2024, 5, 1), date(2024, 4, 1)]
    assert list(frame["team_size"]) == [1, 1, 2] and list(frame["active_users_30d"]) == [0, 0, 1]
    everyone = checkup.query("usage/recently_onboarded", JUNE, limit=10)
    assert list(everyone["customer_id"])[-3:] == ["t-tie", "t182", "t183"]  # 01-01, then 2023-06-01 by id


def test_most_active_teams_in_the_last_30_days(checkup):
    frame = checkup.query("usage/most_active_teams", JUNE, limit=10)
    # t1: 10 + 10 + 19 = 39 (the 05-31 events are outside); t-tie and t2 one each, by id ('-' sorts before '2')
    assert list(frame["customer_id"]) == ["t1", "t-tie", "t2"] and list(frame["events_30d"]) == [39, 1, 1]
    assert tuple(frame.iloc[0][["active_users_30d", "super_users_30d", "team_size"]]) == (2, 1, 3)
    assert list(checkup.query("usage/most_active_teams", Filters(value_segments=("Medium Value",)),
                              limit=10)["customer_id"]) == ["t2"]


def test_kpi_texts():
    row = {"teams": 7, "teams_with_users": 7, "users": 10, "active_teams_30d": 3, "inactive_teams_6m": 2,
           "never_used_teams": 1, "active_users_30d": 4, "super_users_30d": 1, "most_recent_team": "t1",
           "most_recent_team_name": "One", "most_recent_date": pd.Timestamp("2024-06-30"), "most_recent_ties": 1,
           "usage_rows": 11}
    texts = tab.kpi_texts(row)
    assert texts["usage-kpi-teams"] == ("7", "10 users in 7 teams")
    assert texts["usage-kpi-active"] == ("3", "43% of teams · 4 active users, 1 super users")
    assert texts["usage-kpi-inactive"] == ("2", "29% of teams · 1 never used")
    assert texts["usage-kpi-recent"] == ("2024-06-30", "One (t1) and 1 other team that day")
    empty = tab.kpi_texts({**row, "usage_rows": 0, "active_teams_30d": 0, "most_recent_date": None})
    assert empty["usage-kpi-recent"] == ("–", "no product usage events in this warehouse")
    assert tab.kpi_texts({"teams": 0})["usage-kpi-teams"] == ("0", "no teams for these filters")


# ---------------------------------------------------------------- features (the date range)

def test_feature_volume_monthly_with_totals_and_shares(usage):
    frame = usage.query("usage/feature_volume", MARCH, grain="month")
    # search 3 + 1 + 1 + 1 + 2 + 1 = 9, export 2 + 4 = 6, share 1: 16 events
    assert list(frame["feature_name"]) == ["search", "export", "share"]
    assert list(frame["events"]) == [9, 6, 1] and list(frame["feature_rank"]) == [1, 2, 3]
    assert list(frame["feature_share"]) == pytest.approx([9 / 16, 6 / 16, 1 / 16])
    assert set(frame["period"].dt.date) == {date(2024, 3, 1)}


def test_feature_volume_weekly_and_filtered(usage):
    weekly = usage.query("usage/feature_volume", MARCH, grain="week")
    search = weekly[weekly["feature_name"] == "search"]
    # week of Mon 02-26: x1 03-01 (3) + x2 03-03 (1); of 03-04: x2 03-04, x1 03-05, y1 03-10 (2); of 03-25: z1
    assert list(zip(search["period"].dt.date, search["events"], strict=True)) == [
        (date(2024, 2, 26), 4), (date(2024, 3, 4), 4), (date(2024, 3, 25), 1)]
    # High Value keeps team X only: the team-level branch of the query
    high = usage.query("usage/feature_volume", Filters(date_from=MARCH.date_from, date_to=MARCH.date_to,
                                                       value_segments=("High Value",)), grain="month")
    assert dict(zip(high["feature_name"], high["events"], strict=True)) == {"search": 6, "export": 2, "share": 1}
    assert usage.query("usage/feature_volume", Filters(date_from=date(2024, 4, 1), date_to=date(2024, 4, 30)),
                       grain="month").empty


def test_feature_top_teams(usage):
    frame = usage.query("usage/feature_top_teams", MARCH, feature="search", limit=2)
    # X: 6 search events by x1 and x2 on 03-01, 03-03, 03-04, 03-05, of its 9 events; Y: 2 of 6
    assert list(frame["customer_id"]) == ["X", "Y"] and list(frame["events"]) == [6, 2]
    assert list(frame["users"]) == [2, 1] and list(frame["active_days"]) == [4, 1]
    assert list(frame["team_share"]) == pytest.approx([6 / 9, 2 / 6])
    low = usage.query("usage/feature_top_teams", Filters(date_from=MARCH.date_from, date_to=MARCH.date_to,
                                                         value_segments=("Low Value",)), feature="search", limit=5)
    assert list(low["customer_id"]) == ["Y", "Z"] and list(low["team_share"]) == pytest.approx([1 / 3, 1.0])


def test_feature_adoption(usage):
    frame = usage.query("usage/feature_adoption", MARCH, features=FEATURES).set_index("feature_name")
    # active: teams X, Y, Z; users x1, x2, y1, z1. search: every team and user; export: X, Y / x1, y1;
    # share: X / x1
    assert list(frame.index) == FEATURES
    assert list(frame["active_teams"]) == [3, 3, 3] and list(frame["active_users"]) == [4, 4, 4]
    assert list(frame["teams_using"]) == [3, 2, 1] and list(frame["users_using"]) == [4, 2, 1]
    assert list(frame["team_adoption"]) == pytest.approx([1.0, 2 / 3, 1 / 3])
    assert list(frame["user_adoption"]) == pytest.approx([1.0, 0.5, 0.25])
    # a feature left out of the list still makes its users active: z1 (search only) counts in active_users
    partial = usage.query("usage/feature_adoption", MARCH, features=["export"]).iloc[0]
    assert (partial["active_users"], partial["users_using"], partial["user_adoption"]) == (4, 2, 0.5)


def test_feature_adoption_with_nobody_active(usage):
    frame = usage.query("usage/feature_adoption", Filters(date_from=date(2024, 4, 1), date_to=date(2024, 4, 30)),
                        features=FEATURES)
    assert list(frame["active_teams"]) == [0, 0, 0] and frame["team_adoption"].isna().all()


def test_stickiness(usage):
    frame = usage.query("usage/stickiness", MARCH, features=FEATURES)
    # window: the last 30 days of March, 03-02..03-31 (x1's search and y1's export on 03-01 are outside).
    #   search: user-days x1 03-05, x2 03-03, x2 03-04, y1 03-10, z1 03-31 = 5; MAU x1, x2, y1, z1 = 4
    #           DAU = 5 / 30; stickiness = (5 / 30) / 4 = 0.041667
    #   export: x1 03-02 -> 1 / 30 / 1;  share: x1 03-05 -> 1 / 30 / 1
    #   any feature: x1 on 03-02 and 03-05 (two features on 03-05 count once), x2 2 days, y1 1, z1 1 = 6
    #           user-days; MAU 4; DAU = 6 / 30 = 0.2; stickiness = 0.05
    assert list(frame["feature_name"]) == ["All features", "search", "export", "share"]
    assert list(frame["window_days"]) == [30] * 4
    assert frame["window_first_day"].iloc[0] == pd.Timestamp("2024-03-02")
    assert list(frame["mau"]) == [4, 4, 1, 1]
    assert list(frame["dau"]) == pytest.approx([6 / 30, 5 / 30, 1 / 30, 1 / 30])
    assert list(frame["stickiness"]) == pytest.approx([0.05, 5 / 120, 1 / 30, 1 / 30])


def test_stickiness_of_a_range_shorter_than_the_window(usage):
    frame = usage.query("usage/stickiness", Filters(date_from=date(2024, 3, 30), date_to=date(2024, 3, 31)),
                        features=FEATURES).set_index("feature_name")
    # two days: only z1's search on 03-31 -> DAU 1 / 2, MAU 1, stickiness 0.5; export and share: nobody
    assert set(frame["window_days"]) == {2}
    assert frame.loc["All features", "stickiness"] == pytest.approx(0.5)
    assert frame.loc["search", "dau"] == pytest.approx(0.5) and frame.loc["search", "mau"] == 1
    assert frame.loc["export", "mau"] == 0 and pd.isna(frame.loc["export", "stickiness"])


def test_feature_correlation_by_hand_and_with_numpy(usage):
    frame = usage.query("usage/feature_correlation", MARCH, features=FEATURES)
    cell = frame.set_index(["level", "feature_a", "feature_b"])
    # teams: X {search, export, share}, Y {search, export}, Z {search}; n = 3
    #   export × share: a 2, b 1, both 1 -> phi = (3·1 − 2·1) / sqrt(2·1·1·2) = 0.5; of export's teams 1/2 use share
    assert tuple(cell.loc[("teams", "export", "share"), ["entities", "using_a", "using_b", "using_both"]]) == (
        3, 2, 1, 1)
    assert cell.loc[("teams", "export", "share"), "phi"] == pytest.approx(0.5)
    assert cell.loc[("teams", "export", "share"), "share_of_a_using_b"] == pytest.approx(0.5)
    assert cell.loc[("teams", "share", "export"), "share_of_a_using_b"] == pytest.approx(1.0)
    assert cell.loc[("teams", "export", "export"), "phi"] == pytest.approx(1.0)
    # every team used search: no variation, no correlation
    assert pd.isna(cell.loc[("teams", "search", "export"), "phi"])
    # users: x1 {search, export, share}, x2 {search}, y1 {search, export}, z1 {search}; n = 4
    #   export × share: (4·1 − 2·1) / sqrt(2·2·1·3) = 2 / sqrt(12) = 0.57735
    used = {"export": [1, 0, 1, 0], "share": [1, 0, 0, 0]}
    assert cell.loc[("users", "export", "share"), "phi"] == pytest.approx(2 / math.sqrt(12))
    assert cell.loc[("users", "export", "share"), "phi"] == pytest.approx(np.corrcoef(used["export"],
                                                                                      used["share"])[0, 1])
    assert len(frame) == 2 * 3 * 3


@pytest.mark.parametrize(("steps", "users", "teams", "days"), [
    # x1: search 03-01 -> export 03-02 -> share 03-05; x2, z1 stop after search; y1's export (03-01) is before
    # its first search (03-10), so it does not count
    (["search", "export", "share"], [4, 1, 1], [3, 1, 1], [None, 1, 3]),
    # the other order: x1 export 03-02 -> search 03-05 (3 days); y1 export 03-01 -> search 03-10 (9 days)
    (["export", "search"], [2, 2], [2, 2], [None, 6]),
    # the same day counts as "after": x1's share and search on 03-05
    (["share", "search"], [1, 1], [1, 1], [None, 0]),
])
def test_funnel_follows_the_order(usage, steps, users, teams, days):
    frame = usage.query("usage/funnel", MARCH, funnel_features=steps)
    assert list(frame["feature_name"]) == steps and list(frame["step"]) == list(range(1, len(steps) + 1))
    assert list(frame["users"]) == users and list(frame["teams"]) == teams
    assert [None if pd.isna(d) else d for d in frame["median_days_from_previous"]] == days
    assert frame["share_of_first"].iloc[0] == 1.0 and pd.isna(frame["share_of_previous"].iloc[0])


def test_funnel_shares_and_the_customer_filter(usage):
    frame = usage.query("usage/funnel", MARCH, funnel_features=FEATURES)
    assert list(frame["share_of_first"]) == pytest.approx([1.0, 0.25, 0.25])
    assert list(frame["share_of_previous"][1:]) == pytest.approx([0.25, 1.0])
    # Low Value: teams Y and Z only; steps nobody reached stay, with 0
    low = usage.query("usage/funnel", Filters(date_from=MARCH.date_from, date_to=MARCH.date_to,
                                              value_segments=("Low Value",)), funnel_features=FEATURES)
    assert list(low["users"]) == [2, 0, 0] and list(low["teams"]) == [2, 0, 0]


def test_profile_inputs(usage):
    window = {"window_days": 90}  # as_of_date 2024-03-31: all of March is inside
    mix = usage.query("usage/team_feature_mix", MARCH, **window)
    assert {(r.customer_id, r.feature_name, r.events) for r in mix.itertuples()} == {
        ("X", "search", 6), ("X", "export", 2), ("X", "share", 1), ("Y", "export", 4), ("Y", "search", 2),
        ("Z", "search", 1)}
    teams = usage.query("usage/profile_teams", MARCH, **window)
    assert list(teams["customer_id"]) == ["X", "Y", "Z"] and list(teams["window_events"]) == [9, 6, 1]
    assert list(teams["team_size"]) == [2, 1, 1]
    # the last 3 days only (03-29..03-31): z1's search
    recent = usage.query("usage/profile_teams", Filters(value_segments=("Low Value",)), window_days=3)
    assert list(recent["window_events"]) == [0, 1]
    assert len(usage.query("usage/team_feature_mix", Filters(value_segments=("High Value",)), window_days=3)) == 0


@pytest.mark.parametrize("name", sorted(p.stem for p in (SQL_DIR / "queries" / "usage").glob("*.sql")))
def test_queries_translate_to_postgres_and_snowflake(name):
    sql = to_duckdb_parameters(read_sql(f"queries/usage/{name}.sql"))
    for dialect in ("postgres", "snowflake"):
        sqlglot.transpile(sql, read="duckdb", write=dialect, unsupported_level=sqlglot.ErrorLevel.RAISE)


# ---------------------------------------------------------------- figures, pickers, table paging

def test_pickers_keep_the_users_choice_and_default_to_the_most_used():
    assert features_tab.picker_values(FEATURES, None, None) == ("search", FEATURES)
    assert features_tab.picker_values(FEATURES, "share", ["share", "search"]) == ("share", ["share", "search"])
    assert features_tab.picker_values(["a", "b"], "gone", ["gone"]) == ("a", [])
    many = [f"f{i}" for i in range(9)]
    assert features_tab.funnel_steps(["f3", "f1", "f3", "x", *many], many) == ["f3", "f1", "f0", "f2", "f4", "f5"]


def test_figures_show_a_message_when_empty():
    empty = pd.DataFrame()
    for figure in (figures.feature_top_teams(empty, "search"), figures.funnel(empty),
                   figures.last_activity(pd.DataFrame({"last_activity_month": [None], "activity_status": ["never"],
                                                       "teams": [4]}))):
        assert figure.layout.annotations and not figure.data
    assert "None of the 4 teams" in figures.last_activity(pd.DataFrame(
        {"last_activity_month": [None], "activity_status": ["never"], "teams": [4]})).layout.annotations[0].text


def test_feature_figures(usage):
    volume = usage.query("usage/feature_volume", MARCH, grain="week")
    colours = figures.feature_colours(FEATURES)
    bars = figures.feature_volume(volume, colours)
    assert list(bars.data[0].text) == ["9 (56%)", "6 (38%)", "1 (6%)"]
    assert [t.name for t in figures.feature_trend(volume, "week", colours).data] == ["search", "export", "share"]
    heat = figures.correlation(usage.query("usage/feature_correlation", MARCH, features=FEATURES), "users")
    assert heat.data[0].z[1][1] is None and heat.data[0].z[1][2] == pytest.approx(0.57735, abs=1e-4)
    funnel = figures.funnel(usage.query("usage/funnel", MARCH, funnel_features=FEATURES), dropped=2)
    assert list(funnel.data[0].x) == [4, 1, 1] and "2 more picked" in funnel.layout.title.text


def test_team_table_paging_sorting_and_search():
    assignments = pd.DataFrame({
        "customer_id": ["a", "b", "c"], "customer_name": ["Acme", None, "Beta"],
        "profile": pd.Categorical(["search-focused", "No recent use", "search-focused"]),
        "window_events": [5, 0, 9], "team_size": [1, 2, 3], "events_per_member": [5.0, 0.0, 3.0],
        "top_feature": ["search", None, "export"], "top_share": [0.8, np.nan, 0.5],
        "last_activity_date": [pd.Timestamp("2024-03-01"), pd.NaT, pd.Timestamp("2024-03-31")]})
    rows, total = profiles_tab.page(assignments, None, None, profiles_tab.DEFAULT_SORT, 0, 10)
    assert total == 3 and [r["customer_id"] for r in rows] == ["c", "a", "b"]
    assert rows[0]["top_feature"] == "export · 50%" and rows[0]["last_activity_date"] == "2024-03-31"
    assert rows[2]["top_feature"] is None and rows[2]["last_activity_date"] is None
    rows, total = profiles_tab.page(assignments, "search-focused", "acm", ("customer_id", "asc"), 0, 10)
    assert total == 1 and rows[0]["customer_name"] == "Acme"
    rows, _ = profiles_tab.page(assignments, None, None, ("customer_name", "asc"), 1, 5)
    assert [r["customer_id"] for r in rows] == ["c", "b"]  # Acme, Beta, then the team without a name
    assert profiles_tab.sort_params([{"colId": "1; drop", "sort": "asc"}]) == profiles_tab.DEFAULT_SORT


# ---------------------------------------------------------------- callbacks, through Dash's HTTP endpoint

@pytest.fixture(scope="module")
def client(usage):
    app = dash.Dash(__name__, suppress_callback_exceptions=True)
    app.layout = html.Div([dcc.Store(id="filters"), tab.layout()])
    tab.register(app, usage)
    return app.server.test_client()


def call(client, outputs: list[tuple[str, str]], inputs: list[tuple[str, str, object]],
         state: list[tuple[str, str, object]] = (), changed: str | None = None) -> dict:
    payload = {
        "output": ".." + "...".join(f"{i}.{p}" for i, p in outputs) + "..",
        "outputs": [{"id": i, "property": p} for i, p in outputs],
        "inputs": [{"id": i, "property": p, "value": v} for i, p, v in inputs],
        "state": [{"id": i, "property": p, "value": v} for i, p, v in state],
        "changedPropIds": [changed] if changed else [],
    }
    response = client.post("/_dash-update-component", json=payload)
    assert response.status_code == 200, response.data[:500]
    return json.loads(response.data)["response"]


def test_pickers_and_funnel_callbacks(client):
    picked = call(client, [("usage-feature-pick", "options"), ("usage-feature-pick", "value"),
                           ("usage-funnel-steps", "options"), ("usage-funnel-steps", "value")],
                  [("usage-feature-pick", "id", "usage-feature-pick")],
                  [("usage-feature-pick", "value", None), ("usage-funnel-steps", "value", None)])
    assert picked["usage-feature-pick"]["value"] == "search"
    assert picked["usage-funnel-steps"]["value"] == FEATURES  # all three: fewer than the default four exist
    funnel = call(client, [("usage-funnel-body", "children"), ("usage-funnel-retry", "className")],
                  [("filters", "data", MARCH.to_dict()), ("usage-funnel-steps", "value", ["export", "search"]),
                   ("usage-funnel-retry", "n_clicks", None)], changed="usage-funnel-steps.value")
    graph = funnel["usage-funnel-body"]["children"]
    trace = graph["props"]["figure"]["data"][0]
    assert graph["type"] == "Graph" and trace["y"] == ["1. export", "2. search"]
    assert np.frombuffer(base64.b64decode(trace["x"]["bdata"]), dtype=trace["x"]["dtype"]).tolist() == [2, 2]


@pytest.mark.parametrize("chart", ["usage-last-activity", "usage-most-active", "usage-feature-volume",
                                   "usage-feature-trend", "usage-adoption", "usage-stickiness"])
def test_chart_callbacks_return_figures(client, chart):
    result = call(client, [(f"{chart}-body", "children"), (f"{chart}-retry", "className")],
                  [("filters", "data", MARCH.to_dict()), (f"{chart}-retry", "n_clicks", None)], changed="filters.data")
    assert result[f"{chart}-body"]["children"]["type"] == "Graph"
    assert result[f"{chart}-retry"]["className"] == "d-none"


def test_profiles_callbacks(client, usage):
    run = call(client, [("usage-profiles-run", "data"), ("usage-profiles-status", "children"),
                        ("usage-profiles-filter", "options"), ("usage-profiles-filter", "value")],
               [("filters", "data", MARCH.to_dict())], [("usage-profiles-filter", "value", "gone-focused")],
               changed="filters.data")
    assert run["usage-profiles-filter"]["value"] == profiles_tab.ALL_PROFILES  # a profile no longer there
    # events per member in the 90 days: X 9 / 2 = 4.5, Y 6, Z 1; the median is 4.5 and Z is below 25 % of it
    # (1.125): Under-engaged. X and Y are fewer than the ten teams needed to cluster: one "Balanced" profile.
    assert "3 teams in view" in run["usage-profiles-status"]["children"]
    labels = [o["value"] for o in run["usage-profiles-filter"]["options"]]
    assert labels == [profiles_tab.ALL_PROFILES, "Balanced", "Under-engaged"]
    rows = call(client, [(profiles_tab.GRID_ID, "getRowsResponse"), ("usage-profiles-count", "children")],
                [(profiles_tab.GRID_ID, "getRowsRequest", {"startRow": 0, "endRow": 100, "sortModel": []})],
                [("usage-profiles-run", "data", run["usage-profiles-run"]["data"]),
                 ("usage-profiles-filter", "value", "Under-engaged"), ("usage-profiles-search", "value", None)],
                changed=f"{profiles_tab.GRID_ID}.getRowsRequest")
    response = rows[profiles_tab.GRID_ID]["getRowsResponse"]
    assert response["rowCount"] == 1 and response["rowData"][0]["customer_id"] == "Z"
    assert any((usage.path.parent / "models" / "team_profiles").glob("*/*.joblib"))  # persisted with the warehouse


def test_every_callback_id_is_in_the_layout(usage):
    used, count = callback_ids(tab, usage)
    assert used <= layout_ids(tab.layout()) | {"filters"}, used - layout_ids(tab.layout())
    # KPI cards and one per check-up chart; features: four charts, the pickers, top teams, correlation, funnel;
    # profiles: the run, the mix, the grid's rows (the grid refresh is a client-side callback, counted too)
    assert count == 1 + len(tab.CHARTS) + len(features_tab.CHARTS) + 4 + 4


# ---------------------------------------------------------------- reports: the cards with controls in their first state

def test_reports_show_the_cards_with_controls_as_the_tab_first_shows_them(usage):
    from reports.content import build_tab_data, build_tab_report
    from reports.html import to_html

    cards = {card.chart_id: card.body for card in build_tab_report(usage, "usage", MARCH).cards}
    # the most used feature (search): X 6 events, Y 2, Z 1 (test_feature_top_teams)
    teams = cards["usage-feature-teams"]
    assert sorted(int(x) for x in teams.data[0].x) == [1, 2, 6]  # Z has one search event too
    # the funnel over the default steps: all three features, most used first
    assert list(cards["usage-funnel"].data[0].y) == [f"{n}. {f}" for n, f in enumerate(FEATURES, start=1)]
    assert cards["usage-correlation"].data[0].type == "heatmap"
    # the teams table on paper: every team (three, fewer than the 50 printed), most events first (X 9, Y 6, Z 1)
    grid = str(to_html(cards[profiles_tab.GRID_ID], lambda _f: ""))
    assert "All 3 teams, most usage events in the window first." in grid
    assert grid.index(">X<") < grid.index(">Y<") < grid.index(">Z<")
    data = {card.card_id: dict(card.frames) for card in build_tab_data(usage, "usage", MARCH).cards}
    assert sorted(data[profiles_tab.GRID_ID]["team_profiles/teams"]["customer_id"]) == ["X", "Y", "Z"]
    assert list(data["usage-feature-teams"]["usage/feature_top_teams"]["customer_id"]) == ["X", "Y", "Z"]
