"""Deterministic, seeded demo data for Customer Insight: one Parquet file per source-contract entity.

    generate("M", Path("data/demo_m"))  # -> {"customers": .../customers.parquet, ...}

Same scale + seed => byte-identical files: every random draw comes from a numpy Generator spawned from the
seed in a fixed order (one stream per entity, so entities do not shift each other), the data ends at a
fixed date (timeline.END_DATE, 2026-10-31) and no wall clock or hash-randomised ordering is used.

How the data hangs together is described in population.py (archetypes), timeline.py (dates),
activity.py (interactions, reviews, tickets, orders), usage.py (users, usage events) and texts.py (texts).
"""

from __future__ import annotations

from collections.abc import Callable
from math import sqrt
from pathlib import Path

import numpy as np

from etl.demo import activity, texts, timeline, usage
from etl.demo import population as P
from etl.demo.common import make_ids, write_table

ENTITIES = ("customers", "interactions", "reviews", "tickets", "usage_events", "users", "orders")

# Row counts per entity. They are exact: rows are allocated over customers/users by a multinomial draw with
# a fixed total. S is for tests and a laptop demo; M is the benchmark scale (about 14M rows, well under two
# minutes on 2 cores); L is 10x M, only generated on demand.
SCALES: dict[str, dict[str, int]] = {
    "S": {"customers": 1_000, "interactions": 10_000, "reviews": 10_000, "tickets": 10_000,
          "usage_events": 100_000, "users": 4_000, "orders": 10_000},
    "M": {"customers": 100_000, "interactions": 1_000_000, "reviews": 1_000_000, "tickets": 1_000_000,
          "usage_events": 10_000_000, "users": 400_000, "orders": 1_000_000},
    "L": {"customers": 1_000_000, "interactions": 10_000_000, "reviews": 10_000_000, "tickets": 10_000_000,
          "usage_events": 100_000_000, "users": 4_000_000, "orders": 10_000_000},
}

# Order in which the seed's child streams are handed out. Append new streams at the end: reordering
# would change every file.
_STREAMS = ("calendar", "population", "customers", "texts", "interactions", "reviews", "tickets", "users",
            "usage_events", "orders")


def staff_counts(customers: int) -> tuple[int, int]:
    """(CSM owners, support agents): ~20 and ~40 at 1,000 customers, growing with the square root."""
    factor = sqrt(customers / 1_000)
    return max(3, round(20 * factor)), max(5, round(40 * factor))


def generate(scale: str, out_dir: Path, seed: int = 42,
             progress: Callable[[str, int], None] | None = None) -> dict[str, Path]:
    """Write one Parquet file per entity into out_dir, named <entity>.parquet with the canonical entity
    names of the contract: customers, interactions, reviews, tickets, usage_events, users, orders.
    Returns entity -> path. Same scale + seed => byte-identical files (deterministic; no wall clock: the
    data ends at a fixed date, 2026-10-31).

    progress(entity, rows_written) is called after each file, and after each chunk of usage events.
    """
    if scale not in SCALES:
        raise ValueError(f"unknown scale {scale!r}; expected one of {', '.join(SCALES)}")
    sizes = SCALES[scale]
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = {entity: out_dir / f"{entity}.parquet" for entity in ENTITIES}
    children = np.random.SeedSequence(seed).spawn(len(_STREAMS))
    rng = {name: np.random.default_rng(child) for name, child in zip(_STREAMS, children, strict=True)}

    def done(entity: str, rows: int) -> None:
        if progress:
            progress(entity, rows)

    noise = timeline.daily_noise(rng["calendar"])
    n_customers = sizes["customers"]
    pop = P.build(n_customers, sizes["users"], make_ids("CUST", n_customers), rng["population"], noise)
    n_csm, n_agents = staff_counts(n_customers)
    write_table("customers", P.customers_table(pop, n_csm, rng["customers"]), paths["customers"])
    done("customers", n_customers)

    # Text pools are rendered once (bounded distinct texts, see texts.py), then indexed per row.
    trng = rng["texts"]
    note_pool, review_pool = texts.note_pool(trng), texts.review_pool(trng)
    ticket_pool = texts.ticket_pool(trng)
    ctx = activity.Context(pop=pop, noise=noise)
    builders = {
        "interactions": lambda r: activity.interactions(ctx, sizes["interactions"], n_agents, note_pool, r),
        "reviews": lambda r: activity.reviews(ctx, sizes["reviews"], review_pool, r),
        "tickets": lambda r: activity.tickets(ctx, sizes["tickets"], ticket_pool, r),
    }
    for entity, build in builders.items():
        table = build(rng[entity])
        write_table(entity, table, paths[entity])
        done(entity, table.num_rows)
        del table  # free the text columns before the next entity

    users = usage.build_users(pop, rng["users"])
    ids = usage.user_ids(users.n)
    last_event = usage.write_usage(pop, users, ids, sizes["usage_events"], paths["usage_events"], noise,
                                   rng["usage_events"], progress)
    done("users", usage.write_users(pop, users, ids, last_event, paths["users"], rng["users"]))

    orders = activity.orders(ctx, sizes["orders"], rng["orders"])
    write_table("orders", orders, paths["orders"])
    done("orders", orders.num_rows)
    return paths
