"""Users of each team and their product-usage events.

Usage is the largest entity (10M rows at scale M), so it is built and written in chunks of whole users
(about ROWS_PER_CHUNK rows each, one Parquet row group per chunk): memory stays bounded whatever the scale.
Users are written afterwards, because last_login_date is the time of the user's last event.

What the usage marts should find: most teams small (1-5 users) and a few of 50+; power users with >= 20
actions in the last 30 days; teams with no events for 6+ months (churned or dormant); recently onboarded
teams; users who left a still-active team.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa

from etl.demo import population as P
from etl.demo import texts, timeline
from etl.demo.common import make_ids, open_writer, timestamp_array, write_table

ROWS_PER_CHUNK = 1_000_000

ROLES = ("owner", "admin", "editor", "viewer")
_ROLE_P = np.array([0.0, 0.10, 0.45, 0.45])  # for everyone but the team's first user, who owns the account
_ROLE_RATE = np.array([1.0, 1.1, 1.2, 0.6])  # viewers use the product less
# Global feature popularity (texts.FEATURES order); each user also has a favourite feature.
_FEATURE_P = np.array([18, 9, 22, 10, 7, 8, 5, 7, 8, 6], float)
_FEATURE_P /= _FEATURE_P.sum()
_MACHINE = np.isin(np.array(texts.FEATURES), ("api_call", "integration_sync"))  # scripted: many calls per row


@dataclass
class Users:
    """Per-user arrays (index = user number - 1); users are numbered team by team."""

    team: np.ndarray
    join: np.ndarray
    stop: np.ndarray
    role: np.ndarray
    intensity: np.ndarray
    favourite: np.ndarray

    @property
    def n(self) -> int:
        return len(self.team)


def build_users(pop: P.Population, rng: np.random.Generator) -> Users:
    team = np.repeat(np.arange(pop.n), pop.n_users)
    n = len(team)
    first = np.ones(n, bool)
    first[1:] = team[1:] != team[:-1]
    signup, stop = pop.signup[team], pop.stop[team]
    # Teams grow: the first user joins at sign-up, the others over the team's life (more of them early).
    join = np.where(first, signup, signup + (rng.random(n) ** 2 * (stop - signup + 1)).astype(np.int32))
    join = np.minimum(join, stop)
    # About 8% of the others have left the team before it stopped (inactive users in active teams).
    leaves = ~first & (rng.random(n) < 0.08)
    user_stop = np.where(leaves, join + (rng.random(n) * (stop - join)).astype(np.int32), stop)
    role = np.where(first, 0, rng.choice(len(ROLES), n, p=_ROLE_P))
    return Users(team=team, join=join.astype(np.int32), stop=user_stop.astype(np.int32), role=role,
                 intensity=np.exp(rng.normal(0.0, 1.1, n)),
                 favourite=rng.choice(len(texts.FEATURES), n, p=_FEATURE_P))


def _chunk_bounds(counts: np.ndarray) -> list[tuple[int, int]]:
    """User ranges [a, b) holding about ROWS_PER_CHUNK rows each."""
    ends = np.cumsum(counts)
    cuts = np.searchsorted(ends, np.arange(ROWS_PER_CHUNK, ends[-1], ROWS_PER_CHUNK), side="left") + 1
    edges = [0, *sorted(set(int(c) for c in cuts if 0 < c < len(counts))), len(counts)]
    return list(zip(edges[:-1], edges[1:], strict=True))


def write_usage(pop: P.Population, users: Users, user_ids: pa.Array, total: int, path: Path,
                noise: np.ndarray, rng: np.random.Generator,
                progress: Callable[[str, int], None] | None = None) -> np.ndarray:
    """Write usage_events chunk by chunk; return each user's last event time (us), -1 for none."""
    window = (users.stop - users.join + 1).astype(np.float64)
    archetype_rate = P.RATES["usage"][pop.archetype[users.team]]
    weight = users.intensity * _ROLE_RATE[users.role] * archetype_rate * window ** 0.9
    counts = P.allocate(total, weight, rng)
    cum = timeline.cumulative(timeline.day_weights("usage", noise))
    shape_of_user = P.USAGE_SHAPE[pop.archetype[users.team]]
    last_event = np.full(users.n, -1, np.int64)
    written = 0
    with open_writer("usage_events", path) as writer:
        for a, b in _chunk_bounds(counts):
            user = np.repeat(np.arange(a, b), counts[a:b])
            n = len(user)
            if n == 0:
                continue
            day, _ = timeline.sample_days(rng, cum, users.join[user], users.stop[user], shape_of_user[user])
            ts = timeline.timestamps_us(day, timeline.sample_seconds(rng, "usage", n))
            order = np.lexsort((ts, user))  # by user, then time: compact files and an easy last login
            user, ts = user[order], ts[order]
            anyone = rng.choice(len(_FEATURE_P), n, p=_FEATURE_P)
            feature = np.where(rng.random(n) < 0.3, users.favourite[user], anyone)
            lam = np.clip(0.7 * np.sqrt(users.intensity[user]), 0.2, 6.0)
            lam = lam * np.where(_MACHINE[feature], 3.0, 1.0)
            events = 1 + rng.poisson(lam)
            is_last = np.ones(n, bool)
            is_last[:-1] = user[1:] != user[:-1]
            last_event[user[is_last]] = ts[is_last]
            writer.write_table(pa.table({
                "user_id": user_ids.take(pa.array(user)),
                "customer_id": pop.ids.take(pa.array(users.team[user])),
                "event_date": timestamp_array(ts),
                "feature_name": pa.array(texts.FEATURES).take(pa.array(feature)),
                "events_count": pa.array(events.astype(np.int32), pa.int32()),
            }))
            written += n
            if progress:
                progress("usage_events", written)
    return last_event


def write_users(pop: P.Population, users: Users, user_ids: pa.Array, last_event: np.ndarray, path: Path,
                rng: np.random.Generator) -> int:
    table = pa.table({
        "user_id": user_ids,
        "customer_id": pop.ids.take(pa.array(users.team)),
        "user_name": texts.person_names(pop.lang[users.team], rng),
        "join_date": pa.array(timeline.dates32(users.join), pa.date32()),
        # Never-active users (invited, never used a tracked feature) have no last login.
        "last_login_date": timestamp_array(np.maximum(last_event, 0), mask=last_event < 0),
        "role": pa.array(ROLES).take(pa.array(users.role)),
    })
    write_table("users", table, path)
    return table.num_rows


def user_ids(count: int) -> pa.Array:
    return make_ids("USR", count)
