"""Short permalinks for dashboard views: a code of 9 characters stands for a query string stored on the server, for
states too long to share as a URL. The same query string always gets the same plain code.

A link can also carry a password (issue 8, docs/sharing.md): each protected link is a row of its own (never the plain
code of the same view, and two protected links of one view have two codes and two passwords), its password hashed
with argon2id as users' passwords are. resolve_permalink refuses a protected code (ProtectedPermalink): only
open_protected, given the password, returns its view. LINK_MAX_FAILURES wrong passwords in a row lock the link for
LINK_LOCK_MINUTES; while it is locked even the right password is refused.

Codes come from `secrets` over an alphabet without look-alike characters (no 0/O/o, 1/l/I/i), so a code read aloud
or copied from paper comes out right; 55^9 ≈ 4.6e15 codes, which cannot be enumerated. A string that cannot be a
code is rejected before the database is asked.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError

from appstate.db import AppStore, utc_now
from appstate.tables import permalinks
from appstate.users import hash_password, needs_rehash, verify_password
from appstate.validate import query_string

ALPHABET = "23456789abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ"
CODE_LENGTH = 9
CODE_PATTERN = re.compile(f"[{ALPHABET}]{{8,10}}")  # 8-10 accepted: room to change the length later
_ATTEMPTS = 5
LINK_MAX_FAILURES = 5     # wrong passwords in a row that lock a protected link ...
LINK_LOCK_MINUTES = 15    # ... for this long

# The same hasher as appstate.users' (argon2id, argon2-cffi's default parameters); verification is done here, with
# this module's own instance, so that users.py keeps its verify private.


class ProtectedPermalink(Exception):
    """The code is of a link with a password: its view is given by open_protected only."""

    def __init__(self, code: str) -> None:
        super().__init__(f"permalink '{code}' is protected by a password")
        self.code = code


class Opened(StrEnum):
    """What open_protected found."""
    OK = "ok"                # the right password: the view is returned
    WRONG = "wrong"          # a wrong password (failed_attempts counts it)
    LOCKS = "locks"          # a wrong password, the one that locks the link
    LOCKED = "locked"        # locked already: refused whatever the password, nothing checked
    UNKNOWN = "unknown"      # no such protected link


@dataclass(frozen=True)
class Permalink:
    code: str
    search: str                      # "?tab=..."
    protected: bool
    created_by: str | None
    failed_attempts: int
    locked_until: datetime | None

    def locked(self, now: datetime) -> bool:
        return self.locked_until is not None and self.locked_until > now


def create_permalink(store: AppStore, search: str, *, created_by: str | None = None) -> str:
    """The code of a dashboard query string ("?tab=...", "tab=..." or a whole URL), created on first use (by
    `created_by`; a later share of the same view gets the same code and leaves its creator as it is)."""
    query = query_string(search)
    digest = hashlib.sha256(query.encode()).hexdigest()
    for _ in range(_ATTEMPTS):
        found = _code_of(store, digest)
        if found:
            return found
        try:
            return _insert(store, query, digest, created_by, None)
        except IntegrityError:
            continue  # the same query string stored meanwhile by another request (found above), or a code clash
    raise RuntimeError("could not store the permalink")  # five clashes in 4.6e15: the database is broken


def create_protected_permalink(store: AppStore, search: str, password: str, *, created_by: str | None) -> str:
    """A new code for the view that opens only with `password` (at least appstate.users.MIN_PASSWORD characters:
    UserError, a ValueError, otherwise). Every call makes a new link, whatever links the view has already."""
    query = query_string(search)
    digest = hashlib.sha256(query.encode()).hexdigest()
    password_hash = hash_password(password)
    for _ in range(_ATTEMPTS):
        try:
            return _insert(store, query, digest, created_by, password_hash)
        except IntegrityError:
            continue  # a code clash: another code
    raise RuntimeError("could not store the permalink")


def get_permalink(store: AppStore, code: str) -> Permalink | None:
    """The link of a code (plain or protected), or None for an unknown or malformed code; records nothing."""
    if not _well_formed(code):
        return None
    with store.engine.begin() as conn:
        row = conn.execute(select(permalinks).where(permalinks.c.code == code)).mappings().first()
    if row is None:
        return None
    return Permalink(row["code"], f"?{row['search']}", row["password_hash"] is not None, row["created_by"],
                     row["failed_attempts"] or 0, row["locked_until"])


def resolve_permalink(store: AppStore, code: str) -> str | None:
    """The query string ("?tab=...") of a plain link's code, or None for an unknown or malformed code; a protected
    link's code raises ProtectedPermalink (a caller that forgot the password case fails closed)."""
    if not _well_formed(code):
        return None
    with store.engine.begin() as conn:
        row = conn.execute(select(permalinks.c.search, permalinks.c.password_hash)
                           .where(permalinks.c.code == code)).first()
        if row is None:
            return None
        if row.password_hash is not None:
            raise ProtectedPermalink(code)
        conn.execute(update(permalinks).where(permalinks.c.code == code).values(last_used_at=utc_now()))
    return f"?{row.search}"


