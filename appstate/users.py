"""Users of the dashboard (issue 8): who may sign in, with which role, seeing which accounts.

Passwords are hashed with argon2id (argon2-cffi's PasswordHasher, its default parameters); a hash made with older
parameters is replaced by a new one at the next successful sign-in. A password is never stored, logged or put in an
exception message.

Lock-out: `max_failures` consecutive wrong passwords lock the account for `lock_minutes`; while it is locked even
the right password fails. authenticate() tells the caller why it failed (for the audit log); the person signing in
is shown one generic message whatever the reason, so the page does not tell which names exist.

Guard rails, here so that the command line and the admin page (dashapp/auth/admin_users.py) obey the same ones: the
last enabled admin cannot be disabled or demoted (nobody could manage users any more), and an admin cannot disable or
demote themselves (`by`: the admin making the change; None from the command line). A new role, scope or password and
a disabled account end the user's open sessions: the page they have open was laid out for the old role and filled
with the old scope's accounts, and signing in again draws it anew.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import RowMapping, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from appstate.db import AppStore, utc_now
from appstate.tables import users

ROLES = ("viewer", "analyst", "admin")  # each role can do everything the ones before it can
USERNAME = re.compile(r"[a-z0-9][a-z0-9._@-]{0,63}")
MIN_PASSWORD = 8
MAX_PASSWORD = 1024  # argon2 hashes any length; a cap keeps a megabyte "password" from being a cheap attack
# Generated passwords: 16 characters of 55 (about 92 bits), no look-alikes (0 O o 1 l I), in groups of 4 for reading.
PASSWORD_ALPHABET = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"

_hasher = PasswordHasher()


@cache
def _dummy_hash() -> str:
    """Verified against when the name is unknown, so that an unknown name takes as long as a wrong password."""
    return _hasher.hash("not the password of anyone")


class UserError(ValueError):
    """A user command that cannot be done (unknown user, duplicate name, bad role ...); the message can be shown."""


class Failure(StrEnum):
    """Why a sign-in failed: for the audit log only, never shown to the person signing in."""
    UNKNOWN = "unknown username"
    PASSWORD = "wrong password"
    LOCKED = "account locked"
    DISABLED = "account disabled"


@dataclass(frozen=True)
class User:
    id: int
    username: str
    display_name: str
    role: str
    csm_scope: str | None
    disabled: bool
    failed_logins: int
    locked_until: datetime | None
    session_epoch: int  # a session remembers it; raising it ends every session of the user
    created_at: datetime
    last_login_at: datetime | None

    def can(self, role: str) -> bool:
        """Whether this user has `role` or a higher one."""
        return role_rank(self.role) >= role_rank(role)

    def locked(self, now: datetime) -> bool:
        return self.locked_until is not None and self.locked_until > now


def role_rank(role: str) -> int:
    if role not in ROLES:
        raise UserError(f"role must be one of {', '.join(ROLES)}, got {role!r}")
    return ROLES.index(role)


def normalise_username(name: str) -> str:
    """The stored form of a username: trimmed and lower-case (names are unique case-insensitively)."""
    text = (name or "").strip().lower()
    if not USERNAME.fullmatch(text):
        raise UserError(f"a username is 1-64 letters, digits and . _ @ - (starting with a letter or digit), "
                        f"got {name!r}")
    return text


def hash_password(password: str) -> str:
    if not isinstance(password, str) or len(password) < MIN_PASSWORD:
        raise UserError(f"a password has at least {MIN_PASSWORD} characters")
    if len(password) > MAX_PASSWORD:
        raise UserError(f"a password has at most {MAX_PASSWORD} characters")
    return _hasher.hash(password)


def create_user(store: AppStore, username: str, password: str, *, role: str = "viewer",
                display_name: str | None = None, csm_scope: str | None = None,
                now: datetime | None = None) -> User:
    name = normalise_username(username)
    role_rank(role)
    values = {"username": name, "display_name": (display_name or "").strip()[:200] or name,
              "password_hash": hash_password(password), "role": role, "csm_scope": _scope(csm_scope),
              "disabled": False, "failed_logins": 0, "session_epoch": 0, "created_at": now or utc_now()}
    try:
        with store.engine.begin() as conn:
            conn.execute(insert(users).values(**values))
    except IntegrityError:
        raise UserError(f"a user named {name!r} exists already") from None
    return get_user(store, name)  # type: ignore[return-value]


def get_user(store: AppStore, username: str) -> User | None:
    try:
        name = normalise_username(username)
    except UserError:
        return None
    with store.engine.begin() as conn:
        row = conn.execute(select(users).where(users.c.username == name)).mappings().first()
    return _user(row) if row else None


def get_user_by_id(store: AppStore, user_id: int) -> User | None:
    with store.engine.begin() as conn:
        row = conn.execute(select(users).where(users.c.id == user_id)).mappings().first()
    return _user(row) if row else None


def list_users(store: AppStore) -> list[User]:
    with store.engine.begin() as conn:
        return [_user(row) for row in conn.execute(select(users).order_by(users.c.username)).mappings()]


def count_users(store: AppStore) -> int:
    with store.engine.begin() as conn:
        return conn.execute(select(func.count()).select_from(users)).scalar_one()


def generate_password() -> str:
    """A strong random password (to be shown once to the admin who asked for it, never stored)."""
    groups = ("".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(4)) for _ in range(4))
    return "-".join(groups)


def set_disabled(store: AppStore, username: str, disabled: bool, *, by: str | None = None) -> User:
    """Disable (signed-in sessions end too) or enable an account; enabling also lifts a lock-out."""
    def change(row: RowMapping, admins: list[int]) -> dict[str, object]:
        if not disabled:
            return {"disabled": False, "failed_logins": 0, "locked_until": None}
        if _same(by, row["username"]):
            raise UserError("you cannot disable your own account (another admin can)")
        if row["disabled"]:
            return {}
        if row["role"] == "admin":
            _keep_an_admin(row, admins, "disabled")
        return {"disabled": True, "session_epoch": users.c.session_epoch + 1}
    return _apply(store, username, change)


def set_role(store: AppStore, username: str, role: str, *, by: str | None = None) -> User:
    """A new role (the user's sessions end); the same role changes nothing."""
    role_rank(role)

    def change(row: RowMapping, admins: list[int]) -> dict[str, object]:
        if row["role"] == role:
            return {}
        if row["role"] == "admin":
            if _same(by, row["username"]):
                raise UserError("you cannot take the admin role from yourself (another admin can)")
            if not row["disabled"]:
                _keep_an_admin(row, admins, f"made {'an' if role == 'analyst' else 'a'} {role}")
        return {"role": role, "session_epoch": users.c.session_epoch + 1}
    return _apply(store, username, change)


def set_scope(store: AppStore, username: str, csm_scope: str | None) -> User:
    """Limit the user to the accounts whose csm_owner is `csm_scope` (None: all accounts); the user's sessions end
    when it changes."""
    scope = _scope(csm_scope)

    def change(row: RowMapping, _admins: list[int]) -> dict[str, object]:
        return {} if row["csm_scope"] == scope else {"csm_scope": scope, "session_epoch": users.c.session_epoch + 1}
    return _apply(store, username, change)


def set_password(store: AppStore, username: str, password: str) -> User:
    """A new password; the account's sessions end, and a lock-out is lifted."""
    return _change(store, username, {"password_hash": hash_password(password), "failed_logins": 0,
                                     "locked_until": None, "session_epoch": users.c.session_epoch + 1})


def unlock(store: AppStore, username: str) -> User:
    """Lift a lock-out (wrong passwords) before it expires; the count of wrong passwords starts again."""
    return _change(store, username, {"failed_logins": 0, "locked_until": None})


def revoke_sessions(store: AppStore, user_id: int) -> None:
    """End every signed-in session of the user (sign-out: a copy of the cookie stops working too)."""
    with store.engine.begin() as conn:
        conn.execute(update(users).where(users.c.id == user_id).values(session_epoch=users.c.session_epoch + 1))


def authenticate(store: AppStore, username: str, password: str, *, max_failures: int, lock_minutes: float,
                 now: datetime | None = None) -> tuple[User | None, Failure | None]:
    """(the user, None) when the password is right and the account usable, else (None or the user, why not)."""
    now = now or utc_now()
    user, stored_hash = _find_with_hash(store, username)
    if user is None:
        verify_password(_dummy_hash(), password)
        return None, Failure.UNKNOWN
    if user.disabled or user.locked(now):
        verify_password(_dummy_hash(), password)  # same time as a real check: the answer's delay tells nothing
        return user, Failure.DISABLED if user.disabled else Failure.LOCKED
    if not verify_password(stored_hash, password):
        _count_failure(store, user.id, max_failures, lock_minutes, now)
        return get_user_by_id(store, user.id), Failure.PASSWORD
    values: dict[str, object] = {"failed_logins": 0, "locked_until": None, "last_login_at": now}
    if needs_rehash(stored_hash):  # hashed with older parameters: store a hash with today's
        values["password_hash"] = _hasher.hash(password)
    with store.engine.begin() as conn:
        conn.execute(update(users).where(users.c.id == user.id).values(**values))
    return get_user_by_id(store, user.id), None


def _count_failure(store: AppStore, user_id: int, max_failures: int, lock_minutes: float, now: datetime) -> None:
    # One transaction (BEGIN IMMEDIATE on SQLite): two wrong passwords at once both count.
    with store.engine.begin() as conn:
        conn.execute(update(users).where(users.c.id == user_id).values(failed_logins=users.c.failed_logins + 1))
        failures = conn.execute(select(users.c.failed_logins).where(users.c.id == user_id)).scalar_one()
        if failures >= max_failures:
            # locked; the count starts again, so after the lock the user has max_failures tries again
            conn.execute(update(users).where(users.c.id == user_id)
                         .values(failed_logins=0, locked_until=now + timedelta(minutes=lock_minutes)))


def needs_rehash(stored_hash: str) -> bool:
    """Hashed with older argon2 parameters than today's: store a new hash once the password is known again."""
    return _hasher.check_needs_rehash(stored_hash)


def verify_password(stored_hash: str, password: object) -> bool:
    """`password` matches the argon2 hash (users' and protected permalinks' alike); False for anything that is no
    password (not text, empty, longer than MAX_PASSWORD) without hashing it."""
    if not isinstance(password, str) or not password or len(password) > MAX_PASSWORD:
        return False
    try:
        return _hasher.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def _find_with_hash(store: AppStore, username: str) -> tuple[User | None, str]:
    try:
        name = normalise_username(username)
    except UserError:
        return None, ""
    with store.engine.begin() as conn:
        row = conn.execute(select(users).where(users.c.username == name)).mappings().first()
    return (_user(row), row["password_hash"]) if row else (None, "")


def _change(store: AppStore, username: str, values: dict[str, object]) -> User:
    name = normalise_username(username)
    with store.engine.begin() as conn:
        changed = conn.execute(update(users).where(users.c.username == name).values(**values)).rowcount
    if changed != 1:
        raise UserError(f"no user named {name!r}")
    return get_user(store, name)  # type: ignore[return-value]


def _apply(store: AppStore, username: str, change: Callable[[RowMapping, list[int]], dict[str, object]]) -> User:
    """Read the user's row and the enabled admins' ids, let `change` check them and say what to write (nothing: no
    change), write it: one transaction (BEGIN IMMEDIATE on SQLite; on PostgreSQL the enabled admins' rows, then the
    user's, are locked, always in that order), so that two admins demoting each other at once cannot both succeed."""
    name = normalise_username(username)
    with store.engine.begin() as conn:
        admins = list(conn.execute(select(users.c.id).where(users.c.role == "admin", users.c.disabled.is_(False))
                                   .order_by(users.c.id).with_for_update()).scalars())
        row = conn.execute(select(users).where(users.c.username == name).with_for_update()).mappings().first()
        if row is None:
            raise UserError(f"no user named {name!r}")
        values = change(row, admins)
        if values:
            conn.execute(update(users).where(users.c.id == row["id"]).values(**values))
    return get_user(store, name)  # type: ignore[return-value]


def _keep_an_admin(row: RowMapping, admins: list[int], change: str) -> None:
    """Refuse a change that would leave no enabled admin."""
    if not set(admins) - {row["id"]}:
        raise UserError(f"{row['username']} is the only enabled admin and cannot be {change}: make another user an "
                        "admin first, or nobody could manage users")


def _same(by: str | None, username: str) -> bool:
    return by is not None and by.strip().lower() == username


def _scope(value: str | None) -> str | None:
    text = (value or "").strip()
    return text[:200] or None


def _user(row: object) -> User:
    data = dict(row)  # type: ignore[call-overload]
    data.pop("password_hash", None)  # the hash stays in this module: a User can be logged or shown
    return User(**data)
