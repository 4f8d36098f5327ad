"""Team usage profiles for the Usage tab (docs/usage.md#team-usage-profiles): teams grouped by their feature mix.

Input: two query results, sql/queries/usage/profile_teams.sql (every team in view, with its events in the window)
and sql/queries/usage/team_feature_mix.sql (its events per feature in the window); this module runs no SQL.
Window: the last PROFILE_WINDOW_DAYS days of the warehouse's as_of_date (the date range does not apply, as for the
customer clusters). Steps, first match per team:
  1. "No recent use": no usage event in the window (never used included).
  2. "Under-engaged": events per team member in the window below UNDER_ENGAGED_RATIO × the median of the teams in
     view that used the product in the window. Set apart before clustering: a team with a handful of events has a
     mix made of chance (three searches would make it "search-focused").
  3. The other teams: the share of the team's window events per feature; KMeans on those shares (they are already on
     one scale, 0..1, so no scaling) with k by the best silhouette (insight.clustering's fit, K_RANGE, fixed samples);
     each cluster named from its mean shares against the mean shares of all clustered teams (name_profile).
The result is cached per warehouse version and customer filters by insight.store.ResultStore (memory and a
joblib file next to the warehouse, directory models/team_profiles)."""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import sklearn
from threadpoolctl import threadpool_limits

from insight import clustering
from insight.store import ResultStore

# Part of every cache key: a change to the rules or maths below never serves a result persisted by the old code.
PROFILES_VERSION = "1"
PROFILE_WINDOW_DAYS = 90      # the mix of the last 90 days: recent enough to be today's use, long enough to be stable
UNDER_ENGAGED_RATIO = 0.25    # events per member < 25 % of the median team's -> Under-engaged
FOCUS_LIFT = 1.5              # a feature marks a profile when its mean share is >= 1.5× the share over all teams ...
FOCUS_MIN_SHARE = 0.15        # ... and at least 15 % of the profile's events (a rare feature doubling is no focus)
MAX_FOCUS_FEATURES = 2        # "search & export-focused" at most
MIN_TEAMS = 10                # fewer engaged teams: no clustering, one "Balanced" profile
NO_RECENT_USE = "No recent use"
UNDER_ENGAGED = "Under-engaged"
BALANCED = "Balanced"


@dataclass
class TeamProfiles:
    status: str                        # "ok", or "too_few" (fewer than MIN_TEAMS engaged teams: not clustered)
    message: str
    teams: int                         # in view
    clustered: int = 0                 # engaged teams, grouped by KMeans
    features: tuple[str, ...] = ()     # the mix's features, most used first (over the teams in view)
    k: int = 0
    silhouette_by_k: dict[int, float] = field(default_factory=dict)
    silhouette: float | None = None
    fitted_on: int = 0
    median_events_per_member: float | None = None   # of the teams with usage in the window: the Under-engaged bar
    # one row per team in view: customer_id, customer_name, profile, window_events, team_size, events_per_member,
    # top_feature, top_share, last_activity_date
    assignments: pd.DataFrame | None = None
    # one row per profile (engaged clusters first, then Under-engaged, No recent use): profile, teams, share_of_teams,
    # reason, events_per_member (mean), and the mean share of every feature (columns named after the features)
    profiles: pd.DataFrame | None = None
    fit_seconds: float = 0.0

    @property
    def labels(self) -> list[str]:
        return [] if self.profiles is None else list(self.profiles["profile"])


def feature_text(feature: str) -> str:
    """A feature name as words: 'dashboard_view' -> 'dashboard view'."""
    return str(feature).replace("_", " ")


