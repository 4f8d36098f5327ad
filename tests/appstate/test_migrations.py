"""The app-state database's migrations and its independence from the warehouse: an old database is upgraded on open
with its rows kept, a newer one is refused, SQLite runs in WAL mode, and a warehouse rebuild leaves app.db alone."""

from __future__ import annotations

import hashlib
import os
import sqlite3

import pytest
from sqlalchemy import create_engine, insert, text

from appstate import AppStateError, AppStore, create_permalink, open_store, resolve_permalink
from appstate.db import utc_now
from appstate.migrations import LATEST, MIGRATIONS, migrate, schema_version
from appstate.schedules import add_schedule, list_schedules
from config.settings import load_settings
from etl.load import run_load
from etl.sources.discover import plan_from_folder
from tests.etl.conftest import SAMPLES, run_cli


def tables(path) -> set[str]:
    with sqlite3.connect(path) as con:
        return {row[0] for row in con.execute("select name from sqlite_master where type = 'table'")}


def test_an_old_database_is_upgraded_on_open_and_keeps_its_rows(tmp_path):
    path = tmp_path / "app.db"
    engine = create_engine(f"sqlite:///{path}")
    assert migrate(engine, target=1) == [1]  # a database made by the version that only had permalinks
    with engine.begin() as conn:
        conn.execute(text("insert into permalinks (code, search, search_sha256, created_at) values "
                          "('abcdefghj', 'tab=support', :sha, '2025-01-01 00:00:00')"),
                     {"sha": hashlib.sha256(b"tab=support").hexdigest()})
    engine.dispose()
    assert "schedules" not in tables(path)

    store = AppStore(f"sqlite:///{path}")
    assert {"schedules", "alerts", "deliveries"} <= tables(path)
    with sqlite3.connect(path) as con:
        assert [row[0] for row in con.execute("select version from schema_version order by version")] == \
            list(range(1, LATEST + 1)) == [step.version for step in MIGRATIONS]
    assert resolve_permalink(store, "abcdefghj") == "?tab=support"  # the old row, read through the new code
    assert create_permalink(store, "tab=support") == "abcdefghj"
    store.close()
    assert migrate(create_engine(f"sqlite:///{path}")) == []  # opening again applies nothing


def test_a_database_newer_than_the_code_is_refused(tmp_path):
    url = f"sqlite:///{tmp_path / 'app.db'}"
    AppStore(url).close()
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(insert(schema_version).values(version=LATEST + 1, description="from the future",
                                                   applied_at=utc_now()))
    with pytest.raises(AppStateError, match=f"schema version {LATEST + 1}, newer"):
        AppStore(url)


