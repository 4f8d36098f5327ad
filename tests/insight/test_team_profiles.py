"""Team usage profiles (insight/team_profiles.py) on synthetic teams whose feature mixes are well separated.

Four clusters of 30 engaged teams each (1,000 events in the window, 2 members: 500 per member), over the features
search, export, dashboard_view and share, with ±0.02 noise on each share (then renormalised):

    cluster              search  export  dashboard_view  share
    search-focused        0.55    0.15       0.15        0.15
    export-focused        0.15    0.55       0.15        0.15
    dashboard-focused     0.15    0.15       0.55        0.15
    balanced              0.25    0.25       0.25        0.25

Mean shares over the 120 clustered teams: 0.275 for search, export and dashboard_view, 0.175 for share. A focused
cluster's feature: 0.55 / 0.275 = 2.0× its average and 55 % of events -> "<feature>-focused". The balanced cluster:
search, export, dashboard_view 0.25 / 0.275 = 0.91×, share 0.25 / 0.175 = 1.43× (< 1.5×) -> "Balanced".
Plus 12 teams with 4 events and 4 members (1 per member; the median team has 500, and 1 < 25 % of it) ->
"Under-engaged", and 6 teams without events in the window -> "No recent use".
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from insight import team_profiles
from insight.team_profiles import (
    BALANCED,
    NO_RECENT_USE,
    UNDER_ENGAGED,
    ProfileStore,
    name_profile,
    profile_teams,
)

FEATURES = ["search", "export", "dashboard_view", "share"]
CLUSTERS = {
    "search-focused": [0.55, 0.15, 0.15, 0.15],
    "export-focused": [0.15, 0.55, 0.15, 0.15],
    "dashboard view-focused": [0.15, 0.15, 0.55, 0.15],
    BALANCED: [0.25, 0.25, 0.25, 0.25],
}


def synthetic(seed: int = 3, per_cluster: int = 30, under: int = 12) -> tuple[pd.DataFrame, pd.DataFrame,
                                                                               dict[str, str]]:
    """(teams, mix, truth): the rows of profile_teams.sql and team_feature_mix.sql, and each team's expected name."""
    rng = np.random.default_rng(seed)
    teams, mix, truth = [], [], {}
    number = 0

    def add(name: str, shares: list[float] | None, events: int, members: int) -> None:
        nonlocal number
        team = f"T{number:04d}"
        number += 1
        truth[team] = name
        counts = [0] * len(FEATURES)
        if shares is not None:
            noisy = np.clip(np.array(shares) + rng.uniform(-0.02, 0.02, len(shares)), 0.01, None)
            counts = list(np.round(noisy / noisy.sum() * events).astype(int))
            mix.extend({"customer_id": team, "feature_name": f, "events": c}
                       for f, c in zip(FEATURES, counts, strict=True) if c)
        teams.append({"customer_id": team, "customer_name": f"Team {team}", "team_size": members,
                      "window_events": int(sum(counts)), "last_activity_date": pd.Timestamp("2024-06-30"),
                      "days_since_last_activity": 0})

    for name, shares in CLUSTERS.items():
        for _ in range(per_cluster):
            add(name, shares, 1000, 2)
    for _ in range(under):
        add(UNDER_ENGAGED, [0.25, 0.25, 0.25, 0.25], 4, 4)
    for _ in range(6):
        add(NO_RECENT_USE, None, 0, 3)
    order = rng.permutation(len(teams))  # the queries' row order must not matter
    return pd.DataFrame(teams).iloc[order], pd.DataFrame(mix).sample(frac=1.0, random_state=seed), truth


def test_well_separated_mixes_get_the_right_names():
    teams, mix, truth = synthetic()
    result = profile_teams(teams, mix)
    assert result.status == "ok" and result.k == 4 and result.clustered == 120
    got = result.assignments.set_index("customer_id")["profile"].astype(str)
    assert got.to_dict() == truth
    assert result.labels[-2:] == [UNDER_ENGAGED, NO_RECENT_USE]
    assert set(result.labels[:4]) == set(CLUSTERS)
    assert result.silhouette is not None and result.silhouette > 0.5
    assert result.features[-1] == "share"  # the least used feature last