def name_profile(means: pd.Series, overall: pd.Series) -> tuple[str, str]:
    """(name, reason) of an engaged cluster from its mean share per feature and the mean over all clustered teams.

    Focus features: mean share >= FOCUS_LIFT × the overall mean share and >= FOCUS_MIN_SHARE; the strongest lifts first,
    at most MAX_FOCUS_FEATURES -> "<a>-focused" or "<a> & <b>-focused"; none -> "Balanced"."""
    # rounded so that a lift of exactly 1.5 (0.3 / 0.2 = 1.4999999999999998 in floating point) counts as 1.5
    lift = (means / overall.replace(0.0, np.nan)).fillna(0.0).round(9)
    focus = [f for f in lift.sort_values(ascending=False, kind="stable").index
             if lift[f] >= FOCUS_LIFT and means[f] >= FOCUS_MIN_SHARE][:MAX_FOCUS_FEATURES]
    if not focus:
        top = lift.idxmax() if len(lift) else None
        detail = (f"; closest: {feature_text(top)}, {means[top]:.0%} of events, {lift[top]:.2f}× its average"
                  if top is not None else "")
        return BALANCED, (f"no feature both {FOCUS_LIFT:g}× its average share and {FOCUS_MIN_SHARE:.0%} of "
                          f"events{detail}")
    reason = ", ".join(f"{feature_text(f)} {means[f]:.0%} of events vs {overall[f]:.0%} on average" for f in focus)
    return " & ".join(feature_text(f) for f in focus) + "-focused", reason


