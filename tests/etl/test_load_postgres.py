"""`customer-insight load` into PostgreSQL (CUSTOMER_INSIGHT_WAREHOUSE_URL): the same warehouse as the DuckDB load of
the same files, read through the PostgreSQL reader; loads that fail or are killed half-way leave the warehouse in
service answering as before, and a completed load swaps the new data in for a reader that is already open."""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import time
from collections import Counter
from pathlib import Path

import duckdb
import pandas as pd
import pytest
import sqlalchemy as sa
import sqlglot
from rich.console import Console
from sqlglot import exp

from config.settings import DATA_DIR_ENV, WAREHOUSE_URL_ENV, load_settings
from etl.load import LoadError, run_load
from etl.sources.discover import plan_from_folder
from etl.sources.errors import SourceError
from tests.conftest import BAD_INTERACTIONS, CLI, SAMPLES, run_cli_on
from tests.warehouse.test_postgres_models import assert_same_frame
from warehouse import pgbuild
from warehouse.dialect import translate
from warehouse.filters import Filters
from warehouse.models import discover_models
from warehouse.reader import PostgresReader, WarehouseReader, WarehouseUnavailable
from warehouse.sqlfiles import SQL_DIR, read_sql

# A few queries of each kind of tab card: KPIs, counts by dimension, a time series, one customer's row, a page.
TAB_QUERIES = [
    ("overview/kpis", {}), ("overview/customers_by_churn_risk", {}), ("support/tickets_by_category", {}),
    ("support/ticket_totals", {}),
    ("sentiment/sentiment_over_time_by_source", {"grain": "month", "source_types": None}),
    ("customer/customer_signals", {"customer_id": "CUST-042"}), ("filters/options", {}),
    ("support/ticket_page", {"sort_column": "ticket_date", "sort_direction": "desc", "search": None,
                             "page_size": 25, "offset": 25}),
]


def records(folder: Path, name: str) -> list[dict]:
    return json.loads((folder / f"{name}.json").read_text())


def count_rows(engine: sa.Engine, table: str) -> int:
    with engine.connect() as conn:
        return conn.execute(sa.text(f"select count(*) from {table}")).scalar()


def schemas_of(engine: sa.Engine) -> set[str]:
    with engine.connect() as conn:
        return set(conn.execute(sa.text("select nspname from pg_namespace where nspname not like 'pg\\_%' "
                                        "and nspname not in ('information_schema', 'public')")).scalars())


@pytest.fixture(scope="module")
def readers(prd100_both):
    duck = WarehouseReader(prd100_both.duck.duckdb_path)
    pg = PostgresReader(prd100_both.pg.warehouse_url, data_dir=prd100_both.data_dir)
    yield duck, pg
    duck.close()
    pg.close()


@pytest.mark.parametrize(("name", "params"), TAB_QUERIES, ids=[q for q, _ in TAB_QUERIES])
def test_tab_queries_give_duckdb_numbers(readers, name, params):
    duck, pg = readers
    assert_same_frame(duck.query(name, Filters(), **params), pg.query(name, Filters(), **params), name)


def test_numbers_are_those_of_the_source_files(readers, prd100_both):
    _duck, pg = readers
    tickets = records(prd100_both.source, "support_tickets")
    by_category = pg.query("support/tickets_by_category", Filters())
    assert dict(zip(by_category["ticket_category"], by_category["tickets"], strict=True)) == \
        dict(Counter(t["ticket_category"] for t in tickets))
    totals = pg.query("support/ticket_totals", Filters()).iloc[0]
    assert (totals["tickets"], totals["customers_with_tickets"]) == (len(tickets), len({t["customer_id"]
                                                                                         for t in tickets}))
    good = len(records(SAMPLES / "prd_raw_100", "customer_interactions"))
    assert pg.query("overview/kpis", Filters()).iloc[0]["total_interactions"] == good == 300