def test_profile_table_holds_the_numbers_the_names_come_from():
    teams, mix, _ = synthetic()
    profiles = profile_teams(teams, mix).profiles.set_index("profile")
    assert profiles.loc["search-focused", "teams"] == 30
    assert profiles.loc["search-focused", "share_of_teams"] == pytest.approx(30 / 138)
    assert profiles.loc["search-focused", "search"] == pytest.approx(0.55, abs=0.01)
    assert profiles.loc["search-focused", "reason"].startswith("search 55% of events vs 2")
    assert "closest: share" in profiles.loc[BALANCED, "reason"]
    assert profiles.loc[UNDER_ENGAGED, "events_per_member"] == pytest.approx(1.0)
    assert profiles.loc[BALANCED, "events_per_member"] == pytest.approx(500.0, abs=1)
    assert profiles.loc[NO_RECENT_USE, ["search", "share"]].isna().all()


def test_team_rows():
    teams, mix, _ = synthetic()
    rows = profile_teams(teams, mix).assignments.set_index("customer_id")
    assert list(rows.index) == sorted(rows.index)
    team = rows[rows["profile"] == "export-focused"].iloc[0]
    assert team["top_feature"] == "export" and team["top_share"] == pytest.approx(0.55, abs=0.03)
    idle = rows[rows["profile"] == NO_RECENT_USE].iloc[0]
    assert pd.isna(idle["top_feature"]) and np.isnan(idle["top_share"]) and idle["events_per_member"] == 0


def test_name_rules():
    overall = pd.Series({"search": 0.3, "export": 0.2, "share": 0.1})
    assert name_profile(pd.Series({"search": 0.6, "export": 0.3, "share": 0.1}), overall)[0] == \
        "search & export-focused"                       # 2.0× and 1.5×: both, the larger lift first
    assert name_profile(pd.Series({"search": 0.45, "export": 0.29, "share": 0.26}), overall)[0] == \
        "share & search-focused"                        # share 2.6× and 26 %; search exactly 1.5×
    # share triples but stays under 15 % of the events: no focus
    name, reason = name_profile(pd.Series({"search": 0.3, "export": 0.26, "share": 0.14}), overall)
    assert name == BALANCED and "closest: share, 14% of events, 1.40×" in reason
    assert name_profile(pd.Series({"dashboard_view": 0.8}), pd.Series({"dashboard_view": 0.4}))[0] == \
        "dashboard view-focused"


def test_too_few_teams_are_one_profile():
    # 8 engaged teams (fewer than MIN_TEAMS), 2 under-engaged ones (the median team still has 500 per member)
    teams, mix, _ = synthetic(per_cluster=2, under=2)
    result = profile_teams(teams, mix)
    assert result.status == "too_few" and "8 engaged teams" in result.message and result.k == 0
    assert result.labels == [BALANCED, UNDER_ENGAGED, NO_RECENT_USE]
    nobody = profile_teams(teams.assign(window_events=0), mix.iloc[0:0])
    assert nobody.labels == [NO_RECENT_USE] and nobody.median_events_per_member is None
    empty = profile_teams(teams.iloc[0:0], mix.iloc[0:0])
    assert empty.teams == 0 and empty.labels == []


def test_store_fits_once_and_persists(tmp_path):
    teams, mix, _ = synthetic()
    calls = []

    def load():
        calls.append(1)
        return teams, mix

    store = ProfileStore(tmp_path / "team_profiles")
    first = store.get("v1", {"value_segments": None}, load)
    assert store.get("v1", {"value_segments": None}, load) is first and (store.fits, len(calls)) == (1, 1)
    reloaded = ProfileStore(tmp_path / "team_profiles").get("v1", {"value_segments": None}, load)
    assert len(calls) == 1 and reloaded.labels == first.labels
    store.get("v2", {"value_segments": None}, load)  # a new warehouse version replaces the old folder
    assert [p.name for p in (tmp_path / "team_profiles").iterdir()] == ["v2"]
    assert ProfileStore.key("v1", {"a": 1}) != ProfileStore.key("v1", {"a": 2})


def test_window_constant_is_what_the_queries_receive():
    assert team_profiles.PROFILE_WINDOW_DAYS == 90  # docs/usage.md states 90 days
