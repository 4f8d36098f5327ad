"""Read access to the warehouse in service, for the dashboard, exports and the CLI.

open_reader(settings) gives the reader of CUSTOMER_INSIGHT_WAREHOUSE_URL's warehouse; both kinds have the same API
(query, stream, date_bounds, version, cache, close) and give the same frames for the same data.

- WarehouseReader, a DuckDB file, opened read-only. A load swaps a new file in by rename; the reader notices (the
  file's inode changes) and reconnects, so users see the new data version on their next query while queries
  already running finish on the old one.
- PostgresReader, a PostgreSQL database, through a pool of connections (checked before use). A load swaps new
  schemas in by renaming them in one transaction (warehouse/pgbuild.py): every query after it reads the new data.
  Its version is the newest load's id, read from the load history that the swap replaces with the data.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb
import pandas as pd

from warehouse.cache import QueryCache
from warehouse.filters import Filters
from warehouse.queries import query_parameters, run_query, to_duckdb_parameters
from warehouse.scope import GLOBAL_QUERIES, SCOPE_PARAMETER, ScopeError, current_scope
from warehouse.sqlfiles import read_sql

if TYPE_CHECKING:
    from sqlalchemy.engine import URL, Engine

    from config.settings import Settings

# Rows per chunk of stream(): a few megabytes of a wide export. DuckDB hands results over in vectors of 2,048 rows.
STREAM_CHUNK_ROWS = 25 * 2048
RETRY_PAUSE_S = 0.2  # before running a query again on a new connection (PostgresReader)
log = logging.getLogger(__name__)
_DUCKDB_VECTOR = 2048


class WarehouseUnavailable(Exception):
    """The warehouse cannot be read (not built yet, or the file is unreadable)."""


class BaseReader:
    """What both readers share: parameter binding, the result cache and date bounds. A subclass says how to run a
    query (_run), stream one (_chunks) and what the data version is."""

    cache: QueryCache

    @property
    def version(self) -> str:
        """Identifies the data version in service (changes with every load); for cache keys."""
        raise NotImplementedError

    def query(self, name: str, filters: Filters | None = None, **params: Any) -> pd.DataFrame:
        """Run sql/queries/<name>.sql with bound parameters (the filters' and any extra ones).

        Results are cached per (query, parameters, warehouse version); the account scope is a parameter."""
        params = self._bind(name, filters, params)
        # The SQL text is part of the key: an edited query never serves results cached from its old text.
        key = QueryCache.key(read_sql(f"queries/{name}.sql"), self.version, params)
        return self.cache.get_or_compute(key, lambda: self._run(name, params))

    def stream(self, name: str, filters: Filters | None = None, chunk_rows: int = STREAM_CHUNK_ROWS,
               **params: Any) -> Iterator[pd.DataFrame]:
        """The rows of query `name` as DataFrames of up to about chunk_rows rows, in order; always at least one
        (empty, with the columns, when no row matches). For exports too big to hold or to cache: never cached.
        The parameters (and the account scope) are bound now, in the caller's request; the query runs when the
        first chunk is asked for (a streamed download: after the request's own code has returned); closing the
        iterator (a client that went away) stops it."""
        params = self._bind(name, filters, params)
        missing = query_parameters(name) - params.keys()
        if missing:
            raise TypeError(f"query {name} needs parameter(s): {', '.join(sorted(missing))}")
        return self._chunks(name, params, chunk_rows)

    def _bind(self, name: str, filters: Filters | None, params: dict[str, Any]) -> dict[str, Any]:
        """The query's parameters: the filters', the caller's, and the account scope of this request, which the
        caller cannot set (warehouse/scope.py). A query that cannot apply a scope is refused under one."""
        if filters is not None:
            params = {**filters.params(*self.date_bounds()), **params}
        used = query_parameters(name)
        scope = current_scope()
        if SCOPE_PARAMETER in used:
            params = {**params, SCOPE_PARAMETER: scope.csm_owner}
        elif scope.restricted and name not in GLOBAL_QUERIES:
            raise ScopeError(f"query {name} does not apply the account scope, and this user sees only some accounts")
        return {k: v for k, v in params.items() if k in used}

    def date_bounds(self) -> tuple[date, date]:
        """First and last activity dates in the warehouse: the range of "all time"."""
        bounds = self.query("filters/date_bounds").iloc[0]
        if pd.isna(bounds["first_date"]):
            today = date.today()
            return today, today
        return bounds["first_date"].date(), bounds["last_date"].date()

    def close(self) -> None:
        raise NotImplementedError

    def _run(self, name: str, params: dict[str, Any]) -> pd.DataFrame:
        raise NotImplementedError

    def _chunks(self, name: str, params: dict[str, Any], chunk_rows: int) -> Iterator[pd.DataFrame]:
        raise NotImplementedError


class WarehouseReader(BaseReader):
    """The DuckDB warehouse file at `path`."""

    def __init__(self, path: Path, cache: QueryCache | None = None) -> None:
        self.path = path
        self.cache = cache or QueryCache()
        self._lock = threading.Lock()
        self._con: duckdb.DuckDBPyConnection | None = None
        self._version: tuple[int, int] | None = None
        self._pid = os.getpid()

    @property
    def version(self) -> str:
        self._connection()
        return f"{self._version[0]}-{self._version[1]}" if self._version else "none"

    def _run(self, name: str, params: dict[str, Any]) -> pd.DataFrame:
        cursor = self._connection().cursor()
        try:
            return run_query(cursor, name, **params)
        finally:
            cursor.close()

    def _chunks(self, name: str, params: dict[str, Any], chunk_rows: int) -> Iterator[pd.DataFrame]:
        vectors = max(1, -(-chunk_rows // _DUCKDB_VECTOR))
        # A cursor of the reader's connection: the warehouse file in service, opened read-only, reopened after a load.
        cursor = self._connection().cursor()
        try:
            cursor.execute(to_duckdb_parameters(read_sql(f"queries/{name}.sql")), params)
            first = True
            while True:
                chunk = cursor.fetch_df_chunk(vectors)
                if chunk.empty and not first:
                    return
                yield chunk
                if chunk.empty:
                    return
                first = False
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


class PostgresReader(BaseReader):
    """The PostgreSQL warehouse at `url` (schemas raw, staging, analytics: warehouse/pgbuild.py).

    path: a name in the data folder, where files kept with the warehouse go (the tabs' stored models, under
    path.parent); there is no file of that name."""

    def __init__(self, url: str | URL, cache: QueryCache | None = None, data_dir: Path | None = None) -> None:
        from warehouse.pgbuild import SERVICE_SCHEMAS
        from warehouse.postgres import create_engine

        self.cache = cache or QueryCache()
        self.path = (data_dir or Path("data").resolve()) / "warehouse.postgresql"
        self._schemas = SERVICE_SCHEMAS
        self._url = url
        self._engine: Engine = create_engine(url)
        self._pid = os.getpid()
        self._lock = threading.Lock()

    @property
    def version(self) -> str:
        # Read at every query, as the DuckDB reader stats its file: a cached version could serve the previous
        # load's results under the new load's key. One row of a small table, about a millisecond.
        from warehouse.postgres import first_row_pg

        newest = self._attempt(lambda engine: first_row_pg(engine, "loads/load_history", schemas=self._schemas))
        return "none" if newest is None else f"{newest.load_id}@{newest.finished_at.isoformat()}"

    def _run(self, name: str, params: dict[str, Any]) -> pd.DataFrame:
        return self._attempt(lambda engine: self._query(engine, name, **params))

    def _query(self, engine: Engine, name: str, **params: Any) -> pd.DataFrame:
        from warehouse.postgres import run_query_pg

        return run_query_pg(engine, name, schemas=self._schemas, **params)

    def _chunks(self, name: str, params: dict[str, Any], chunk_rows: int) -> Iterator[pd.DataFrame]:
        from warehouse.postgres import stream_query_pg

        chunks = self._attempt(lambda engine: stream_query_pg(engine, name, chunk_rows, schemas=self._schemas,
                                                              **params))
        try:
            # connects and runs the query; not run again on a dropped connection (a generator that failed is done)
            yield self._attempt(lambda _engine: next(chunks), retry=False)
            yield from chunks
        finally:
            chunks.close()

    def _attempt(self, action: Callable[[Engine], Any], retry: bool = True) -> Any:
        """Run action(engine), once more on a dropped connection (`retry`); a warehouse that is not there (no load
        yet, server down) is WarehouseUnavailable."""
        import sqlalchemy as sa

        from warehouse.pgbuild import has_warehouse

        engine = self._current_engine()
        try:
            try:
                return action(engine)
            except sa.exc.OperationalError as exc:
                if not retry:
                    raise
                # the connection was dropped (server restarted, a proxy's idle timeout, a failover): every query
                # here only reads, so it is run once more on a new connection before the user sees an error
                log.warning("the warehouse connection failed (%s): retrying once on a new connection",
                            str(exc.orig).strip().splitlines()[0] if exc.orig else exc)
                engine.dispose()
                time.sleep(RETRY_PAUSE_S)
                return action(engine)
        except sa.exc.ProgrammingError as exc:
            # a missing table is a missing warehouse only when no load ever swapped one in (else: a real error)
            if getattr(exc.orig, "sqlstate", None) == "42P01" and not has_warehouse(engine):
                raise WarehouseUnavailable(
                    f"no warehouse in {self._shown()}: run `customer-insight load` with "
                    "CUSTOMER_INSIGHT_WAREHOUSE_URL set to it") from exc
            raise
        except sa.exc.OperationalError as exc:
            raise WarehouseUnavailable(f"cannot reach the warehouse {self._shown()}: {exc.orig}") from exc

    def _current_engine(self) -> Engine:
        with self._lock:
            if self._pid != os.getpid():
                # A forked server worker: the parent's pooled connections are not ours to use; leave them open
                # for the parent (close=False) and start a pool of our own.
                self._engine.dispose(close=False)
                self._pid = os.getpid()
            return self._engine

    def _shown(self) -> str:
        return self._engine.url.render_as_string(hide_password=True)

    def close(self) -> None:
        self._engine.dispose()


def open_reader(settings: Settings, cache: QueryCache | None = None) -> BaseReader:
    """The reader of the warehouse in settings (CUSTOMER_INSIGHT_WAREHOUSE_URL): DuckDB file or PostgreSQL."""
    if settings.backend == "duckdb":
        return WarehouseReader(settings.duckdb_path, cache)
    if settings.backend == "postgresql":
        return PostgresReader(settings.warehouse_url, cache, settings.data_dir)
    raise WarehouseUnavailable(f"the dashboard reads DuckDB and PostgreSQL warehouses, not {settings.backend} "
                               "(docs/postgres.md)")