def test_every_table_has_the_duckdb_row_count_and_the_load_bookkeeping(prd100_both):
    with duckdb.connect(str(prd100_both.duck.duckdb_path), read_only=True) as con:
        tables = con.execute("select table_schema, table_name from information_schema.tables").fetchall()
        expected = {(schema, name): con.execute(f'select count(*) from {schema}."{name}"').fetchone()[0]
                    for schema, name in tables}
        duck_report = con.execute("select source_file, rows_read, rows_loaded, rows_quarantined from load_report "
                                  "order by source_file").fetchall()
    engine = sa.create_engine(prd100_both.pg.warehouse_url)
    with engine.connect() as conn:
        found = set(conn.execute(sa.text(
            "select table_schema, table_name from information_schema.tables "
            "where table_schema in ('raw', 'staging', 'analytics')")).all())
        # DuckDB's unqualified tables (its main schema) are in `raw`
        assert found == {("raw" if schema == "main" else schema, name) for schema, name in expected}
        counts = {(schema, name): count_rows(engine, f'"{"raw" if schema == "main" else schema}"."{name}"')
                  for schema, name in expected}
        pg_report = conn.execute(sa.text("select source_file, rows_read, rows_loaded, rows_quarantined "
                                         "from raw.load_report order by source_file")).all()
        quarantined = conn.execute(sa.text("select source_row, reason from raw.quarantine order by source_row")).all()
        runs = conn.execute(sa.text("select status, source from raw.load_runs")).all()
        stages = set(conn.execute(sa.text("select stage from raw.load_stages")).scalars())
    engine.dispose()
    assert counts == expected
    assert counts[("analytics", "customer_base")] == len(records(prd100_both.source, "customers")) == 100
    assert [tuple(row) for row in pg_report] == duck_report
    interactions = next(row for row in pg_report if row[0] == "customer_interactions.json")
    assert tuple(interactions[1:]) == (300 + len(BAD_INTERACTIONS), 300, len(BAD_INTERACTIONS))
    assert len(quarantined) == len(BAD_INTERACTIONS)
    assert any("customer" in reason for _row, reason in quarantined)
    assert any("date" in reason for _row, reason in quarantined)
    assert runs == [("success", str(prd100_both.source))]
    assert {"read & validate", "enrich", "write tables", "build models", "churn model"} <= stages


def test_stream_gives_the_query_in_chunks(readers):
    _duck, pg = readers
    params = {"sort_column": "ticket_date", "sort_direction": "desc", "search": None, "page_size": 500, "offset": 0}
    whole = pg.query("support/ticket_page", Filters(), **params)
    chunks = list(pg.stream("support/ticket_page", Filters(), chunk_rows=64, **params))
    assert [len(c) for c in chunks] == [64, 64, 64, 8]
    # (a chunk types a column by its own values, as DuckDB's chunks do: compare the values)
    assert values(pd.concat(chunks, ignore_index=True)) == values(whole)
    empty = list(pg.stream("support/ticket_page", Filters(churn_risks=("Nope",)), **params))
    assert len(empty) == 1 and empty[0].empty and list(empty[0].columns) == list(whole.columns)
    with pytest.raises(TypeError, match="sort_column"):
        next(pg.stream("support/ticket_page", Filters()))


def values(frame: pd.DataFrame) -> list[list]:
    return frame.astype(object).where(frame.notna(), None).values.tolist()


def test_what_a_load_runs_reads_the_build_schemas():
    """Every table a model (or a query of the churn stage) names is in a build schema once translated for a load:
    never one in service, nor the raw tables on the search path."""
    files = [m.path for m in discover_models()] + sorted((SQL_DIR / "queries" / "churn").glob("*.sql"))
    for path in files:
        relative = path.relative_to(SQL_DIR).as_posix()
        tree = sqlglot.parse_one(translate(read_sql(relative), "postgres", pgbuild.BUILD_SCHEMAS), read="postgres")
        ctes = {cte.alias_or_name for cte in tree.find_all(exp.CTE)}
        tables = [t for t in tree.find_all(exp.Table)
                  if isinstance(t.this, exp.Identifier) and not (t.name in ctes and not t.db)]
        assert tables, relative
        assert {t.db for t in tables} <= set(pgbuild.BUILD_SCHEMAS.values()), relative
    assert len(files) > 30


