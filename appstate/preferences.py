"""Preferences per user (issue 8): the tab and date range the dashboard opens on, the charts' colour scheme and
the number format, one row per username ("local" with sign-in off) in user_preferences. A field left NULL means
the product's default, so a default changed later reaches everyone who never picked one.

What is allowed in each field is the dashboard's to say (its tabs, its date-range presets, its colour schemes and
number formats: dashapp/preferences.py CHOICES); this module checks a value against the `Choices` it is given and
refuses anything else with a message that can be shown.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError

from appstate.db import AppStore, utc_now
from appstate.tables import user_preferences

FIELDS = ("default_tab", "default_range", "colour_scheme", "number_format")
NAMES = {"default_tab": "default tab", "default_range": "default date range", "colour_scheme": "colour scheme",
         "number_format": "number format"}


class PreferenceError(ValueError):
    """A preference value that is not one of the allowed ones; the message can be shown."""


@dataclass(frozen=True)
class Preferences:
    """A user's choices; None: the product's default."""
    default_tab: str | None = None
    default_range: str | None = None
    colour_scheme: str | None = None
    number_format: str | None = None


@dataclass(frozen=True)
class Choices:
    """The ids allowed in each field."""
    default_tab: Collection[str]
    default_range: Collection[str]
    colour_scheme: Collection[str]
    number_format: Collection[str]


def get_preferences(store: AppStore, username: str) -> Preferences:
    """The user's preferences; all defaults (None) for a user who never saved any."""
    with store.engine.begin() as conn:
        row = conn.execute(select(*(user_preferences.c[name] for name in FIELDS))
                           .where(user_preferences.c.username == username)).mappings().first()
    return Preferences(**row) if row else Preferences()


def save_preferences(store: AppStore, username: str, preferences: Preferences, choices: Choices, *,
                     now: datetime | None = None) -> Preferences:
    """Store every field of `preferences` for `username` (None or "" clears a field back to the default).
    PreferenceError names the first value not in `choices`; nothing is stored then."""
    if not isinstance(username, str) or not username.strip():
        raise PreferenceError("Preferences belong to a user.")
    values = {}
    for name in FIELDS:
        value = getattr(preferences, name) or None
        if value is not None and (not isinstance(value, str) or value not in getattr(choices, name)):
            raise PreferenceError(f"Unknown {NAMES[name]} {str(value)[:40]!r}.")
        values[name] = value
    stamp = now or utc_now()
    row = update(user_preferences).where(user_preferences.c.username == username).values(**values, updated_at=stamp)
    with store.engine.begin() as conn:
        if conn.execute(row).rowcount:
            return Preferences(**values)
    try:
        with store.engine.begin() as conn:
            conn.execute(insert(user_preferences).values(username=username, **values, updated_at=stamp))
    except IntegrityError:  # the first save of two at once (two tabs, two workers): the other one made the row
        with store.engine.begin() as conn:
            conn.execute(row)
    return Preferences(**values)

