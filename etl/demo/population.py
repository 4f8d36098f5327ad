"""The demo population: customers (teams) with a hidden archetype that drives every other entity.

Archetypes (never written to the files; the CRM `persona` column is a noisy label of them):
  happy       mostly positive texts, ratings 4-5, almost no tickets
  neutral     neutral texts, few tickets; some go silently dormant (inactive team)
  mixed       alternating good and bad experiences: high sentiment volatility
  improver    starts negative with many early tickets, ends positive
  churner     starts positive, sentiment falls over time, tickets crowd the end, activity stops months
              before the end date
  frustrated  negative texts, low ratings, many tickets
The shares give, under the ANALYTICS churn rules (DESIGN.md §3), mostly Low risk, some Medium and a
minority High.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from etl.demo import texts, timeline

ARCHETYPES = ("happy", "neutral", "mixed", "improver", "churner", "frustrated")
HAPPY, NEUTRAL, MIXED, IMPROVER, CHURNER, FRUSTRATED = range(len(ARCHETYPES))
ARCHETYPE_SHARES = np.array([0.45, 0.24, 0.09, 0.07, 0.08, 0.07])

# Latent sentiment in [-1, 1] at position x (0..1) of the customer's active window: base + slope * x + noise.
_BASE = np.array([0.70, 0.05, 0.0, -0.60, 0.55, -0.75])
_SLOPE = np.array([0.0, 0.0, 0.0, 1.30, -1.35, 0.0])
_NOISE = np.array([0.20, 0.15, 0.25, 0.20, 0.20, 0.15])

# Relative activity rates per archetype (per day of the active window).
RATES = {
    "interactions": np.array([0.8, 0.8, 1.2, 1.5, 1.2, 2.0]),
    "reviews": np.array([1.2, 0.7, 1.0, 1.0, 1.0, 1.3]),
    "tickets": np.array([0.008, 0.025, 1.0, 1.3, 1.6, 3.0]),
    "orders": np.array([1.1, 1.0, 1.0, 1.0, 0.8, 0.9]),
    "usage": np.array([1.3, 0.9, 1.0, 0.9, 0.8, 0.7]),
}
# How each archetype's events spread along its window (timeline.sample_days shape): churners' tickets crowd
# the end and their usage the start (declining), improvers the opposite.
TICKET_SHAPE = np.array([1.0, 1.0, 1.0, 2.0, 0.5, 1.0])
USAGE_SHAPE = np.array([1.0, 1.0, 1.0, 0.7, 1.6, 1.0])

# CRM persona labels (PRD values) given per archetype: CSMs often miss churners.
PERSONAS = ("satisfied", "neutral", "mixed", "frustrated", "new")
_PERSONA_P = np.array([
    # satisfied neutral mixed frustrated
    [0.90, 0.07, 0.03, 0.00],  # happy
    [0.10, 0.80, 0.08, 0.02],  # neutral
    [0.05, 0.10, 0.80, 0.05],  # mixed
    [0.00, 0.20, 0.50, 0.30],  # improver
    [0.15, 0.15, 0.30, 0.40],  # churner
    [0.00, 0.05, 0.10, 0.85],  # frustrated
])
NEW_CUSTOMER_DAYS = 90  # persona "new" while the customer is younger than this

PLANS = ("Free", "Starter", "Business", "Enterprise")
_PLAN_SHARES = np.array([0.30, 0.35, 0.25, 0.10])
_LTV_MEDIAN = np.array([120.0, 450.0, 1400.0, 6000.0])  # log-normal per plan -> heavy tail overall
_TEAM_MU = np.array([-0.8, 0.0, 0.8, 1.9])  # log team-size weight per plan: big teams are Enterprise


@dataclass
class Population:
    """Per-customer arrays (index = customer number - 1) shared by every entity builder."""

    ids: pa.Array
    signup: np.ndarray  # day index of sign-up
    stop: np.ndarray  # last day with any activity (the end date, or earlier for churned/dormant teams)
    archetype: np.ndarray
    lang: np.ndarray  # index into texts.LANGS
    plan: np.ndarray
    ltv: np.ndarray
    products_owned: np.ndarray
    product0: np.ndarray  # first owned product; owned = product0 .. product0 + products_owned - 1 (mod 12)
    n_users: np.ndarray
    sentiment_offset: np.ndarray

    @property
    def n(self) -> int:
        return len(self.signup)

    def window(self) -> np.ndarray:
        return (self.stop - self.signup + 1).astype(np.float64)


def build(n: int, n_users: int, ids: pa.Array, rng: np.random.Generator, noise: np.ndarray) -> Population:
    # Sign-ups: growing ~60% a year, with the signup weekday/season profile.
    cum = timeline.cumulative(timeline.day_weights("signup", noise, growth_per_year=0.47))
    zeros, last = np.zeros(n, np.int32), np.full(n, timeline.N_DAYS - 1, np.int32)
    signup, _ = timeline.sample_days(rng, cum, zeros, last)
    signup = np.sort(signup)  # customer numbers follow sign-up order, as a CRM would assign them
    tenure = timeline.N_DAYS - signup

    arch = rng.choice(len(ARCHETYPES), n, p=ARCHETYPE_SHARES).astype(np.int8)
    # A trend needs history: young customers cannot be churners or improvers yet.
    arch[(arch == CHURNER) & (tenure < 150)] = NEUTRAL
    arch[(arch == IMPROVER) & (tenure < 90)] = NEUTRAL

    stop = np.full(n, timeline.N_DAYS - 1, np.int32)
    churner = arch == CHURNER
    stop[churner] = timeline.N_DAYS - 1 - rng.integers(30, 420, churner.sum())
    dormant = (arch == NEUTRAL) & (rng.random(n) < 0.15) & (tenure > 240)
    stop[dormant] = timeline.N_DAYS - 1 - rng.integers(120, 500, dormant.sum())
    stop = np.clip(stop, np.minimum(signup + 60, timeline.N_DAYS - 1), timeline.N_DAYS - 1).astype(np.int32)

    lang = rng.choice(len(texts.LANGS), n, p=np.array(texts.CUSTOMER_LANGUAGE_SHARES)).astype(np.int8)
    plan = rng.choice(len(PLANS), n, p=_PLAN_SHARES).astype(np.int8)
    # Lifetime value grows with tenure (more invoices paid) and is log-normal within a plan.
    years = tenure / 365.25
    ltv = _LTV_MEDIAN[plan] * (0.25 + years) ** 0.7 * np.exp(rng.normal(0.0, 0.75, n))
    products = np.clip(1 + plan + rng.integers(-1, 2, n), 1, 5).astype(np.int8)

    # Team sizes: one user each, the rest spread by a heavy-tailed weight (most teams 1-5, a few 50+).
    weight = np.exp(_TEAM_MU[plan] + rng.normal(0.0, 1.3, n))
    extra = rng.multinomial(n_users - n, weight / weight.sum()) if n_users > n else np.zeros(n, np.int64)
    return Population(
        ids=ids, signup=signup, stop=stop, archetype=arch, lang=lang, plan=plan, ltv=np.round(ltv, 2),
        products_owned=products, product0=rng.integers(0, len(texts.PRODUCTS), n).astype(np.int8),
        n_users=(1 + extra).astype(np.int32), sentiment_offset=rng.normal(0.0, 0.1, n),
    )


def latent_sentiment(pop: Population, cust: np.ndarray, pos: np.ndarray,
                     rng: np.random.Generator) -> np.ndarray:
    """The customer's mood at a point of its window, in [-1, 1]; texts, ratings and tones follow it."""
    a = pop.archetype[cust]
    s = _BASE[a] + _SLOPE[a] * pos + pop.sentiment_offset[cust] + rng.normal(0.0, 1.0, len(cust)) * _NOISE[a]
    mixed = a == MIXED  # swing between good and bad experiences
    s[mixed] += np.where(rng.random(mixed.sum()) < 0.5, 0.6, -0.6)
    return np.clip(s, -1.0, 1.0)


