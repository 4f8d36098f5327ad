"""Who is asking: the signed session cookie, the session-signing key, and the local admin of a server without
sign-in.

The session is Flask's own signed cookie (itsdangerous, HMAC with the secret key), HttpOnly, SameSite=Lax, Secure
per setting. It holds the user's id, the user's session epoch (appstate.users: raised by sign-out, a new password or
a disabled account, which ends every session of that user, copies of the cookie included), a random session id made
at sign-in, and the time of the last request (idle expiry). Nothing else: role and scope are read from the database.
"""

from __future__ import annotations

import contextlib
import logging
import os
import secrets
import stat
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from flask import Flask, current_app, g, session

from appstate.db import AppStore
from appstate.users import User, get_user_by_id
from config.settings import Settings

log = logging.getLogger(__name__)

COOKIE_NAME = "ci_session"
# A signed-in user's row is read again at most this often per process: a disabled account or a new role takes
# effect within seconds without one database read per callback (a page sends dozens).
USER_CACHE_S = 5.0
SEEN_EVERY_S = 60  # the idle clock in the cookie moves at most once a minute: fewer Set-Cookie answers

LOCAL_USER = User(id=0, username="local", display_name="local", role="admin", csm_scope=None, disabled=False,
                  failed_logins=0, locked_until=None, session_epoch=0,
                  created_at=datetime(2025, 1, 1, tzinfo=UTC), last_login_at=None)

_cache: dict[tuple[str, int], tuple[float, User | None]] = {}  # (app database, user id) -> (read at, row)
_cache_lock = threading.Lock()


def secret_key(settings: Settings) -> str:
    """CUSTOMER_INSIGHT_SECRET_KEY, else the key in <data_dir>/secret_key, made once (mode 0600) and kept: every
    worker, restart and server on the same data folder signs and reads the same cookies."""
    if settings.secret_key:
        return settings.secret_key
    path = settings.secret_key_file
    if not path.exists():
        _write_key(path)
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        log.warning("%s can be read by other users (mode %o): chmod 600 it", path, mode)
    key = path.read_text().strip()
    if len(key) < 32:
        raise RuntimeError(f"{path} holds no usable key: delete it to have a new one made")
    return key


def _write_key(path: Path) -> None:
    # Written whole to a temporary file, then linked in place: of two workers starting at once one wins, and
    # neither ever reads a half-written key.
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(f".secret_key.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(48) + "\n")
        with contextlib.suppress(FileExistsError):  # another process made it first: theirs is used
            os.link(temp, path)
    finally:
        temp.unlink(missing_ok=True)


def configure(server: Flask, settings: Settings, store: AppStore, clock: Callable[[], datetime]) -> None:
    server.config.update(
        SECRET_KEY=secret_key(settings) if settings.auth else secrets.token_urlsafe(48),
        SESSION_COOKIE_NAME=COOKIE_NAME,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.cookie_secure,
        PERMANENT_SESSION_LIFETIME=timedelta(hours=settings.session_idle_hours),
        # the cookie is sent again only when it changes (sign-in, and the idle clock once a minute), not with each
        # of the dozens of callback answers of a page
        SESSION_REFRESH_EACH_REQUEST=False,
        AUTH_ON=settings.auth,
        AUTH_SETTINGS=settings,
        APP_STORE=store,
        AUTH_CLOCK=clock,  # tests move it instead of sleeping
    )


def now() -> datetime:
    return current_app.config["AUTH_CLOCK"]()


def sign_in(user: User) -> None:
    """A new session for `user`: whatever the browser's cookie held before (a CSRF token, another user) is
    dropped, and the session id is new."""
    session.clear()
    session.permanent = True
    moment = now().timestamp()
    session.update(uid=user.id, epoch=user.session_epoch, sid=secrets.token_urlsafe(16), at=moment, seen=moment)
    forget(user.id)
    g.user = user


def sign_out() -> None:
    session.clear()
    g.user = None


def forget(user_id: int, store: AppStore | None = None) -> None:
    """Drop the cached row of a user (after a change made by this process); store: the app's by default."""
    with _cache_lock:
        _cache.pop(((store or current_app.config["APP_STORE"]).url, user_id), None)


def current_user() -> User | None:
    """The user of this request: the local admin when sign-in is off; None when nobody (valid) is signed in."""
    if "user" in g:
        return g.user
    g.user = LOCAL_USER if not current_app.config["AUTH_ON"] else _from_session()
    return g.user


def _from_session() -> User | None:
    uid, epoch, seen = session.get("uid"), session.get("epoch"), session.get("seen")
    if not isinstance(uid, int) or not isinstance(epoch, int) or not isinstance(seen, int | float):
        return None
    moment = now().timestamp()
    idle_s = current_app.config["AUTH_SETTINGS"].session_idle_hours * 3600
    if moment - seen > idle_s:
        session.clear()  # expired: the answer (a redirect to /login, a 401) also clears the browser's cookie
        return None
    user = _cached_user(uid)
    if user is None or user.disabled or user.session_epoch != epoch:
        session.clear()
        return None
    if moment - seen >= SEEN_EVERY_S:
        session["seen"] = moment
    return user


def _cached_user(uid: int) -> User | None:
    store = current_app.config["APP_STORE"]
    tick = time.monotonic()
    with _cache_lock:
        hit = _cache.get((store.url, uid))
    if hit is not None and tick - hit[0] < USER_CACHE_S:
        return hit[1]
    user = get_user_by_id(store, uid)
    with _cache_lock:
        _cache[(store.url, uid)] = (tick, user)
    return user
