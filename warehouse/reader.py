"""Read access to the warehouse in service, for the dashboard, exports and the CLI.

The DuckDB file is opened read-only. A load swaps a new file in by rename; the reader notices (the file's
inode changes) and reconnects, so users see the new data version on their next query while queries already
running finish on the old one.
"""

from __future__ import annotations

import os
import threading
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from warehouse.cache import QueryCache
from warehouse.filters import Filters
from warehouse.queries import query_parameters, run_query
from warehouse.sqlfiles import read_sql


class WarehouseUnavailable(Exception):
    """The warehouse cannot be read (not built yet, or the file is unreadable)."""


class WarehouseReader:
    def __init__(self, path: Path, cache: QueryCache | None = None) -> None:
        self.path = path
        self.cache = cache or QueryCache()
        self._lock = threading.Lock()
        self._con: duckdb.DuckDBPyConnection | None = None
        self._version: tuple[int, int] | None = None
        self._pid = os.getpid()

    @property
    def version(self) -> str:
        """Identifies the data version in service (changes with every load); for cache keys."""
        self._connection()
        return f"{self._version[0]}-{self._version[1]}" if self._version else "none"

    def query(self, name: str, filters: Filters | None = None, **params: Any) -> pd.DataFrame:
        """Run sql/queries/<name>.sql with bound parameters (the filters' and any extra ones).

        Results are cached per (query, parameters, warehouse version)."""
        if filters is not None:
            params = {**filters.params(*self.date_bounds()), **params}
        used = query_parameters(name)
        params = {k: v for k, v in params.items() if k in used}
        # The SQL text is part of the key: an edited query never serves results cached from its old text.
        key = QueryCache.key(read_sql(f"queries/{name}.sql"), self.version, params)
        return self.cache.get_or_compute(key, lambda: self._run(name, params))

    def date_bounds(self) -> tuple[date, date]:
        """First and last activity dates in the warehouse: the range of "all time"."""
        bounds = self.query("filters/date_bounds").iloc[0]
        if pd.isna(bounds["first_date"]):
            today = date.today()
            return today, today
        return bounds["first_date"].date(), bounds["last_date"].date()

    def _run(self, name: str, params: dict[str, Any]) -> pd.DataFrame:
        cursor = self._connection().cursor()
        try:
            return run_query(cursor, name, **params)
        finally:
            cursor.close()

    def _connection(self) -> duckdb.DuckDBPyConnection:
        try:
            stat = os.stat(self.path)
        except FileNotFoundError as exc:
            raise WarehouseUnavailable(
                f"no warehouse at {self.path}: run `customer-insight load` or `customer-insight demo`"
            ) from exc
        version = (stat.st_ino, stat.st_mtime_ns)
        with self._lock:
            if self._pid != os.getpid():
                # A forked server worker: the parent's connection is not ours to use (or to close).
                self._con, self._pid = None, os.getpid()
            if self._con is None or version != self._version:
                if self._con is not None:
                    self._con.close()
                try:
                    self._con = duckdb.connect(str(self.path), read_only=True)
                except duckdb.Error as exc:
                    raise WarehouseUnavailable(f"cannot open the warehouse {self.path}: {exc}") from exc
                self._version = version
            return self._con

    def close(self) -> None:
        with self._lock:
            if self._con is not None:
                self._con.close()
                self._con = None