def test_sqlite_runs_in_wal_mode_with_a_busy_timeout(tmp_path):
    store = AppStore(f"sqlite:///{tmp_path / 'app.db'}")
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("pragma journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("pragma busy_timeout").scalar() >= 10_000
    store.close()


def test_the_default_app_database_is_a_file_beside_the_warehouse_and_a_rebuild_leaves_it_alone(tmp_path):
    data = tmp_path / "data"
    run_cli(data, "load", "--source", str(SAMPLES / "prd_raw_10"))
    settings = load_settings({"CUSTOMER_INSIGHT_DATA_DIR": str(data)})
    assert settings.app_db == f"sqlite:///{data / 'app.db'}"
    store = open_store(settings)
    code = create_permalink(store, "?tab=overview&risk=High")
    add_schedule(store, name="Kept", search="?tab=overview", recipients="a@example.com", frequency="daily")
    store.close()  # the last connection checkpoints the WAL into app.db
    before = (data / "app.db").read_bytes(), os.stat(data / "app.db").st_ino
    warehouse_inode = os.stat(data / "warehouse.duckdb").st_ino

    # the rebuild in this process (the command's own run_load; `load --force` through the CLI is
    # tests/etl/test_load.py's): the process start and imports of a CLI load are 3-5 s
    run_load(settings, plan_from_folder(SAMPLES / "prd_raw_10"), force=True)

    assert os.stat(data / "warehouse.duckdb").st_ino != warehouse_inode  # the warehouse was swapped ...
    assert ((data / "app.db").read_bytes(), os.stat(data / "app.db").st_ino) == before  # ... app.db untouched
    reopened = AppStore(settings.app_db)
    assert resolve_permalink(reopened, code) == "?tab=overview&risk=High"
    assert [s.name for s in list_schedules(reopened)] == ["Kept"]
    reopened.close()


def test_a_version_2_database_gains_users_and_the_audit_log_and_keeps_its_schedules(tmp_path):
    from appstate import audit
    from appstate.users import authenticate, create_user

    path = tmp_path / "app.db"
    engine = create_engine(f"sqlite:///{path}")
    assert migrate(engine, target=2) == [1, 2]  # a database made by the version with schedules, before users
    with engine.begin() as conn:
        conn.execute(text("insert into schedules (name, search, recipients, frequency, time_of_day, timezone, "
                          "enabled, next_run_at, created_at) values ('Weekly', '?tab=support', 'a@example.com', "
                          "'daily', '07:00', 'UTC', 1, '2025-01-02 07:00:00', '2025-01-01 00:00:00')"))
    engine.dispose()
    assert not {"users", "audit_log"} & tables(path)

    store = AppStore(f"sqlite:///{path}")
    assert {"users", "audit_log"} <= tables(path)
    assert [(s.name, s.search) for s in list_schedules(store)] == [("Weekly", "?tab=support")]
    create_user(store, "Ann", "correct horse", role="admin")
    assert authenticate(store, "ann", "correct horse", max_failures=5, lock_minutes=15)[1] is None
    audit.record(store, "signin", username="ann")
    assert [(e.username, e.action, e.outcome) for e in audit.list_entries(store)] == [("ann", "signin", "ok")]
    store.close()


def test_a_version_3_database_gains_feedback_and_keeps_its_users(tmp_path):
    from appstate.feedback import add_feedback, list_feedback
    from appstate.users import get_user

    path = tmp_path / "app.db"
    engine = create_engine(f"sqlite:///{path}")
    assert migrate(engine, target=3) == [1, 2, 3]  # a database made by the version with users, before feedback
    with engine.begin() as conn:
        conn.execute(text("insert into users (username, display_name, password_hash, role, disabled, failed_logins, "
                          "session_epoch, created_at) values ('ann', 'Ann', 'x', 'admin', 0, 0, 0, "
                          "'2025-01-01 00:00:00')"))
    engine.dispose()
    assert "feedback" not in tables(path)

    store = AppStore(f"sqlite:///{path}")
    assert "feedback" in tables(path)
    assert get_user(store, "ann").role == "admin"
    add_feedback(store, username="ann", tab="support", search="?tab=support", rating=4, comment="good")
    assert [(f.username, f.tab, f.rating) for f in list_feedback(store)] == [("ann", "support", 4)]
    store.close()


def test_a_version_4_database_keeps_its_permalinks_and_schedules_and_gains_presets(tmp_path):
    path = tmp_path / "app.db"
    engine = create_engine(f"sqlite:///{path}")
    assert migrate(engine, target=4) == [1, 2, 3, 4]  # a database made by the version with feedback
    digest = hashlib.sha256(b"tab=support").hexdigest()
    with engine.begin() as conn:
        conn.execute(text("insert into permalinks (code, search, search_sha256, created_at) values "
                          "('abcdefghj', 'tab=support', :digest, '2025-01-01 00:00:00')"), {"digest": digest})
        conn.execute(text("insert into schedules (name, search, recipients, frequency, time_of_day, timezone, "
                          "enabled, next_run_at, created_at) values ('Weekly', '?tab=support', 'a@example.com', "
                          "'daily', '07:00', 'UTC', 1, '2025-01-02 07:00:00', '2025-01-01 00:00:00')"))
    engine.dispose()

    assert migrate(create_engine(f"sqlite:///{path}")) == [5, 6]
    assert {"user_preferences", "presets", "permalinks"} <= tables(path) and "permalinks_v5" not in tables(path)
    with sqlite3.connect(path) as con:
        kept = con.execute("select code, search, failed_attempts, password_hash, created_by from permalinks")
        assert kept.fetchall() == [("abcdefghj", "tab=support", 0, None, None)]
        assert con.execute("select name, owner from schedules").fetchall() == [("Weekly", None)]
        # plain links stay one per query string; a protected link for the same view is a row of its own
        with pytest.raises(sqlite3.IntegrityError):
            con.execute("insert into permalinks (code, search, search_sha256, created_at, failed_attempts) values "
                        "('bcdefghjk', 'tab=support', ?, '2025-01-02 00:00:00', 0)", (digest,))
        con.execute("insert into permalinks (code, search, search_sha256, created_at, failed_attempts, password_hash) "
                    "values ('cdefghjkm', 'tab=support', ?, '2025-01-02 00:00:00', 0, 'argon2-hash')", (digest,))
        # presets are unique per owner and name
        con.execute("insert into presets (owner, name, search, shared, created_at, updated_at) values "
                    "('ann', 'EMEA', 'tab=support', 0, '2025-01-01', '2025-01-01')")
        with pytest.raises(sqlite3.IntegrityError):
            con.execute("insert into presets (owner, name, search, shared, created_at, updated_at) values "
                        "('ann', 'EMEA', 'tab=overview', 1, '2025-01-01', '2025-01-01')")
    store = AppStore(f"sqlite:///{path}")
    assert resolve_permalink(store, "abcdefghj") == "?tab=support"
    assert create_permalink(store, "?tab=support") == "abcdefghj"
    store.close()
