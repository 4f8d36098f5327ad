"""Customer-level activity: interactions, reviews, tickets and orders, fully vectorised per entity.

Each builder allocates exactly the scale's row count over customers (archetype rate x active window),
draws dates inside each customer's window, derives the customer's mood at that date
(population.latent_sentiment) and picks a matching text from a pre-rendered pool. Rows are sorted by date
before ids are assigned, so ids run in time order as a real system would issue them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from etl.demo import population as P
from etl.demo import texts, timeline
from etl.demo.common import make_ids, timestamp_array


@dataclass
class Context:
    """What every builder needs besides its own random generator."""

    pop: P.Population
    noise: np.ndarray  # shared daily jitter (timeline.daily_noise)


# Interaction channels: (type as in the PRD samples, weight, contact kind used by the note templates).
INTERACTION_TYPES = (
    ("email", 20, "email"), ("support-chat", 15, "chat"), ("call", 14, "call"), ("chat", 10, "chat"),
    ("video-call", 8, "call"), ("scheduled-call", 6, "call"), ("support-portal", 6, "email"),
    ("knowledge-base", 4, "email"), ("community-forum", 3, "chat"), ("social-media", 3, "chat"),
    ("mobile-app", 3, "chat"), ("SMS", 3, "chat"), ("feedback-form", 2, "email"), ("consultation", 2, "call"),
    ("in-person", 1, "call"), ("web-demo", 1, "call"),
)
_TYPE_P = np.array([t[1] for t in INTERACTION_TYPES], float) / sum(t[1] for t in INTERACTION_TYPES)
_TYPE_KIND = np.array([texts.CONTACT_KINDS.index(t[2]) for t in INTERACTION_TYPES])

RESOLVED_STATUSES = ("resolved", "closed")
OPEN_STATUSES = ("open", "in-review", "pending-customer", "escalated", "on-hold", "awaiting-deployment",
                 "reopened", "needs-information", "scheduled")
_OPEN_P = np.array([25, 15, 15, 10, 8, 8, 6, 8, 5], float)
STATUSES = RESOLVED_STATUSES + OPEN_STATUSES
# Category mix of calm vs upset tickets (technical, account, billing, feature-request).
_CATEGORY_P = {0: np.array([0.35, 0.22, 0.23, 0.20]), 1: np.array([0.45, 0.17, 0.35, 0.03])}
_SUB_START = np.array([texts.SUBCATEGORIES.index(s[0]) for s in texts.TICKET_SUBCATEGORIES.values()])
_SUB_COUNT = np.array([len(s) for s in texts.TICKET_SUBCATEGORIES.values()])

_PLAN_ORDER_RATE = np.array([0.1, 1.0, 1.4, 2.2])  # Free plans rarely buy anything
_PLAN_QUANTITY_P = np.array([0.9, 0.6, 0.35, 0.15])  # geometric: bigger plans buy more seats at once
_END_US = timeline.timestamps_us(np.array([0]), np.array([timeline.END_SECONDS]))[0]


def _owners(ctx: Context, entity: str, total: int, exposure: np.ndarray,
            rng: np.random.Generator) -> np.ndarray:
    """Customer index of each row: exactly `total` rows split by archetype rate x exposure."""
    counts = P.allocate(total, P.RATES[entity][ctx.pop.archetype] * exposure, rng)
    return np.repeat(np.arange(ctx.pop.n), counts)


def _dated(ctx: Context, kind: str, cust: np.ndarray, rng: np.random.Generator,
           weights: np.ndarray | None = None,
           shape: np.ndarray | float = 1.0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Draw timestamps in each row's customer window; return (cust, ts_us, pos) sorted by time."""
    cum = timeline.cumulative(timeline.day_weights(kind, ctx.noise) if weights is None else weights)
    day, pos = timeline.sample_days(rng, cum, ctx.pop.signup[cust], ctx.pop.stop[cust], shape)
    ts = timeline.timestamps_us(day, timeline.sample_seconds(rng, kind, len(cust)))
    order = np.argsort(ts, kind="stable")
    return cust[order], ts[order], pos[order]


def interactions(ctx: Context, total: int, n_agents: int, notes: texts.TextPool,
                 rng: np.random.Generator) -> pa.Table:
    pop = ctx.pop
    exposure = pop.window() ** 0.9 * (1 + 0.35 * np.log(pop.n_users))
    cust, ts, pos = _dated(ctx, "interaction", _owners(ctx, "interactions", total, exposure, rng), rng)
    n = len(cust)
    tone = P.tone(P.latent_sentiment(pop, cust, pos, rng))
    itype = rng.choice(len(INTERACTION_TYPES), n, p=_TYPE_P)
    lang = P.text_language(pop, cust, rng)
    note_idx = notes.pick(texts.note_cell(lang, tone, _TYPE_KIND[itype]), rng)
    # Each account has a main agent handling most contacts; the rest go to whoever is free (uneven load).
    main_agent = rng.integers(0, n_agents, pop.n)
    load = rng.gamma(3.0, 1.0, n_agents)
    agent = np.where(rng.random(n) < 0.6, main_agent[cust], rng.choice(n_agents, n, p=load / load.sum()))
    return pa.table({
        "interaction_id": make_ids("INT", n),
        "customer_id": pop.ids.take(pa.array(cust)),
        "interaction_date": timestamp_array(ts),
        "agent_id": make_ids("AG", n_agents).take(pa.array(agent)),
        "interaction_type": pa.array([t[0] for t in INTERACTION_TYPES]).take(pa.array(itype)),
        "interaction_notes": notes.take(note_idx),
    })


