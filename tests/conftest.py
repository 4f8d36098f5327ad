"""Fixtures for every test folder: ONE real PostgreSQL server per test session (tests/pgserver.py), fresh databases
on it, and the PRD sample loaded into both warehouses (DuckDB file and PostgreSQL) by the real CLI."""

from __future__ import annotations

import atexit
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa

from config.settings import DATA_DIR_ENV, WAREHOUSE_URL_ENV, Settings, load_settings
from tests.pgserver import find_bindir, started_server

SAMPLES = Path(__file__).resolve().parents[2] / "shared" / "samples"
CLI = str(Path(sys.executable).with_name("customer-insight"))


@pytest.fixture(scope="session")
def demo_s_source(tmp_path_factory) -> Path:
    """The demo data set at scale S (1,000 customers), generated once for the session: read only, so that its loads
    into empty folders are one (run_cli_on)."""
    from etl.demo.generator import generate

    folder = tmp_path_factory.mktemp("demo-S-source")
    generate("S", folder)
    return folder


@pytest.fixture(scope="session")
def pg_server():
    """A running PostgreSQL server on 127.0.0.1, stopped (and its files removed) when the session ends."""
    if find_bindir() is None:
        pytest.skip("no PostgreSQL server binaries (initdb, pg_ctl) on this machine: "
                    "install them with scripts/system-packages.sh test")
    server = started_server()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def pg_url(pg_server) -> str:
    """SQLAlchemy URL of the test server's `postgres` database (superuser, no password)."""
    return pg_server.url