# ---- failures, kills and swaps, in a database of their own ------------------------------------------------------

def subset(folder: Path, customers: int) -> Path:
    """The first `customers` customers of the PRD sample and their records (enrichment already cached)."""
    folder.mkdir()
    kept = {c["customer_id"] for c in records(SAMPLES / "prd_raw_100", "customers")[:customers]}
    for path in (SAMPLES / "prd_raw_100").iterdir():
        rows = [r for r in json.loads(path.read_text()) if r["customer_id"] in kept]
        (folder / path.name).write_text(json.dumps(rows))
    return folder


def served(reader: PostgresReader) -> tuple[str, list, list]:
    """What the warehouse in service answers: its version, the KPIs and a chart's rows."""
    return (reader.version, reader.query("overview/kpis", Filters()).values.tolist(),
            reader.query("support/tickets_by_category", Filters()).values.tolist())


def start_load(url: str, data: Path, source: Path) -> subprocess.Popen:
    env = {**os.environ, DATA_DIR_ENV: str(data), WAREHOUSE_URL_ENV: url}
    return subprocess.Popen([CLI, "load", "--source", str(source)], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)


# The statements of the model build (warehouse.postgres.build_models_pg) and of no other step: the churn stage's
# tables are written with CREATE TABLE (columns) + COPY, never CREATE ... AS or ANALYZE.
MODEL_BUILD = r'^(CREATE (TABLE|VIEW) "(analytics|staging)__build"\."\w+" AS |ANALYZE "analytics__build")'


