"""Saved filter presets (appstate/presets.py) in a real SQLite app database: private presets seen by their owner
only, shared ones by everyone, who may share, rename and delete what, names and views checked, and the one-time
import of a browser's presets."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from appstate import presets as module
from appstate.presets import (
    PresetDenied,
    PresetError,
    delete_preset,
    get_preset,
    import_presets,
    list_presets,
    rename_preset,
    save_preset,
    set_shared,
)

T = datetime(2025, 5, 1, 9, 30, tzinfo=UTC)


def save(store, owner: str, name: str, search: str = "?tab=support&risk=High", role: str = "analyst",
         shared: bool = False):
    return save_preset(store, owner=owner, role=role, name=name, search=search, shared=shared, now=T)[0]


def names(store, username: str) -> list[tuple[str, str, bool]]:
    return [(p.owner, p.name, p.shared) for p in list_presets(store, username)]


def test_a_private_preset_is_its_owners_only_and_a_shared_one_everyones(store):
    private = save(store, "ann", "Risky accounts")
    shared = save(store, "ann", "Team view", "?tab=overview&range=30d", shared=True)
    save(store, "vic", "zebra", role="viewer")
    save(store, "vic", "Alpha", role="viewer")
    # own presets first (by name, case aside), then the others' shared ones
    assert names(store, "ann") == [("ann", "Risky accounts", False), ("ann", "Team view", True)]
    assert names(store, "vic") == [("vic", "Alpha", False), ("vic", "zebra", False), ("ann", "Team view", True)]
    assert names(store, "ada") == [("ann", "Team view", True)]  # an admin too sees no one's private preset
    assert get_preset(store, private.id, "vic") is None and get_preset(store, private.id, "ann") == private
    assert get_preset(store, shared.id, "vic").query == "?tab=overview&range=30d"
    assert get_preset(store, "1", "ann") is None and get_preset(store, True, "ann") is None  # not an id


def test_a_viewer_cannot_share_and_nothing_is_stored(store):
    with pytest.raises(PresetDenied, match="Only analysts and admins can share"):
        save(store, "vic", "Mine for all", role="viewer", shared=True)
    assert names(store, "vic") == []
    mine = save(store, "vic", "Mine", role="viewer")
    with pytest.raises(PresetDenied, match="Only analysts and admins can share"):
        set_shared(store, mine.id, username="vic", role="viewer", shared=True)
    assert names(store, "ann") == []


def test_saving_under_a_name_in_use_replaces_that_presets_view(store):
    first = save(store, "ann", "Weekly", "?tab=support")
    second, replaced = save_preset(store, owner="ann", role="analyst", name="  Weekly ", search="tab=product&range=7d",
                                   shared=True)
    assert (second.id, second.search, second.shared) == (first.id, "tab=product&range=7d", True)
    assert replaced == first
    assert names(store, "ann") == [("ann", "Weekly", True)]


def test_the_owner_renames_and_unshares_an_admin_unshares_and_deletes_shared_ones(store):
    preset = save(store, "ann", "Weekly", shared=True)
    save(store, "ann", "Monthly")
    with pytest.raises(PresetError, match="already have a saved view named 'Monthly'"):
        rename_preset(store, preset.id, username="ann", name="Monthly")
    with pytest.raises(PresetDenied, match="not yours to rename"):
        rename_preset(store, preset.id, username="ada", name="Taken over")
    assert rename_preset(store, preset.id, username="ann", name="Weekly churn").name == "Weekly churn"
    with pytest.raises(PresetDenied, match="not yours"):
        set_shared(store, preset.id, username="bob", role="analyst", shared=False)
    assert set_shared(store, preset.id, username="ada", role="admin", shared=False).shared is False
    with pytest.raises(PresetDenied, match="not yours"):  # private again: not even an admin can touch it
        delete_preset(store, preset.id, username="ada", role="admin")
    assert set_shared(store, preset.id, username="ann", role="analyst", shared=True).shared is True
    with pytest.raises(PresetDenied, match="not yours to delete"):
        delete_preset(store, preset.id, username="bob", role="analyst")
    assert delete_preset(store, preset.id, username="ada", role="admin").name == "Weekly churn"
    assert names(store, "ann") == [("ann", "Monthly", False)]


@pytest.mark.parametrize(("name", "search", "message"), [
    ("   ", "?tab=support", "Give the view a name."),
    ("x" * 101, "?tab=support", "The name is 101 characters long; at most 100, please."),
    ("tab\tname", "?tab=support", "A name cannot hold control characters."),
    ("Long", "?" + "a" * 16_001, "the view is too long to store (16,001 characters; at most 16,000)"),
])
def test_names_and_views_are_checked(store, name, search, message):
    with pytest.raises(PresetError) as refused:
        save(store, "ann", name, search)
    assert message in str(refused.value)
    assert names(store, "ann") == []


def test_a_user_has_at_most_max_per_user_presets(store, monkeypatch):
    monkeypatch.setattr(module, "MAX_PER_USER", 2)
    save(store, "ann", "one")
    save(store, "ann", "two")
    with pytest.raises(PresetError, match="You have 2 saved views, the most there can be"):
        save(store, "ann", "three")
    save(store, "ann", "two", "?tab=product")  # replacing one is still fine
    save(store, "vic", "one", role="viewer")   # and the limit is per user


def test_a_browsers_presets_are_imported_once_as_private_ones_keeping_the_users_own(store):
    save(store, "ann", "Risky", "?tab=support&risk=High")
    added = import_presets(store, owner="ann", items={
        "Risky": "?tab=overview",          # a name already used: the server's preset stays
        " Reviews ": "?tab=product&range=90d",
        "": "?tab=overview",               # no name
        "Broken": 42,                      # no view
        "Bad\x00name": "?tab=overview",
    })
    assert added == ["Reviews"]
    assert [(p.name, p.search, p.shared) for p in list_presets(store, "ann")] == [
        ("Reviews", "tab=product&range=90d", False), ("Risky", "tab=support&risk=High", False)]
