"""Calendar of the demo data: a fixed three-year window ending 2026-10-31, with weekly and seasonal rhythm.

Every activity date is drawn inside a per-row window [first_day, last_day] (sign-up .. stop of the
customer or user) from a per-entity day-weight curve, by inverse CDF on the cumulative weights: one
`searchsorted` for all rows, so weekends, the December dip and incident spikes appear in every window
without any Python loop per row. Day indices count from START_DATE (day 0).
"""

from __future__ import annotations

from datetime import date

import numpy as np

END_DATE = date(2026, 10, 31)  # the data ends here; no wall clock is ever read
START_DATE = date(2023, 11, 1)  # three years of history
N_DAYS = (END_DATE - START_DATE).days + 1
EPOCH_DAY0 = (START_DATE - date(1970, 1, 1)).days  # day index 0 as days since the Unix epoch
SECONDS_PER_DAY = 86_400
END_SECONDS = N_DAYS * SECONDS_PER_DAY  # first second after the data window (2026-11-01 00:00:00)

_day = np.arange(N_DAYS)
_dates = np.datetime64(START_DATE.isoformat()) + _day
WEEKDAY = ((_dates.astype("datetime64[D]").astype(np.int64) + 3) % 7).astype(np.int8)  # 0 = Monday
MONTH = (_dates.astype("datetime64[M]").astype(np.int64) % 12 + 1).astype(np.int8)
DAY_OF_MONTH = (_dates - _dates.astype("datetime64[M]")).astype(np.int64) + 1

# Business seasonality: summer holidays and the December slowdown, busy September/October and January.
_MONTH_FACTOR = np.array([1.05, 1.0, 1.05, 1.0, 1.0, 0.97, 0.9, 0.82, 1.08, 1.06, 1.0, 0.8])
# Weekday profiles (Mon..Sun): B2B usage and support are weekday activities; reviews less so.
WEEKDAY_PROFILE = {
    "signup": (1.1, 1.1, 1.05, 1.0, 0.9, 0.35, 0.3),
    "usage": (1.05, 1.1, 1.1, 1.05, 0.9, 0.22, 0.18),
    "interaction": (1.1, 1.1, 1.05, 1.0, 0.9, 0.12, 0.08),
    "ticket": (1.15, 1.05, 1.0, 1.0, 0.9, 0.35, 0.3),
    "review": (1.0, 1.0, 1.0, 1.0, 1.0, 0.75, 0.7),
    "order": (1.0, 1.0, 1.0, 1.0, 1.0, 0.45, 0.4),
}
# Hour-of-day profiles (0..23), local time.
_OFFICE = np.array([0.1, 0.05, 0.05, 0.05, 0.05, 0.15, 0.4, 1.2, 2.6, 3.6, 3.8, 3.5, 2.6, 3.1, 3.6, 3.4, 3.0,
                    2.2, 1.3, 0.9, 0.7, 0.5, 0.3, 0.2])
_EVENING = np.array([0.3, 0.2, 0.1, 0.1, 0.1, 0.2, 0.5, 1.0, 1.6, 2.0, 2.2, 2.3, 2.4, 2.3, 2.2, 2.2, 2.2,
                     2.3, 2.5, 2.8, 2.9, 2.4, 1.5, 0.7])
_AGENT = np.where((np.arange(24) >= 8) & (np.arange(24) < 19), _OFFICE, _OFFICE * 0.05)
HOUR_PROFILE = {"usage": _OFFICE, "interaction": _AGENT, "ticket": _OFFICE, "review": _EVENING,
                "order": _OFFICE}


def _holiday_factor() -> np.ndarray:
    """Christmas to New Year is quiet in every kind of activity."""
    f = np.ones(N_DAYS)
    quiet = ((MONTH == 12) & (DAY_OF_MONTH >= 23)) | ((MONTH == 1) & (DAY_OF_MONTH <= 2))
    f[quiet] = 0.45
    return f


def day_weights(kind: str, noise: np.ndarray, growth_per_year: float = 0.0) -> np.ndarray:
    """Relative weight of each day for one kind of activity (weekday x season x holidays x daily noise)."""
    w = np.array(WEEKDAY_PROFILE[kind])[WEEKDAY] * _MONTH_FACTOR[MONTH - 1] * _holiday_factor() * noise
    if growth_per_year:
        w = w * np.exp(growth_per_year * _day / 365.25)
    return w


def daily_noise(rng: np.random.Generator, sigma: float = 0.08) -> np.ndarray:
    """Day-to-day jitter shared by all entities, so charts are not unnaturally smooth."""
    return np.exp(rng.normal(0.0, sigma, N_DAYS))


def incident_boost(rng: np.random.Generator, k: int = 8) -> np.ndarray:
    """A few outage days (and their next day) with a burst of tickets."""
    f = np.ones(N_DAYS)
    weekdays = np.flatnonzero(WEEKDAY < 5)
    days = rng.choice(weekdays[weekdays < N_DAYS - 1], k, replace=False)
    f[days] *= 3.5
    f[days + 1] *= 1.8
    return f


def cumulative(weights: np.ndarray) -> np.ndarray:
    return np.concatenate([[0.0], np.cumsum(weights)])


def sample_days(
    rng: np.random.Generator,
    cum: np.ndarray,
    first: np.ndarray,
    last: np.ndarray,
    shape: np.ndarray | float = 1.0,
) -> tuple[np.ndarray, np.ndarray]:
    """Draw one day per row inside [first, last] (inclusive) following the weights behind `cum`.

    shape bends the draw along the window (u ** shape): > 1 crowds the start, < 1 crowds the end.
    Returns (day index, position in the window 0..1) -- the position drives sentiment drift over time.
    """
    u = rng.random(len(first)) ** shape
    lo, hi = cum[first], cum[last + 1]
    day = np.searchsorted(cum, lo + u * (hi - lo), side="right") - 1
    day = np.clip(day, first, last)
    span = np.maximum(last - first, 1)
    return day.astype(np.int32), (day - first) / span


def sample_seconds(rng: np.random.Generator, kind: str, n: int) -> np.ndarray:
    """Second of the day, following the hour profile of the activity."""
    p = HOUR_PROFILE[kind] / HOUR_PROFILE[kind].sum()
    hour = rng.choice(24, n, p=p)
    return hour * 3600 + rng.integers(0, 3600, n)


def timestamps_us(day: np.ndarray, seconds: np.ndarray) -> np.ndarray:
    """Microseconds since the epoch (Arrow timestamp[us]) from a day index and a second of the day."""
    return ((EPOCH_DAY0 + day.astype(np.int64)) * SECONDS_PER_DAY + seconds) * 1_000_000


def dates32(day: np.ndarray) -> np.ndarray:
    """Days since the epoch (Arrow date32) from a day index."""
    return (EPOCH_DAY0 + day.astype(np.int64)).astype(np.int32)
