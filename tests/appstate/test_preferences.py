"""Preferences per user (appstate/preferences.py) in a real SQLite app database: defaults for a user who never
saved any, what is stored and read back per user, a field cleared back to the default, and values outside the
allowed choices refused with a message, nothing stored."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from appstate.preferences import Choices, PreferenceError, Preferences, get_preferences, save_preferences
from appstate.tables import user_preferences

T = datetime(2025, 5, 1, 9, 30, tzinfo=UTC)
CHOICES = Choices(default_tab=("overview", "support"), default_range=("30d", "all"),
                  colour_scheme=("okabe-ito", "classic"), number_format=("comma-dot", "space-comma"))


def test_a_user_who_never_saved_gets_the_defaults(store):
    assert get_preferences(store, "ann") == Preferences(None, None, None, None)


def test_preferences_are_stored_per_user_and_replaced_by_the_next_save(store):
    save_preferences(store, "ann", Preferences("support", "30d", "classic", "space-comma"), CHOICES, now=T)
    save_preferences(store, "vic", Preferences(default_tab="overview"), CHOICES, now=T)
    assert get_preferences(store, "ann") == Preferences("support", "30d", "classic", "space-comma")
    assert get_preferences(store, "vic") == Preferences("overview", None, None, None)
    # a second save replaces every field: "" and None clear one back to the default
    save_preferences(store, "ann", Preferences("overview", "", None, "space-comma"), CHOICES)
    assert get_preferences(store, "ann") == Preferences("overview", None, None, "space-comma")
    with store.engine.begin() as conn:
        assert conn.execute(select(user_preferences.c.username).order_by("username")).scalars().all() == ["ann",
                                                                                                        "vic"]


@pytest.mark.parametrize(("field", "value", "message"), [
    ("default_tab", "nowhere", "Unknown default tab 'nowhere'."),
    ("default_range", "custom", "Unknown default date range 'custom'."),
    ("colour_scheme", "rainbow", "Unknown colour scheme 'rainbow'."),
    ("number_format", 1234.5, "Unknown number format '1234.5'."),
])
def test_a_value_outside_the_choices_is_refused_and_nothing_is_stored(store, field, value, message):
    save_preferences(store, "ann", Preferences(default_tab="support"), CHOICES)
    with pytest.raises(PreferenceError) as refused:
        save_preferences(store, "ann", Preferences(**{"default_tab": "overview", field: value}), CHOICES)
    assert str(refused.value) == message
    assert get_preferences(store, "ann") == Preferences(default_tab="support")


def test_preferences_need_a_user(store):
    with pytest.raises(PreferenceError, match="belong to a user"):
        save_preferences(store, "  ", Preferences(), CHOICES)
