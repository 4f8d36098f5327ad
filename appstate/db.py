"""The app-state database: an SQLAlchemy engine on CUSTOMER_INSIGHT_APP_DB_URL (default: the SQLite file app.db in
the data folder), migrated to the current schema when it is opened.

Kept apart from the warehouse on purpose: a warehouse rebuild swaps the DuckDB file in, and must never lose
permalinks, schedules or alerts. SQLite is set up for several writers (gunicorn workers, the scheduler, cron):
WAL (readers never wait for a writer), a busy timeout (a writer waits for the other instead of failing), and
every transaction opened with BEGIN IMMEDIATE, so that a read-then-write (a claim, a migration) cannot be
overtaken by another process between its read and its write.
"""

from __future__ import annotations

import os
import threading
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import DateTime, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.types import TypeDecorator

BUSY_TIMEOUT_S = 30


class AppStateError(Exception):
    """The app-state database cannot be used (e.g. its schema is newer than this code)."""


class UtcDateTime(TypeDecorator):
    """An aware datetime stored as naive UTC (SQLite has no time zones) and read back as aware UTC: the same
    instant compares equal whatever zone it was written in (the scheduler's claim compares timestamps)."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: app-state times must carry a time zone")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: object) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


def utc_now() -> datetime:
    return datetime.now(UTC)


def build_engine(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        # PostgreSQL (or another server database): pooled connections, checked before use
        return create_engine(parsed, pool_pre_ping=True)
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    # check_same_thread off: the pool hands a connection to one thread at a time (gunicorn threads, scheduler)
    engine = create_engine(parsed, connect_args={"timeout": BUSY_TIMEOUT_S, "check_same_thread": False})
    event.listen(engine, "connect", _sqlite_connect)
    event.listen(engine, "begin", _sqlite_begin)
    return engine


def _sqlite_connect(dbapi_connection: object, _record: object) -> None:
    # The driver's own transaction handling off: _sqlite_begin starts every transaction itself (SQLAlchemy's
    # documented recipe for pysqlite), so that it can be BEGIN IMMEDIATE.
    dbapi_connection.isolation_level = None  # type: ignore[attr-defined]
    cursor = dbapi_connection.cursor()  # type: ignore[attr-defined]
    cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_S * 1000}")
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute("PRAGMA synchronous = NORMAL")  # durable enough with WAL, and much faster than FULL
    cursor.close()


def _sqlite_begin(connection: object) -> None:
    # IMMEDIATE takes the write lock at BEGIN: two processes claiming the same job are serialised here, the second
    # one waiting (busy timeout) and then seeing the first one's commit. Transactions here are a few statements.
    connection.exec_driver_sql("BEGIN IMMEDIATE")  # type: ignore[attr-defined]


class AppStore:
    """The app-state database of one URL. Opening it applies the pending migrations."""

    def __init__(self, url: str) -> None:
        from appstate.migrations import migrate

        self.url = url
        self._engine = build_engine(url)
        self._pid = os.getpid()
        migrate(self._engine)

    @property
    def engine(self) -> Engine:
        if self._pid != os.getpid():
            # A forked server worker: the parent's pooled connections are not ours to use (nor to close).
            self._engine.dispose(close=False)
            self._pid = os.getpid()
        return self._engine

    def close(self) -> None:
        self._engine.dispose()


_STORES: dict[str, AppStore] = {}
_STORES_LOCK = threading.Lock()


def open_store(settings_or_url: object) -> AppStore:
    """The store of a Settings (its app_db) or of a URL; one per URL and process (migrations run once)."""
    url = settings_or_url if isinstance(settings_or_url, str) else settings_or_url.app_db  # type: ignore[attr-defined]
    with _STORES_LOCK:
        store = _STORES.get(url)
        if store is None:
            store = _STORES[url] = AppStore(url)
        return store