@pytest.fixture(scope="session")
def pg_database(pg_url) -> Callable[[str], str]:
    """new(name): a new, empty database `name` on the test server (dropped first if a test made it before); its
    URL."""

    def new(name: str) -> str:
        admin = sa.create_engine(pg_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
        return pg_url.rsplit("/", 1)[0] + f"/{name}"

    return new


def run_cli_on(data_dir: Path, url: str | None, *args: str, check: bool = True,
               timeout: float = 600) -> subprocess.CompletedProcess:
    """Run the installed `customer-insight` command on the warehouse `url` (None: the DuckDB file of data_dir).
    A load of a source folder into an empty data folder that the session has already run is a copy of that one's
    data folder (_LOADED): the same files, command and settings give the same warehouse, and the suite loads the
    samples some twenty times (5-10 s each)."""
    reuse = _load_key(data_dir, url, args)
    if reuse in _LOADED:
        done, result = _LOADED[reuse]
        shutil.copytree(done, data_dir, dirs_exist_ok=True, ignore=shutil.ignore_patterns("*.lock"))
        return result
    env = {**os.environ, DATA_DIR_ENV: str(data_dir), "COLUMNS": "200"}
    env.pop(WAREHOUSE_URL_ENV, None)
    if url:
        env[WAREHOUSE_URL_ENV] = url
    result = subprocess.run([CLI, *args], env=env, capture_output=True, text=True, timeout=timeout)
    if check and result.returncode != 0:
        raise AssertionError(f"customer-insight {' '.join(args)} failed ({result.returncode}):\n"
                             f"{result.stdout}\n{result.stderr}")
    if reuse is not None and result.returncode == 0:
        kept = Path(tempfile.mkdtemp(prefix="loaded-", dir=_loaded_root()))
        shutil.copytree(data_dir, kept, dirs_exist_ok=True, ignore=shutil.ignore_patterns("*.lock"))
        _LOADED[reuse] = (kept, result)
    return result


_LOADED: dict[tuple, tuple[Path, subprocess.CompletedProcess]] = {}


def copy_enrichment_cache(source: Path, data_dir: Path) -> None:
    """Put the enrichment cache of the session's load of the folder `source` (run_cli_on: made once, then copied)
    into data_dir, so that a load there scores none of source's texts. For tests whose point is not the enrichment:
    a cold one builds the sentiment scorers (lexicons, lemmas, stems: seconds per language), most of a small load."""
    scored = Path(tempfile.mkdtemp(prefix="scored-", dir=_loaded_root()))
    run_cli_on(scored, None, "load", "--source", str(source))
    shutil.copytree(scored / "enrichment_cache", data_dir / "enrichment_cache", dirs_exist_ok=True)
    shutil.rmtree(scored)


def _load_key(data_dir: Path, url: str | None, args: tuple[str, ...]) -> tuple | None:
    """What makes two loads the same: `load --source DIR` into an empty DuckDB data folder on the same filesystem,
    DIR's path and its files' names, sizes and modification times, and the CUSTOMER_INSIGHT_* settings; None for any
    other command."""
    if url is not None or len(args) != 3 or args[:2] != ("load", "--source"):
        return None
    source = Path(args[2]).resolve()
    if not source.is_dir() or (data_dir.exists() and any(data_dir.iterdir())):
        return None
    files = tuple(sorted((p.name, p.stat().st_size, p.stat().st_mtime_ns) for p in source.iterdir() if p.is_file()))
    settings = tuple(sorted((k, v) for k, v in os.environ.items()
                            if k.startswith("CUSTOMER_INSIGHT_") and k not in (DATA_DIR_ENV, WAREHOUSE_URL_ENV)))
    # a test's own filesystem (a small or read-only mount) must see its load really run
    existing = next(folder for folder in (data_dir, *data_dir.parents) if folder.exists())
    device = existing.stat().st_dev
    return str(source), files, settings, device


def _loaded_root() -> Path:
    root = Path(tempfile.gettempdir()) / f"customer-insight-test-loads-{os.getpid()}"
    if not root.exists():
        root.mkdir()
        atexit.register(shutil.rmtree, root, ignore_errors=True)
    return root


# Rows added to the PRD sample so that the loads quarantine something: an interaction of an unknown customer and
# one with an unreadable date.
BAD_INTERACTIONS = [
    {"interaction_id": "INT-BAD-1", "customer_id": "CUST-NOPE", "interaction_date": "2024-11-02T10:00:00",
     "interaction_type": "Email", "interaction_notes": "Nobody knows this customer."},
    {"interaction_id": "INT-BAD-2", "customer_id": "CUST-001", "interaction_date": "the day before yesterday",
     "interaction_type": "Email", "interaction_notes": "When was this?"},
]


@dataclass(frozen=True)
class BothWarehouses:
    """The same source files loaded by `customer-insight load` into a DuckDB file and a PostgreSQL database."""
    source: Path
    data_dir: Path  # the DuckDB warehouse and the enrichment cache both loads share
    duck: Settings
    pg: Settings


@pytest.fixture(scope="session")
def prd100_both(tmp_path_factory, pg_database) -> BothWarehouses:
    """The PRD sample of 100 customers (plus BAD_INTERACTIONS) in both warehouses. Read only: tests that load
    again use databases of their own."""
    source = tmp_path_factory.mktemp("prd100-source")
    for path in (SAMPLES / "prd_raw_100").iterdir():
        records = json.loads(path.read_text())
        if path.name == "customer_interactions.json":
            records += BAD_INTERACTIONS
        (source / path.name).write_text(json.dumps(records))
    data = tmp_path_factory.mktemp("prd100-both")
    # the sample's own texts (BAD_INTERACTIONS are quarantined, never enriched): a cold enrichment spared
    copy_enrichment_cache(SAMPLES / "prd_raw_100", data)
    url = pg_database("prd100")
    run_cli_on(data, None, "load", "--source", str(source))
    run_cli_on(data, url, "load", "--source", str(source))  # the enrichment cache is warm by now
    return BothWarehouses(source, data, load_settings({DATA_DIR_ENV: str(data)}),
                          load_settings({DATA_DIR_ENV: str(data), WAREHOUSE_URL_ENV: url}))