def tone(sentiment: np.ndarray) -> np.ndarray:
    """0 pos, 1 neu, 2 neg (texts.TONES)."""
    return np.where(sentiment > 0.2, 0, np.where(sentiment < -0.2, 2, 1)).astype(np.int8)


def text_language(pop: Population, cust: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """The language a text is written in: the customer's own, or English now and then."""
    lang = pop.lang[cust].copy()
    lang[rng.random(len(cust)) < texts.ENGLISH_SWITCH] = 0
    return lang


def owned_product(pop: Population, cust: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """One of the customer's own products (reviews and orders are about what the customer owns)."""
    k = pop.products_owned[cust].astype(np.int64)
    return (pop.product0[cust] + (rng.random(len(cust)) * k).astype(np.int64)) % len(texts.PRODUCTS)


def allocate(total: int, weight: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Split exactly `total` rows over owners in proportion to weight (multinomial: counts vary naturally)."""
    return rng.multinomial(total, weight / weight.sum())


def customers_table(pop: Population, n_csm: int, rng: np.random.Generator) -> pa.Table:
    tenure = timeline.N_DAYS - pop.signup
    u = rng.random(pop.n)
    cdf = np.cumsum(_PERSONA_P[pop.archetype], axis=1)
    persona = (u[:, None] > cdf).sum(axis=1)
    persona[tenure < NEW_CUSTOMER_DAYS] = PERSONAS.index("new")
    csm_names = texts.distinct_people(n_csm, rng)
    # CSM books are uneven: some CSMs own many more accounts than others.
    load = rng.gamma(4.0, 1.0, len(csm_names))
    csm = rng.choice(len(csm_names), pop.n, p=load / load.sum())
    return pa.table({
        "customer_id": pop.ids,
        "persona": pa.array(PERSONAS).take(pa.array(persona)),
        "sign_up_date": pa.array(timeline.dates32(pop.signup), pa.date32()),
        "products_owned": pa.array(pop.products_owned.astype(np.int32), pa.int32()),
        "lifetime_value": pa.array(pop.ltv, pa.float64()),
        "customer_name": texts.company_names(pop.lang, rng),
        "segment": pa.array(PLANS).take(pa.array(pop.plan)),
        "country": texts.countries(pop.lang, rng),
        "csm_owner": pa.array(csm_names).take(pa.array(csm)),
    })