def building_models(engine: sa.Engine, process: subprocess.Popen, timeout: float = 60) -> int:
    """Wait until the load's transaction that builds the models is under way; the server pid of its session."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, "the load ended before it was interrupted"
        with engine.connect() as conn:
            pid = conn.execute(sa.text(
                "select pid from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid() "
                "and state in ('active', 'idle in transaction') and query ~ :pattern"), {"pattern": MODEL_BUILD}
            ).scalar()
        if pid:
            return pid
        time.sleep(0.002)
    raise AssertionError("the model build never started")


def test_failed_and_killed_loads_keep_the_warehouse_and_a_load_swaps_in_for_an_open_reader(
        prd100_both, pg_database, tmp_path):
    url = pg_database("swaps")
    data = prd100_both.data_dir  # its enrichment cache knows every text of the sample
    engine = sa.create_engine(url)
    reader = PostgresReader(url, data_dir=data)
    with pytest.raises(WarehouseUnavailable, match="no warehouse"):
        reader.version  # noqa: B018
    # Loads in this process (run_load, what the command runs) where no process needs killing: no start-up time
    settings = load_settings({DATA_DIR_ENV: str(data), WAREHOUSE_URL_ENV: url})
    quiet = Console(file=io.StringIO())
    run_load(settings, plan_from_folder(subset(tmp_path / "first40", 40)), console=quiet)
    before = served(reader)
    assert count_rows(engine, "analytics.customer_base") == 40

    # a source file that cannot be read: refused before anything is written
    broken = subset(tmp_path / "broken", 100)
    (broken / "support_tickets.json").write_text('[{"ticket_id": "T1",')
    with pytest.raises(SourceError, match="invalid JSON"):
        run_load(settings, plan_from_folder(broken), console=quiet)
    assert served(reader) == before

    # another load holds the lock: refused at once
    with engine.connect() as conn:
        assert conn.execute(sa.text("select pg_try_advisory_lock(:k)"), {"k": pgbuild.LOCK_KEY}).scalar()
        with pytest.raises(LoadError, match="another load"):
            run_load(settings, plan_from_folder(prd100_both.source), console=quiet)
        conn.execute(sa.text("select pg_advisory_unlock(:k)"), {"k": pgbuild.LOCK_KEY})

    # the connection building the models is lost half-way: the load fails and removes its build schemas
    process = start_load(url, data, prd100_both.source)
    with engine.connect() as conn:
        assert conn.execute(sa.text("select pg_terminate_backend(:pid)"),
                            {"pid": building_models(engine, process)}).scalar()
    output, _ = process.communicate(timeout=60)
    assert process.returncode != 0 and "Traceback" not in output, output
    said = " ".join(output.split())  # the console wraps long lines
    assert "on PostgreSQL failed:" in said and "was not changed" in said
    # what psycopg says depends on when the server's goodbye arrives
    assert "terminating connection" in said or "server closed the connection" in said
    assert served(reader) == before
    assert schemas_of(engine) == {"raw", "staging", "analytics"}

    # killed (SIGKILL) half-way through building the models: the build schemas stay behind
    process = start_load(url, data, prd100_both.source)
    try:
        building_models(engine, process)
    finally:
        process.send_signal(signal.SIGKILL)
        process.communicate()
    assert served(reader) == before
    assert schemas_of(engine) == {"raw", "staging", "analytics", "raw__build", "staging__build", "analytics__build"}

    # the next load drops what the killed one left, and the open reader sees the new data at its next query
    run_load(settings, plan_from_folder(prd100_both.source), console=quiet)
    after = served(reader)
    assert after[0] != before[0] and count_rows(engine, "analytics.customer_base") == 100
    tickets = Counter(t["ticket_category"] for t in records(prd100_both.source, "support_tickets"))
    assert {row[0]: row[1] for row in after[2]} == dict(tickets) != {row[0]: row[1] for row in before[2]}
    assert schemas_of(engine) == {"raw", "staging", "analytics"}
    history = reader.query("loads/load_history")
    assert list(history["status"]) == ["success", "success"]
    assert list(history["source"]) == [str(prd100_both.source), str(tmp_path / "first40")]
    reader.close()
    engine.dispose()


def test_a_schema_the_load_did_not_make_is_never_replaced(prd100_both, pg_database):
    url = pg_database("foreign")
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text("create schema analytics"))
        conn.execute(sa.text("create table analytics.theirs as select 1 as x"))
    settings = load_settings({DATA_DIR_ENV: str(prd100_both.data_dir), WAREHOUSE_URL_ENV: url})
    with pytest.raises(LoadError, match="schema\\(s\\) analytics that a load did not create"):
        run_load(settings, plan_from_folder(prd100_both.source), console=Console(file=io.StringIO()))
    assert count_rows(engine, "analytics.theirs") == 1 and schemas_of(engine) == {"analytics"}
    engine.dispose()


def test_the_export_command_reads_postgresql(prd100_both, tmp_path):
    """`customer-insight export` with the URL set: the rows the DuckDB warehouse exports, through reader.stream."""
    files = {}
    for engine_name, settings in (("duck", prd100_both.duck), ("pg", prd100_both.pg)):
        files[engine_name] = tmp_path / f"{engine_name}.csv"
        url = None if engine_name == "duck" else settings.warehouse_url
        done = run_cli_on(prd100_both.data_dir, url, "export", "--dataset", "tickets", "--url",
                          "http://h/?tab=support&risk=High", "--out", str(files[engine_name]))
        assert "Tickets:" in done.stdout
    duck, pg = (pd.read_csv(files[name], encoding="utf-8-sig") for name in ("duck", "pg"))
    engine = sa.create_engine(prd100_both.pg.warehouse_url)
    with engine.connect() as conn:  # the customers of High churn risk, from the PostgreSQL warehouse itself
        high = set(conn.execute(sa.text("select customer_id from analytics.customer_persona_signals "
                                        "where churn_risk = 'High'")).scalars())
    engine.dispose()
    assert len(pg) > 0 and set(pg["customer_id"]) <= high
    assert_same_frame(duck, pg, "exported tickets")
