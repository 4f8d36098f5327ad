"""The DuckDB warehouse: connections, table writes and the atomic swap of a freshly built file.

A load builds a complete new DuckDB file next to the one in service and then renames it over it
(os.replace is atomic on POSIX). Readers that opened the old file keep reading it until they reconnect;
a load killed half-way leaves only a stray build file, removed by the next load.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pyarrow as pa

from warehouse.models import Model, build_models
from warehouse.queries import run_query

BUILD_SUFFIX = ".building"


def connect(path: Path, read_only: bool = True) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(str(path), read_only=read_only)


def build_path(target: Path) -> Path:
    """Where a new warehouse is built before the swap (one per process, so two loads never collide)."""
    return target.with_name(f"{target.name}{BUILD_SUFFIX}-{os.getpid()}")


def remove_stale_builds(target: Path) -> list[Path]:
    """Delete build files left by killed loads (their process is gone)."""
    removed = []
    for candidate in target.parent.glob(f"{target.name}{BUILD_SUFFIX}-*"):
        pid_text = candidate.name.rsplit("-", 1)[-1].split(".")[0]
        if pid_text.isdigit() and process_alive(int(pid_text)) and int(pid_text) != os.getpid():
            continue
        candidate.unlink(missing_ok=True)
        removed.append(candidate)
    return removed


def process_alive(pid: int) -> bool:
    """Whether process `pid` is running (for files and state left by loads that may have been killed)."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # a finished child not reaped yet is a zombie: not running
        return Path(f"/proc/{pid}/stat").read_text().split(") ")[-1][:1] != "Z"
    except OSError:
        return True


def swap_in(built: Path, target: Path) -> None:
    """Make the built file the warehouse in service, atomically."""
    with built.open("rb") as fh:
        os.fsync(fh.fileno())
    os.replace(built, target)
    directory = os.open(target.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


def write_table(con: duckdb.DuckDBPyConnection, name: str, table: pa.Table | pd.DataFrame) -> None:
    """Create (or replace) a table from an Arrow table or DataFrame, keeping its column types."""
    view = f"_incoming_{name.replace('.', '_')}"
    con.register(view, table)
    try:
        con.execute(f'CREATE OR REPLACE TABLE {name} AS SELECT * FROM "{view}"')
    finally:
        con.unregister(view)


@contextmanager
def building(target: Path) -> Iterator[tuple[duckdb.DuckDBPyConnection, Path]]:
    """A connection to a new build file; on error the build file is removed and the target untouched."""
    target.parent.mkdir(parents=True, exist_ok=True)
    path = build_path(target)
    path.unlink(missing_ok=True)
    con = duckdb.connect(str(path))
    try:
        yield con, path
        con.execute("CHECKPOINT")
    except BaseException:
        # the load's own error is the one to report (a full disk...): a cleanup that fails too leaves a build file
        # that the load's message names and the next load removes
        with suppress(duckdb.Error):
            con.close()
        for leftover in (path, path.with_name(path.name + ".wal")):
            with suppress(OSError):
                leftover.unlink(missing_ok=True)
        raise
    con.close()


class DuckBuild:
    """A new warehouse file while a load builds it, with the interface warehouse/pgbuild.py's PgBuild has (so the
    load and insight/stage.py write, build and query either engine alike)."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con = con

    def write_table(self, name: str, data: pa.Table | pd.DataFrame) -> None:
        if "." in name:
            self.con.execute(f"CREATE SCHEMA IF NOT EXISTS {name.split('.')[0]}")
        write_table(self.con, name, data)

    def build_models(self, on_model: Callable[[Model, float], None] | None = None) -> list[Model]:
        return build_models(self.con, on_model)

    def query(self, name: str, **params: Any) -> pd.DataFrame:
        return run_query(self.con, name, **params)