def reviews(ctx: Context, total: int, pool: texts.TextPool, rng: np.random.Generator) -> pa.Table:
    pop = ctx.pop
    cust, ts, pos = _dated(ctx, "review", _owners(ctx, "reviews", total, pop.window() ** 0.6, rng), rng)
    n = len(cust)
    mood = P.latent_sentiment(pop, cust, pos, rng)
    rating = np.clip(np.rint(3 + 2.2 * mood + rng.normal(0.0, 0.45, n)), 1, 5).astype(np.int32)
    lang = P.text_language(pop, cust, rng)
    product = P.owned_product(pop, cust, rng)
    text_idx = pool.pick(texts.review_cell(lang, rating, product), rng)
    return pa.table({
        "review_id": make_ids("REV", n),
        "customer_id": pop.ids.take(pa.array(cust)),
        "product_id": pa.array(texts.PRODUCT_IDS).take(pa.array(product)),
        "review_date": timestamp_array(ts),
        "review_rating": pa.array(rating, pa.int32()),
        "review_text": pool.take(text_idx),
        "review_language": pa.array(texts.LANGUAGE_NAMES).take(pa.array(lang)),
    })


def tickets(ctx: Context, total: int, pool: texts.TextPool, rng: np.random.Generator) -> pa.Table:
    pop = ctx.pop
    exposure = pop.window() * (1 + 0.5 * np.log(pop.n_users))
    weights = timeline.day_weights("ticket", ctx.noise) * timeline.incident_boost(rng)
    owners = _owners(ctx, "tickets", total, exposure, rng)
    cust, ts, pos = _dated(ctx, "ticket", owners, rng, weights, P.TICKET_SHAPE[pop.archetype[owners]])
    n = len(cust)
    upset = (P.latent_sentiment(pop, cust, pos, rng) < -0.15).astype(np.int8)
    u = rng.random(n)
    category = np.where(upset == 1, (u[:, None] > np.cumsum(_CATEGORY_P[1])).sum(1),
                        (u[:, None] > np.cumsum(_CATEGORY_P[0])).sum(1))
    sub = _SUB_START[category] + (rng.random(n) * _SUB_COUNT[category]).astype(np.int64)
    lang = P.text_language(pop, cust, rng)
    text_idx = pool.pick(texts.ticket_cell(lang, sub, upset), rng)
    urgent = pool.flags[text_idx].astype(bool)

    # Resolution time follows what the ETL will classify from the text: urgent ones within hours, feature
    # requests sit in the backlog; upset customers' tickets are the slow ones.
    feature = category == texts.CATEGORIES.index("feature-request")
    median_h = np.where(urgent, 5.0, np.where(feature, 240.0, 30.0)) * np.where(upset == 1, 1.3, 1.0)
    hours = median_h * np.exp(rng.normal(0.0, 1.0, n))
    resolved_ts = ts + (hours * 3600e6).astype(np.int64)
    still_open = (resolved_ts >= _END_US) | (rng.random(n) < np.where(feature, 0.45, 0.05))
    age_days = (_END_US - ts) / 86_400e6
    resolved_status = np.where((age_days > 30) & (rng.random(n) < 0.8), 1, (rng.random(n) < 0.55).astype(int))
    open_status = len(RESOLVED_STATUSES) + rng.choice(len(OPEN_STATUSES), n, p=_OPEN_P / _OPEN_P.sum())
    status = np.where(still_open, open_status, resolved_status)
    return pa.table({
        "ticket_id": make_ids("TICKET", n),
        "customer_id": pop.ids.take(pa.array(cust)),
        "ticket_date": timestamp_array(ts),
        "ticket_status": pa.array(STATUSES).take(pa.array(status)),
        "ticket_category": pa.array(texts.CATEGORIES).take(pa.array(category)),
        "ticket_subcategory": pa.array(texts.SUBCATEGORIES).take(pa.array(sub)),
        "ticket_description": pool.take(text_idx),
        "resolved_date": timestamp_array(resolved_ts, mask=still_open),
    })


def orders(ctx: Context, total: int, rng: np.random.Generator) -> pa.Table:
    pop = ctx.pop
    exposure = pop.window() * _PLAN_ORDER_RATE[pop.plan]
    cust, ts, _ = _dated(ctx, "order", _owners(ctx, "orders", total, exposure, rng), rng)
    n = len(cust)
    # Amounts split each customer's lifetime value over its orders, so revenue marts agree with the CRM.
    share = rng.gamma(2.0, 1.0, n)
    amount = pop.ltv[cust] * share / np.bincount(cust, share, pop.n)[cust]
    unhappy = np.isin(pop.archetype[cust], (P.CHURNER, P.FRUSTRATED))
    refund = rng.random(n) < np.where(unhappy, 0.08, 0.02)
    amount = np.where(refund, -amount * rng.uniform(0.3, 1.0, n), amount)
    quantity = rng.geometric(_PLAN_QUANTITY_P[pop.plan[cust]]).astype(np.int32)
    product = P.owned_product(pop, cust, rng)
    return pa.table({
        "order_id": make_ids("ORD", n),
        "customer_id": pop.ids.take(pa.array(cust)),
        "order_date": timestamp_array(ts),
        "amount": pa.array(np.round(amount, 2), pa.float64()),
        "quantity": pa.array(quantity, pa.int32()),
        "product_id": pa.array(texts.PRODUCT_IDS).take(pa.array(product)),
    })