def open_protected(store: AppStore, code: str, password: str, *, now: datetime | None = None,
                   max_failures: int = LINK_MAX_FAILURES,
                   lock_minutes: float = LINK_LOCK_MINUTES) -> tuple[Opened, Permalink | None]:
    """Check the password of a protected link: (OK, the link) with its view, else why not and the link as it is now
    (its failed_attempts, locked_until). A wrong password counts; the max_failures-th in a row locks the link for
    lock_minutes (and the count starts again); while it is locked nothing is checked or counted."""
    now = now or utc_now()
    link = get_permalink(store, code)
    if link is None or not link.protected:
        return Opened.UNKNOWN, None
    if link.locked(now):
        return Opened.LOCKED, link
    with store.engine.begin() as conn:
        stored = conn.execute(select(permalinks.c.password_hash).where(permalinks.c.code == code)).scalar_one()
    # no dummy hash for unknown codes (as appstate.users has for unknown names): a code is unguessable, and the
    # page of an unknown code says so anyway
    if not verify_password(stored, password):
        return _count_failure(store, code, now, max_failures, lock_minutes)
    values: dict[str, object] = {"failed_attempts": 0, "locked_until": None, "last_used_at": now}
    if needs_rehash(stored):  # hashed with older parameters: store a hash with today's
        values["password_hash"] = hash_password(password)
    with store.engine.begin() as conn:
        conn.execute(update(permalinks).where(permalinks.c.code == code).values(**values))
    return Opened.OK, get_permalink(store, code)


def _count_failure(store: AppStore, code: str, now: datetime, max_failures: int,
                   lock_minutes: float) -> tuple[Opened, Permalink | None]:
    # One transaction (BEGIN IMMEDIATE on SQLite): wrong passwords sent at once all count.
    with store.engine.begin() as conn:
        conn.execute(update(permalinks).where(permalinks.c.code == code)
                     .values(failed_attempts=permalinks.c.failed_attempts + 1))
        failures = conn.execute(select(permalinks.c.failed_attempts).where(permalinks.c.code == code)).scalar_one()
        locks = failures >= max_failures
        if locks:
            conn.execute(update(permalinks).where(permalinks.c.code == code)
                         .values(failed_attempts=0, locked_until=now + timedelta(minutes=lock_minutes)))
    return (Opened.LOCKS if locks else Opened.WRONG), get_permalink(store, code)


def _insert(store: AppStore, query: str, digest: str, created_by: str | None, password_hash: str | None) -> str:
    code = "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))
    with store.engine.begin() as conn:
        conn.execute(insert(permalinks).values(code=code, search=query, search_sha256=digest, created_at=utc_now(),
                                               created_by=created_by, password_hash=password_hash,
                                               failed_attempts=0))
    return code


def _well_formed(code: object) -> bool:
    return isinstance(code, str) and CODE_PATTERN.fullmatch(code) is not None


def _code_of(store: AppStore, digest: str) -> str | None:
    with store.engine.begin() as conn:
        return conn.execute(select(permalinks.c.code).where(permalinks.c.search_sha256 == digest,
                                                            permalinks.c.password_hash.is_(None))).scalar_one_or_none()