def profile_teams(teams: pd.DataFrame, mix: pd.DataFrame) -> TeamProfiles:
    """Profiles of the teams in view. `teams`: rows of profile_teams.sql; `mix`: rows of team_feature_mix.sql."""
    started = time.perf_counter()
    teams = teams.sort_values("customer_id", kind="stable").reset_index(drop=True)
    # Why a plain pivot is enough: the query already summed the events per team and feature.
    events = (mix.pivot_table(index="customer_id", columns="feature_name", values="events", aggfunc="first",
                              fill_value=0) if len(mix) else pd.DataFrame(index=pd.Index([], name="customer_id")))
    features = tuple(events.sum().sort_values(ascending=False, kind="stable").index) if events.shape[1] else ()
    events = events.reindex(index=teams["customer_id"], columns=list(features), fill_value=0)
    total = teams["window_events"].to_numpy(dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        shares = pd.DataFrame(events.to_numpy(dtype=float) / total[:, None], columns=list(features))
    per_member = total / np.maximum(teams["team_size"].fillna(0).to_numpy(dtype=float), 1.0)
    used = total > 0
    median = float(np.median(per_member[used])) if used.any() else None
    under = used & (per_member < UNDER_ENGAGED_RATIO * (median or 0.0))
    engaged = used & ~under
    labels = np.where(~used, NO_RECENT_USE, np.where(under, UNDER_ENGAGED, "")).astype(object)

    result = TeamProfiles("ok", "", len(teams), clustered=int(engaged.sum()), features=features,
                          median_events_per_member=median)
    reasons = {NO_RECENT_USE: f"no usage event in the last {PROFILE_WINDOW_DAYS} days",
               UNDER_ENGAGED: (f"events per member below {UNDER_ENGAGED_RATIO:.0%} of the median team's "
                               f"({UNDER_ENGAGED_RATIO * (median or 0.0):.1f} of {median or 0.0:.1f})")}
    order: list[str] = []
    if engaged.sum() >= MIN_TEAMS and len(features) >= 2:
        matrix = shares.loc[engaged].to_numpy()
        # The customer clusters' own sampling and k-by-silhouette fit (same package): one implementation of both.
        fit_rows = clustering._sample(len(matrix), clustering.FIT_SAMPLE, clustering.RANDOM_STATE)
        with threadpool_limits(1):  # as in insight.clustering: oversubscribed threads are slower on a shared server
            fitted = clustering._fit_kmeans(matrix[fit_rows])
            clusters = fitted["estimator"].predict(matrix)
        result.k = len(set(fitted["labels"]))
        result.silhouette_by_k = fitted["silhouette_by_k"]
        result.silhouette = result.silhouette_by_k.get(result.k)
        result.fitted_on = len(fit_rows)
        names = _names(shares.loc[engaged], clusters)
        labels[engaged] = [names[c][0] for c in clusters]
        reasons.update(dict(names.values()))
        order = [names[c][0] for c in sorted(names, key=lambda c: -(clusters == c).sum())]
    elif engaged.any():
        result.status = "too_few"
        result.message = (f"{int(engaged.sum())} engaged team{'s' if engaged.sum() != 1 else ''} in view: at least "
                          f"{MIN_TEAMS} with two or more features are needed to cluster; shown as one profile.")
        labels[engaged] = BALANCED
        reasons[BALANCED] = "too few teams to cluster"
        order = [BALANCED]
    order += [label for label in (UNDER_ENGAGED, NO_RECENT_USE) if (labels == label).any()]
    top = shares.fillna(0.0)
    result.assignments = pd.DataFrame({
        "customer_id": teams["customer_id"], "customer_name": teams["customer_name"],
        "profile": pd.Categorical(labels, categories=order), "window_events": teams["window_events"],
        "team_size": teams["team_size"], "events_per_member": np.where(used, per_member, 0.0),
        "top_feature": np.where(used, top.idxmax(axis=1), None) if len(features) else None,
        "top_share": np.where(used, top.max(axis=1), np.nan) if len(features) else np.nan,
        "last_activity_date": teams["last_activity_date"],
    })
    result.profiles = _profile_table(result.assignments, shares, order, reasons)
    result.fit_seconds = time.perf_counter() - started
    return result


def _names(shares: pd.DataFrame, clusters: np.ndarray) -> dict[int, tuple[str, str]]:
    """Cluster id -> (unique name, reason); repeated names are numbered by size ("Balanced 2")."""
    overall = shares.mean()
    ids = sorted(set(clusters), key=lambda c: (-(clusters == c).sum(), c))
    names: dict[int, tuple[str, str]] = {}
    seen: dict[str, int] = {}
    for cluster in ids:
        name, reason = name_profile(shares[clusters == cluster].mean(), overall)
        seen[name] = seen.get(name, 0) + 1
        names[cluster] = (name if seen[name] == 1 else f"{name} {seen[name]}", reason)
    return names


def _profile_table(assignments: pd.DataFrame, shares: pd.DataFrame, order: list[str],
                   reasons: dict[str, str]) -> pd.DataFrame:
    """One row per profile: its teams, their share of the teams in view, the reason for its name, the mean events
    per member and the mean share of each feature (the numbers the name was given from)."""
    rows = []
    for profile in order:
        mask = (assignments["profile"] == profile).to_numpy()
        row: dict[str, Any] = {"profile": profile, "teams": int(mask.sum()),
                               "share_of_teams": float(mask.mean()) if len(mask) else 0.0,
                               "reason": reasons.get(profile, ""),
                               "events_per_member": float(assignments.loc[mask, "events_per_member"].mean())}
        row.update(shares.loc[mask].mean().to_dict() if profile != NO_RECENT_USE else {})
        rows.append(row)
    return pd.DataFrame(rows, columns=["profile", "teams", "share_of_teams", "reason", "events_per_member",
                                       *shares.columns])


class ProfileStore(ResultStore):
    """Team profiles per (warehouse version, scope): the customer filters and the two queries' text."""

    @staticmethod
    def key(version: str, scope: dict[str, Any]) -> str:
        parts = (PROFILES_VERSION, clustering.CLUSTERING_VERSION, sklearn.__version__, version,
                 sorted((k, repr(v)) for k, v in scope.items()))
        return hashlib.sha256(repr(parts).encode()).hexdigest()[:32]

    def get(self, version: str, scope: dict[str, Any], load: Any) -> TeamProfiles:
        """`load()` returns (teams, mix): called only when the result is neither in memory nor on disk."""
        return self.get_or_compute(version, self.key(version, scope), lambda: profile_teams(*load()))
