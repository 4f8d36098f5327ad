"""Schema migrations of the app-state database: an ordered list of steps, each applied once, in its own
transaction, and recorded in the schema_version table. AppStore applies the pending ones when it opens the database.

How to add a step (never edit a step that has shipped: databases out there have already applied it):
  1. write a function `_vN(conn)` below that changes the schema with SQLAlchemy Core on `conn` (create a table,
     `conn.execute(text("ALTER TABLE ... ADD COLUMN ..."))`, copy data). Define the tables it creates inside it, as
     they are at that step: appstate/tables.py describes the current schema and changes over time;
  2. append `Step(N, "what it does", _vN)` to MIGRATIONS (versions are 1, 2, 3, ... without gaps);
  3. update appstate/tables.py to the new current schema;
  4. add to tests/appstate/test_migrations.py a database at version N-1 with some rows, and check that opening it
     upgrades it and keeps them.
A step that fails rolls back whole: the database stays at the previous version and the error is raised.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import (
    Boolean,
    Column,
    Connection,
    Engine,
    Float,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    func,
    insert,
    select,
    text,
)

from appstate.db import AppStateError, UtcDateTime, utc_now

# Any number: PostgreSQL's advisory lock that serialises two processes migrating at once (SQLite: BEGIN IMMEDIATE).
_PG_LOCK_KEY = 710_406_006

schema_version = Table(
    "schema_version", MetaData(),
    Column("version", Integer, primary_key=True, autoincrement=False),
    Column("description", Text, nullable=False),
    Column("applied_at", UtcDateTime, nullable=False),
)


@dataclass(frozen=True)
class Step:
    version: int
    description: str
    apply: Callable[[Connection], None]


def _v1(conn: Connection) -> None:
    meta = MetaData()
    Table("permalinks", meta,
          Column("code", String(16), primary_key=True),
          Column("search", Text, nullable=False),
          Column("search_sha256", String(64), nullable=False, unique=True),
          Column("created_at", UtcDateTime, nullable=False),
          Column("last_used_at", UtcDateTime))
    meta.create_all(conn)


def _v2(conn: Connection) -> None:
    meta = MetaData()
    Table("schedules", meta,
          Column("id", Integer, primary_key=True),
          Column("name", String(200), nullable=False),
          Column("search", Text, nullable=False),
          Column("recipients", Text, nullable=False),
          Column("frequency", String(10), nullable=False),
          Column("weekday", Integer),
          Column("time_of_day", String(5), nullable=False),
          Column("timezone", String(64), nullable=False),
          Column("enabled", Boolean, nullable=False, default=True),
          Column("next_run_at", UtcDateTime, nullable=False),
          Column("last_run_at", UtcDateTime),
          Column("last_status", String(10)),
          Column("last_error", Text),
          Column("created_at", UtcDateTime, nullable=False),
          Index("ix_schedules_next_run_at", "next_run_at"))
    Table("alerts", meta,
          Column("id", Integer, primary_key=True),
          Column("name", String(200), nullable=False),
          Column("metric", String(64), nullable=False),
          Column("operator", String(10), nullable=False),
          Column("threshold", Float, nullable=False),
          Column("search", Text, nullable=False),
          Column("recipients", Text, nullable=False),
          Column("enabled", Boolean, nullable=False, default=True),
          Column("state", String(10), nullable=False, default="new"),
          Column("last_value", Float),
          Column("checked_version", String(64)),
          Column("last_checked_at", UtcDateTime),
          Column("last_fired_at", UtcDateTime),
          Column("last_error", Text),
          Column("created_at", UtcDateTime, nullable=False),
          Column("updated_at", UtcDateTime, nullable=False))
    Table("deliveries", meta,
          Column("id", Integer, primary_key=True),
          Column("kind", String(10), nullable=False),
          Column("job_id", Integer, nullable=False),
          Column("job_name", String(200), nullable=False),
          Column("recipients", Text, nullable=False),
          Column("subject", Text, nullable=False),
          Column("status", String(10), nullable=False),
          Column("error", Text),
          Column("size_bytes", Integer),
          Column("created_at", UtcDateTime, nullable=False),
          Index("ix_deliveries_created_at", "created_at"))
    meta.create_all(conn)


def _v3(conn: Connection) -> None:
    meta = MetaData()
    Table("users", meta,
          Column("id", Integer, primary_key=True),
          Column("username", String(64), nullable=False, unique=True),
          Column("display_name", String(200), nullable=False),
          Column("password_hash", Text, nullable=False),
          Column("role", String(10), nullable=False),
          Column("csm_scope", Text),
          Column("disabled", Boolean, nullable=False, default=False),
          Column("failed_logins", Integer, nullable=False, default=0),
          Column("locked_until", UtcDateTime),
          Column("session_epoch", Integer, nullable=False, default=0),
          Column("created_at", UtcDateTime, nullable=False),
          Column("last_login_at", UtcDateTime))
    Table("audit_log", meta,
          Column("id", Integer, primary_key=True),
          Column("at", UtcDateTime, nullable=False),
          Column("username", String(64)),
          Column("action", String(64), nullable=False),
          Column("detail", Text, nullable=False, default=""),
          Column("remote_addr", String(64)),
          Column("outcome", String(10), nullable=False),
          Index("ix_audit_log_at", "at"),
          Index("ix_audit_log_username", "username"))
    meta.create_all(conn)


def _v4(conn: Connection) -> None:
    meta = MetaData()
    Table("feedback", meta,
          Column("id", Integer, primary_key=True),
          Column("at", UtcDateTime, nullable=False),
          Column("username", String(64)),
          Column("tab", String(32), nullable=False),
          Column("search", Text, nullable=False),
          Column("rating", Integer, nullable=False),
          Column("comment", Text, nullable=False, default=""),
          Index("ix_feedback_at", "at"))
    meta.create_all(conn)


def _v5(conn: Connection) -> None:
    # A password-protected permalink is never shared with another request for the same view (each has its own
    # password), so "same query string -> same code" now holds for plain links only: the table is rebuilt without
    # the column's UNIQUE (SQLite cannot drop it) and a partial unique index takes its place.
    meta = MetaData()
    new = Table("permalinks_v5", meta,
                Column("code", String(16), primary_key=True),
                Column("search", Text, nullable=False),
                Column("search_sha256", String(64), nullable=False),
                Column("created_at", UtcDateTime, nullable=False),
                Column("last_used_at", UtcDateTime),
                Column("created_by", String(64)),
                Column("password_hash", Text),
                Column("failed_attempts", Integer, nullable=False, default=0),
                Column("locked_until", UtcDateTime))
    new.create(conn)
    conn.execute(text("INSERT INTO permalinks_v5 (code, search, search_sha256, created_at, last_used_at, "
                      "failed_attempts) SELECT code, search, search_sha256, created_at, last_used_at, 0 "
                      "FROM permalinks"))
    conn.execute(text("DROP TABLE permalinks"))
    conn.execute(text("ALTER TABLE permalinks_v5 RENAME TO permalinks"))
    conn.execute(text("CREATE UNIQUE INDEX ux_permalinks_plain_search ON permalinks (search_sha256) "
                      "WHERE password_hash IS NULL"))
    for table in ("schedules", "alerts"):  # who made the job: it runs with that user's account scope
        conn.execute(text(f"ALTER TABLE {table} ADD COLUMN owner VARCHAR(64)"))


def _v6(conn: Connection) -> None:
    meta = MetaData()
    Table("user_preferences", meta,
          Column("username", String(64), primary_key=True),
          Column("default_tab", String(32)),
          Column("default_range", String(32)),
          Column("colour_scheme", String(32)),
          Column("number_format", String(16)),
          Column("updated_at", UtcDateTime, nullable=False))
    Table("presets", meta,
          Column("id", Integer, primary_key=True),
          Column("owner", String(64), nullable=False),
          Column("name", String(100), nullable=False),
          Column("search", Text, nullable=False),
          Column("shared", Boolean, nullable=False, default=False),
          Column("created_at", UtcDateTime, nullable=False),
          Column("updated_at", UtcDateTime, nullable=False),
          UniqueConstraint("owner", "name", name="uq_presets_owner_name"))
    meta.create_all(conn)


MIGRATIONS: list[Step] = [
    Step(1, "permalinks", _v1),
    Step(2, "scheduled reports, KPI alerts and their deliveries", _v2),
    Step(3, "users and the audit log", _v3),
    Step(4, "feedback on the dashboard's tabs", _v4),
    Step(5, "passwords on permalinks; owners of schedules and alerts", _v5),
    Step(6, "user preferences and saved filter presets", _v6),
]
assert [s.version for s in MIGRATIONS] == list(range(1, len(MIGRATIONS) + 1)), "versions must be 1, 2, 3, ..."
LATEST = MIGRATIONS[-1].version


def current_version(conn: Connection) -> int:
    return conn.execute(select(func.coalesce(func.max(schema_version.c.version), 0))).scalar_one()


def migrate(engine: Engine, target: int | None = None) -> list[int]:
    """Apply the steps up to `target` (default: all) that the database has not applied; returns their versions."""
    target = LATEST if target is None else target
    with engine.begin() as conn:
        _lock(conn)
        schema_version.create(conn, checkfirst=True)
        found = current_version(conn)
    if found > LATEST:
        raise AppStateError(f"the app-state database {engine.url!r} is at schema version {found}, newer than this "
                            f"version of Customer Insight knows ({LATEST}): upgrade Customer Insight")
    applied = []
    for step in MIGRATIONS:
        if step.version > target:
            break
        with engine.begin() as conn:
            _lock(conn)
            if current_version(conn) >= step.version:  # applied meanwhile by another process
                continue
            step.apply(conn)
            conn.execute(insert(schema_version).values(version=step.version, description=step.description,
                                                       applied_at=utc_now()))
        applied.append(step.version)
    return applied


def _lock(conn: Connection) -> None:
    if conn.dialect.name == "postgresql":
        conn.execute(text("select pg_advisory_xact_lock(:key)"), {"key": _PG_LOCK_KEY})
