"""Usage tab in pandas: check-up KPIs, last activity, onboarded and most active teams, feature volume, adoption,
stickiness, correlation, a feature's top teams, the funnel and the inputs of the team profiles."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from bench.baseline.common import (
    CUSTOMER_FILTERS,
    RULES,
    Tables,
    baseline,
    between,
    of_customers_in_view,
    truncate,
)
from bench.baseline.overview import DIMS

TEAM = ["customer_id", "team_size", "active_users_30d", "super_users_30d", "events_30d", "last_activity_date",
        "days_since_last_activity", "is_active_30d", "is_inactive_6m", "onboarded_date"]
USAGE = ["customer_id", "user_id", "feature_name", "activity_date", "events"]
BASE = ["customer_id", "customer_name"]
TEAM_TABLES = {"analytics__mart_team_activity": TEAM, "analytics__customer_base": BASE,
               "analytics__customer_dimensions": DIMS}
USAGE_TABLES = {"analytics__mart_usage_daily": USAGE, "analytics__customer_dimensions": DIMS}
ACTIVE_WINDOW_DAYS = RULES["usage"]["active_window_days"]


def _teams(tables: Tables, params: dict[str, Any]) -> pd.DataFrame:
    teams = tables["analytics.mart_team_activity"]
    return teams[of_customers_in_view(teams, tables, params)]


def _named(tables: Tables, frame: pd.DataFrame) -> pd.DataFrame:
    return frame.merge(tables["analytics.customer_base"][BASE], on="customer_id")


def _usage(tables: Tables, params: dict[str, Any]) -> pd.DataFrame:
    """Usage rows in the date range of the teams in view."""
    usage = tables["analytics.mart_usage_daily"]
    in_range = usage[between(usage["activity_date"], params)]
    return in_range[of_customers_in_view(in_range, tables, params)]


@baseline("usage/checkup", analytics__warehouse_as_of=["as_of_date"], analytics__mart_usage_daily=USAGE,
          **TEAM_TABLES)
def checkup(tables: Tables, params: dict[str, Any]) -> pd.DataFrame:
    teams = _teams(tables, params)
    used = teams[teams["last_activity_date"].notna()]
    recent = used.sort_values(["last_activity_date", "events_30d", "customer_id"], ascending=[False, False, True])
    most_recent = recent.iloc[0] if len(recent) else None
    names = tables["analytics.customer_base"].set_index("customer_id")["customer_name"]
    return pd.DataFrame([{
        "teams": len(teams), "teams_with_users": int((teams["team_size"] > 0).sum()),
        "active_teams_30d": int(teams["is_active_30d"].sum()), "inactive_teams_6m": int(teams["is_inactive_6m"].sum()),
        "never_used_teams": int(teams["last_activity_date"].isna().sum()), "users": int(teams["team_size"].sum()),
        "active_users_30d": int(teams["active_users_30d"].sum()),
        "super_users_30d": int(teams["super_users_30d"].sum()),
        "most_recent_team": None if most_recent is None else most_recent["customer_id"],
        "most_recent_team_name": None if most_recent is None else names.get(most_recent["customer_id"]),
        "most_recent_date": pd.NaT if most_recent is None else most_recent["last_activity_date"],
        "most_recent_ties": 0 if most_recent is None else max(
            int((teams["last_activity_date"] == most_recent["last_activity_date"]).sum()) - 1, 0),
        "as_of_date": tables["analytics.warehouse_as_of"]["as_of_date"].iloc[0],
        "usage_rows": len(tables["analytics.mart_usage_daily"]),
    }])


@baseline("usage/last_activity_distribution", **TEAM_TABLES)
def last_activity_distribution(tables: Tables, params: dict[str, Any]) -> pd.DataFrame:
    teams = _teams(tables, params)
    status = np.select([teams["last_activity_date"].isna(), teams["is_active_30d"], teams["is_inactive_6m"]],
                       ["never", "active", "inactive"], "quiet")
    month = truncate(teams["last_activity_date"], "month").rename("last_activity_month")
    counted = teams.groupby([month, pd.Series(status, index=teams.index, name="activity_status")], dropna=False).size()
    return counted.rename("teams").reset_index().sort_values(["last_activity_month", "activity_status"],
                                                             na_position="last")


@baseline("usage/recently_onboarded", **TEAM_TABLES)
def recently_onboarded(tables: Tables, params: dict[str, Any]) -> pd.DataFrame:
    teams = _named(tables, _teams(tables, params))
    teams = teams.sort_values(["onboarded_date", "customer_id"], ascending=[False, True], na_position="last")
    return teams.head(params["limit"])[["customer_id", "customer_name", "onboarded_date", "team_size",
                                        "active_users_30d", "events_30d", "last_activity_date"]]


@baseline("usage/most_active_teams", **TEAM_TABLES)
def most_active_teams(tables: Tables, params: dict[str, Any]) -> pd.DataFrame:
    teams = _teams(tables, params)
    teams = _named(tables, teams[teams["events_30d"] > 0])
    teams = teams.sort_values(["events_30d", "customer_id"], ascending=[False, True])
    return teams.head(params["limit"])[["customer_id", "customer_name", "events_30d", "active_users_30d",
                                        "super_users_30d", "team_size", "last_activity_date"]]


@baseline("usage/feature_list", analytics__mart_feature_usage_daily=["feature_name", "activity_date", "events"])
def feature_list(tables: Tables, params: dict[str, Any]) -> pd.DataFrame:
    totals = tables["analytics.mart_feature_usage_daily"].groupby("feature_name")["events"].sum().reset_index()
    return totals.sort_values(["events", "feature_name"], ascending=[False, True])


@baseline("usage/feature_volume", analytics__mart_feature_usage_daily=["feature_name", "activity_date", "events"],
          **USAGE_TABLES)
def feature_volume(tables: Tables, params: dict[str, Any]) -> pd.DataFrame:
    if all(params.get(name) is None for name in CUSTOMER_FILTERS):  # every team: the per-feature mart, as the SQL
        daily = tables["analytics.mart_feature_usage_daily"]
        daily = daily[between(daily["activity_date"], params)]
    else:
        daily = _usage(tables, params)
    periods = (daily.groupby(["feature_name", truncate(daily["activity_date"], params["grain"]).rename("period")])
               ["events"].sum().reset_index())
    features = periods.groupby("feature_name")["events"].sum().rename("feature_events").reset_index()
    features["feature_share"] = features["feature_events"] / features["feature_events"].sum()
    features = features.sort_values(["feature_events", "feature_name"], ascending=[False, True])
    features["feature_rank"] = np.arange(1, len(features) + 1)
    return periods.merge(features, on="feature_name").sort_values(["feature_rank", "period"])


def _used(usage: pd.DataFrame, features: list[str], level: str) -> pd.DataFrame:
    """One row per active team or user (level), one boolean column per listed feature: used it or not."""
    keys = ["customer_id"] if level == "teams" else ["customer_id", "user_id"]
    active = usage[keys].drop_duplicates().set_index(keys)
    listed = usage[usage["feature_name"].isin(features)][[*keys, "feature_name"]].drop_duplicates()
    matrix = listed.assign(used=True).set_index([*keys, "feature_name"])["used"].unstack(fill_value=False)
    return active.join(matrix).reindex(columns=features).fillna(False).astype(bool)


@baseline("usage/feature_adoption", **USAGE_TABLES)
def feature_adoption(tables: Tables, params: dict[str, Any]) -> pd.DataFrame:
    usage, features = _usage(tables, params), list(params["features"])
    teams, users = _used(usage, features, "teams"), _used(usage, features, "users")
    frame = pd.DataFrame({"feature_name": features, "active_teams": len(teams),
                          "teams_using": teams.sum().to_numpy(dtype=int), "active_users": len(users),
                          "users_using": users.sum().to_numpy(dtype=int)})
    frame["team_adoption"] = frame["teams_using"] / frame["active_teams"].replace(0, np.nan)
    frame["user_adoption"] = frame["users_using"] / frame["active_users"].replace(0, np.nan)
    return frame


@baseline("usage/feature_correlation", **USAGE_TABLES)
def feature_correlation(tables: Tables, params: dict[str, Any]) -> pd.DataFrame:
    usage, features = _usage(tables, params), list(params["features"])
    rows = []
    for level in ("teams", "users"):
        used = _used(usage, features, level).to_numpy(dtype=float)
        entities, using, both = len(used), used.sum(axis=0), used.T @ used
        for a, feature_a in enumerate(features):
            for b, feature_b in enumerate(features):
                denominator = np.sqrt(using[a] * (entities - using[a]) * using[b] * (entities - using[b]))
                rows.append({"level": level, "feature_a": feature_a, "feature_b": feature_b, "entities": entities,
                             "using_a": using[a], "using_b": using[b], "using_both": both[a, b],
                             "phi": (entities * both[a, b] - using[a] * using[b]) / denominator
                             if denominator else np.nan,
                             "share_of_a_using_b": both[a, b] / using[a] if using[a] else np.nan})
    return pd.DataFrame(rows, columns=["level", "feature_a", "feature_b", "entities", "using_a", "using_b",
                                       "using_both", "phi", "share_of_a_using_b"])


@baseline("usage/funnel", **USAGE_TABLES)
def funnel(tables: Tables, params: dict[str, Any]) -> pd.DataFrame:
    usage, keys = _usage(tables, params), ["customer_id", "user_id"]
    rows, previous = [], None
    for step, feature in enumerate(params["funnel_features"], start=1):
        used = usage[usage["feature_name"] == feature][[*keys, "activity_date"]]
        if previous is not None:  # the first day on or after the day the previous step was reached
            used = used.merge(previous, on=keys)
            used = used[used["activity_date"] >= used["reached"]]
        reached = used.groupby(keys)["activity_date"].min().rename("reached").reset_index()
        days = None if previous is None else (reached["reached"] - reached[keys].merge(previous, on=keys)["reached"])
        rows.append({"step": step, "feature_name": feature, "users": len(reached),
                     "teams": reached["customer_id"].nunique(),
                     "median_days_from_previous": np.nan if days is None or days.empty else days.dt.days.median()})
        previous = reached
    frame = pd.DataFrame(rows, columns=["step", "feature_name", "users", "teams", "median_days_from_previous"])
    users = frame["users"].astype(float)
    frame["share_of_first"] = users / (users.iloc[0] if len(users) and users.iloc[0] else np.nan)
    frame["share_of_previous"] = users / users.shift(1).replace(0, np.nan)
    return frame[["step", "feature_name", "users", "teams", "share_of_first", "share_of_previous",
                  "median_days_from_previous"]]


@baseline("usage/stickiness", **USAGE_TABLES)
def stickiness(tables: Tables, params: dict[str, Any]) -> pd.DataFrame:
    last = pd.Timestamp(params["date_to"])
    first = max(pd.Timestamp(params["date_from"]), last - pd.Timedelta(days=ACTIVE_WINDOW_DAYS - 1))
    usage = tables["analytics.mart_usage_daily"]
    usage = usage[usage["activity_date"].between(first, last)]
    usage = usage[of_customers_in_view(usage, tables, params)]
    days = (last - first).days + 1
    users = usage[["customer_id", "user_id"]].drop_duplicates()
    user_days = len(usage[["customer_id", "user_id", "activity_date"]].drop_duplicates())
    rows = [{"is_overall": True, "feature_name": "All features", "position": 0, "user_days": user_days,
             "mau": len(users)}]
    if len(users):  # the SQL's feature rows come from a cross join with the users' masks: none without users
        user_days_of = usage.groupby("feature_name").size()  # a row per team, user, feature and day
        mau = usage[["customer_id", "user_id", "feature_name"]].drop_duplicates().groupby("feature_name").size()
        for position, feature in enumerate(params["features"], start=1):
            rows.append({"is_overall": False, "feature_name": feature, "position": position,
                         "user_days": int(user_days_of.get(feature, 0)), "mau": int(mau.get(feature, 0))})
    frame = pd.DataFrame(rows)
    frame["window_first_day"], frame["window_last_day"], frame["window_days"] = first, last, days
    frame["dau"] = frame["user_days"] / days
    frame["stickiness"] = frame["dau"] / frame["mau"].replace(0, np.nan)
    frame = frame.sort_values(["is_overall", "stickiness", "position"], ascending=[False, False, True],
                              na_position="last")
    return frame[["is_overall", "feature_name", "window_first_day", "window_last_day", "window_days", "dau", "mau",
                  "stickiness"]]


@baseline("usage/feature_top_teams", analytics__customer_base=BASE, **USAGE_TABLES)
def feature_top_teams(tables: Tables, params: dict[str, Any]) -> pd.DataFrame:
    usage = _usage(tables, params)
    feature = usage[usage["feature_name"] == params["feature"]]
    teams = feature.groupby("customer_id").agg(events=("events", "sum"), users=("user_id", "nunique"),
                                               active_days=("activity_date", "nunique")).reset_index()
    teams = teams.sort_values(["events", "customer_id"], ascending=[False, True]).head(params["limit"])
    all_events = usage[usage["customer_id"].isin(teams["customer_id"])].groupby("customer_id")["events"].sum()
    # astype: with no team in view the empty map would be typed as text (pandas 3), and the division would fail
    teams["team_share"] = teams["events"] / teams["customer_id"].map(all_events).astype("float64")
    return _named(tables, teams)[["customer_id", "customer_name", "events", "users", "active_days", "team_share"]]


def _window(tables: Tables, params: dict[str, Any]) -> pd.DataFrame:
    usage = tables["analytics.mart_usage_daily"]
    start = tables["analytics.warehouse_as_of"]["as_of_date"].iloc[0] - pd.Timedelta(days=params["window_days"])
    return usage[usage["activity_date"] > start]


@baseline("usage/profile_teams", analytics__warehouse_as_of=["as_of_date"], analytics__mart_usage_daily=USAGE,
          **TEAM_TABLES)
def profile_teams(tables: Tables, params: dict[str, Any]) -> pd.DataFrame:
    window = _window(tables, params).groupby("customer_id")["events"].sum()
    teams = _named(tables, _teams(tables, params))
    teams["window_events"] = teams["customer_id"].map(window).fillna(0).astype(int)
    return teams.sort_values("customer_id")[["customer_id", "customer_name", "team_size", "window_events",
                                             "last_activity_date", "days_since_last_activity"]]


@baseline("usage/team_feature_mix", analytics__warehouse_as_of=["as_of_date"], **USAGE_TABLES)
def team_feature_mix(tables: Tables, params: dict[str, Any]) -> pd.DataFrame:
    window = _window(tables, params)
    mix = window.groupby(["customer_id", "feature_name"])["events"].sum().reset_index()
    return mix[of_customers_in_view(mix, tables, params)]
