"""Saved filter presets ("saved views", issue 8): a name for a dashboard view (its query string), private to its
owner unless shared, then visible to every user.

Rules, enforced here whatever the page sends (docs/preferences.md):
- anyone signed in ("local" with sign-in off) saves private presets; names are unique per owner, and saving under a
  name the owner already uses replaces that preset's view;
- only analysts and admins share (create a shared preset, or share one of theirs); a shared preset is listed to
  everyone with its owner's name;
- the owner renames, unshares and deletes their presets; an admin may also delete (or unshare) anyone's shared one;
  another user's private preset is not visible to anyone else, admins included.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import delete, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from appstate.db import AppStore, utc_now
from appstate.tables import presets
from appstate.validate import query_string

MAX_NAME = 100          # the column's length
MAX_PER_USER = 200      # more is no longer a list anyone can pick from
SHARING_ROLES = ("analyst", "admin")


class PresetError(ValueError):
    """A preset change that cannot be made; the message can be shown."""


class PresetDenied(PresetError):
    """A change the user's role or ownership does not allow (the audit log records it as denied)."""


@dataclass(frozen=True)
class Preset:
    id: int
    owner: str
    name: str
    search: str          # the query string, without the "?"
    shared: bool
    created_at: datetime
    updated_at: datetime

    @property
    def query(self) -> str:
        """The view as the dashboard's URL carries it: "?tab=...&risk=High"."""
        return f"?{self.search}"


def can_share(role: str) -> bool:
    return role in SHARING_ROLES


def check_name(name: object) -> str:
    text = name.strip() if isinstance(name, str) else ""
    if not text:
        raise PresetError("Give the view a name.")
    if len(text) > MAX_NAME:
        raise PresetError(f"The name is {len(text):,} characters long; at most {MAX_NAME}, please.")
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in text):
        raise PresetError("A name cannot hold control characters.")
    return text


def save_preset(store: AppStore, *, owner: str, role: str, name: str, search: str, shared: bool = False,
                now: datetime | None = None) -> tuple[Preset, Preset | None]:
    """Save the view `search` as `owner`'s preset `name`: (the preset, the one of that name it replaced or None)."""
    name = check_name(name)
    try:
        query = query_string(search or "")
    except (TypeError, ValueError) as exc:
        raise PresetError(f"This view cannot be saved: {exc}.") from None
    if shared and not can_share(role):
        raise PresetDenied("Only analysts and admins can share a saved view; save it as a private one.")
    stamp = now or utc_now()
    with store.engine.begin() as conn:
        old = conn.execute(select(presets).where(presets.c.owner == owner, presets.c.name == name)).mappings().first()
        if old is not None:
            conn.execute(update(presets).where(presets.c.id == old["id"]).values(search=query, shared=bool(shared),
                                                                                 updated_at=stamp))
            return Preset(**{**old, "search": query, "shared": bool(shared), "updated_at": stamp}), Preset(**old)
        count = conn.execute(select(func.count()).select_from(presets).where(presets.c.owner == owner)).scalar_one()
        if count >= MAX_PER_USER:
            raise PresetError(f"You have {count} saved views, the most there can be: delete some first.")
        values = {"owner": owner, "name": name, "search": query, "shared": bool(shared), "created_at": stamp,
                  "updated_at": stamp}
        try:
            new_id = conn.execute(insert(presets).values(**values)).inserted_primary_key[0]
        except IntegrityError:  # the same name saved at the same moment from another tab
            raise PresetError(f"You already have a saved view named '{name}'.") from None
    return Preset(id=new_id, **values), None


def list_presets(store: AppStore, username: str) -> list[Preset]:
    """What `username` may apply: their own presets (by name), then the others' shared ones (by owner, name)."""
    query = select(presets).where(or_(presets.c.owner == username, presets.c.shared.is_(True)))
    with store.engine.begin() as conn:
        found = [Preset(**row) for row in conn.execute(query).mappings().all()]
    return sorted(found, key=lambda p: (p.owner != username, p.owner if p.owner != username else "",
                                        p.name.casefold(), p.id))


def get_preset(store: AppStore, preset_id: object, username: str) -> Preset | None:
    """The preset of that id if `username` may see it (theirs, or shared); None otherwise."""
    preset = _by_id(store, preset_id)
    return preset if preset is not None and (preset.owner == username or preset.shared) else None


def rename_preset(store: AppStore, preset_id: object, *, username: str, name: str,
                  now: datetime | None = None) -> Preset:
    preset = _own(store, preset_id, username, "rename")
    name = check_name(name)
    try:
        with store.engine.begin() as conn:
            conn.execute(update(presets).where(presets.c.id == preset.id).values(name=name,
                                                                                updated_at=now or utc_now()))
    except IntegrityError:
        raise PresetError(f"You already have a saved view named '{name}'.") from None
    return replace(preset, name=name)


def set_shared(store: AppStore, preset_id: object, *, username: str, role: str, shared: bool,
               now: datetime | None = None) -> Preset:
    """Share (owner, analyst or admin) or unshare (owner, or an admin) a preset."""
    preset = _by_id(store, preset_id)
    if preset is None or not (preset.owner == username or (preset.shared and role == "admin")):
        raise PresetDenied("This saved view is not yours.")
    if shared and (preset.owner != username or not can_share(role)):
        raise PresetDenied("Only analysts and admins can share a saved view.")
    with store.engine.begin() as conn:
        conn.execute(update(presets).where(presets.c.id == preset.id).values(shared=bool(shared),
                                                                            updated_at=now or utc_now()))
    return replace(preset, shared=bool(shared))


def delete_preset(store: AppStore, preset_id: object, *, username: str, role: str) -> Preset:
    """Delete a preset: the owner's own, or any shared one for an admin. Returns what was deleted."""
    preset = _by_id(store, preset_id)
    if preset is None or not (preset.owner == username or (preset.shared and role == "admin")):
        raise PresetDenied("This saved view is not yours to delete.")
    with store.engine.begin() as conn:
        conn.execute(delete(presets).where(presets.c.id == preset.id))
    return preset


def import_presets(store: AppStore, *, owner: str, items: Mapping[str, object],
                   now: datetime | None = None) -> list[str]:
    """Add `items` (name -> query string: the presets a browser kept before they moved to the server) as `owner`'s
    private presets. A name the owner already uses keeps the owner's preset; an entry that is no view is skipped.
    Returns the names added."""
    added = []
    for name, search in items.items():
        if not isinstance(search, str):
            continue
        try:
            clean = check_name(name)
            if _exists(store, owner, clean):
                continue
            save_preset(store, owner=owner, role="viewer", name=clean, search=search, now=now)
        except PresetError:
            continue
        added.append(clean)
    return added


def _exists(store: AppStore, owner: str, name: str) -> bool:
    with store.engine.begin() as conn:
        return conn.execute(select(presets.c.id).where(presets.c.owner == owner,
                                                       presets.c.name == name)).first() is not None


def _by_id(store: AppStore, preset_id: object) -> Preset | None:
    if isinstance(preset_id, bool) or not isinstance(preset_id, int):
        return None
    with store.engine.begin() as conn:
        row = conn.execute(select(presets).where(presets.c.id == preset_id)).mappings().first()
    return Preset(**row) if row else None


def _own(store: AppStore, preset_id: object, username: str, verb: str) -> Preset:
    preset = _by_id(store, preset_id)
    if preset is None or preset.owner != username:
        raise PresetDenied(f"This saved view is not yours to {verb}.")
    return preset
