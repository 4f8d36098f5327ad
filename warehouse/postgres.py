"""A PostgreSQL warehouse: bulk-load tables with COPY, build the sql/ models and run the sql/queries there.

The models and queries are the DuckDB files of sql/, translated by warehouse.dialect. A build runs in one
transaction (PostgreSQL's DDL is transactional): readers keep the previous models until it commits, and a build
that fails half-way leaves them untouched, as the DuckDB file swap does. Query results come back with the
column types DuckDB's .df() gives, so callers see one kind of frame whichever engine answered.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from warehouse.dialect import translate
from warehouse.models import LAYERS, Model, build_order, discover_models
from warehouse.queries import query_parameters
from warehouse.sqlfiles import SQL_DIR, read_sql

_COPY_CHUNK_ROWS = 100_000  # rows per CSV chunk sent to COPY: bounded memory for the 10M-row usage table


def create_engine(url: str) -> Engine:
    """An engine for a postgresql:// URL; a URL without a driver gets psycopg (SQLAlchemy's default, psycopg2,
    is not installed)."""
    parsed = sa.make_url(url)
    if parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    return sa.create_engine(parsed, pool_pre_ping=True)


def _quote(name: str) -> str:
    return ".".join('"' + part.replace('"', '""') + '"' for part in name.split("."))


def _pg_type(arrow_type: pa.DataType) -> str:
    if pa.types.is_boolean(arrow_type):
        return "boolean"
    if pa.types.is_int8(arrow_type) or pa.types.is_int16(arrow_type) or pa.types.is_uint8(arrow_type):
        return "smallint"
    if pa.types.is_int32(arrow_type) or pa.types.is_uint16(arrow_type):
        return "integer"
    if pa.types.is_integer(arrow_type):
        return "bigint"
    if pa.types.is_floating(arrow_type):
        return "double precision"
    if pa.types.is_decimal(arrow_type):
        return f"numeric({arrow_type.precision}, {arrow_type.scale})"
    if pa.types.is_date(arrow_type):
        return "date"
    if pa.types.is_timestamp(arrow_type):
        return "timestamptz" if arrow_type.tz else "timestamp"
    if pa.types.is_string(arrow_type) or pa.types.is_large_string(arrow_type) or pa.types.is_null(arrow_type):
        return "text"
    raise TypeError(f"no PostgreSQL column type for Arrow type {arrow_type} (nested types are not loaded)")


def copy_table(conn: Connection, name: str, data: pa.Table | pd.DataFrame) -> int:
    """Create (or replace) table `name` (optionally schema-qualified) from Arrow or pandas data with COPY.

    Column types follow the Arrow schema (etl.tables gives every raw table a fixed one). The table is dropped
    with CASCADE, so views over it (the staging models) go too: rebuild the models after loading, as a load
    does. Returns the number of rows copied; the caller's transaction commits it."""
    table = data if isinstance(data, pa.Table) else pa.Table.from_pandas(data, preserve_index=False)
    if "." in name:
        conn.execute(sa.text(f"CREATE SCHEMA IF NOT EXISTS {_quote(name.split('.')[0])}"))
    columns = ", ".join(f"{_quote(field.name)} {_pg_type(field.type)}" for field in table.schema)
    conn.execute(sa.text(f"DROP TABLE IF EXISTS {_quote(name)} CASCADE"))
    conn.execute(sa.text(f"CREATE TABLE {_quote(name)} ({columns})"))
    # CSV written by Arrow (C++) is much faster than row-by-row adaptation in Python. Arrow writes NULL as an
    # unquoted empty field and an empty string as "", which is exactly how COPY's CSV format tells them apart.
    options = pacsv.WriteOptions(include_header=False, quoting_style="needed")
    cursor = conn.connection.driver_connection.cursor()
    with cursor.copy(f"COPY {_quote(name)} FROM STDIN WITH (FORMAT csv)") as copy:
        for batch in table.to_batches(max_chunksize=_COPY_CHUNK_ROWS):
            sink = pa.BufferOutputStream()
            pacsv.write_csv(pa.Table.from_batches([batch], schema=table.schema), sink, options)
            copy.write(sink.getvalue().to_pybytes())
    return table.num_rows


def build_models_pg(engine: Engine, on_model: Callable[[Model, float], None] | None = None) -> list[Model]:
    """Create every model of sql/staging (views) and sql/analytics (tables) in dependency order, in one
    transaction; returns the models in the order built."""
    ordered = build_order(discover_models())
    with engine.begin() as conn:
        for schema in LAYERS:
            conn.execute(sa.text(f"CREATE SCHEMA IF NOT EXISTS {schema}"))
        for model in ordered:
            started = time.perf_counter()
            kind = model.materialization
            try:
                conn.execute(sa.text(f"DROP {kind} IF EXISTS {model.qualified} CASCADE"))
                conn.execute(sa.text(f"CREATE {kind} {model.qualified} AS {translate(model.sql, 'postgres')}"))
                if kind == "TABLE":
                    # fresh statistics for the planner now, not whenever autovacuum gets to the table
                    conn.execute(sa.text(f"ANALYZE {model.qualified}"))
            except sa.exc.DBAPIError as exc:
                raise RuntimeError(f"building model {model.path.relative_to(SQL_DIR)} on PostgreSQL failed: "
                                   f"{exc.orig}") from exc
            if on_model:
                on_model(model, time.perf_counter() - started)
    return ordered


def run_query_pg(engine: Engine | Connection, name: str, **params: Any) -> pd.DataFrame:
    """Run sql/queries/<name>.sql on PostgreSQL with bound parameters; a frame typed as DuckDB's .df() types it."""
    used = query_parameters(name)
    missing = used - params.keys()
    if missing:
        raise TypeError(f"query {name} needs parameter(s): {', '.join(sorted(missing))}")
    statement = sa.text(translate(read_sql(f"queries/{name}.sql"), "postgres"))
    return _fetch(engine, statement, {k: v for k, v in params.items() if k in used})


def read_table_pg(engine: Engine | Connection, name: str) -> pd.DataFrame:
    """Every row of table or view `name` (schema-qualified), typed as DuckDB's .df() types it."""
    return _fetch(engine, sa.text(f"SELECT * FROM {_quote(name)}"), {})


def _fetch(engine: Engine | Connection, statement: sa.TextClause, params: dict[str, Any]) -> pd.DataFrame:
    if isinstance(engine, Connection):
        return _frame(engine.execute(statement, params))
    with engine.connect() as conn:
        return _frame(conn.execute(statement, params))


# PostgreSQL type oids of result columns, grouped by the dtype DuckDB's .df() gives the same SQL type.
_INT_OIDS = {20: "Int64", 21: "Int16", 23: "Int32"}  # bigint, smallint, integer; nullable while NULLs are present
_FLOAT_OIDS = {700, 701, 1700}  # real, double precision, numeric (DuckDB gives DECIMAL as float64 too)
_DATETIME_OIDS = {1082, 1114, 1184}  # date, timestamp, timestamptz (DuckDB gives datetime64 for all three)
_BOOL_OID = 16
_ARRAY_DTYPES = {1009: object, 1015: object, 1022: "float64", 1016: "int64", 1007: "int32"}  # text[], varchar[], ...


def _frame(result: sa.CursorResult) -> pd.DataFrame:
    names = list(result.keys())
    if len(set(names)) != len(names):
        raise ValueError(f"duplicate result column names: {names}")
    oids = [column.type_code for column in result.cursor.description]  # before fetching: that closes the cursor
    rows = result.fetchall()
    columns = list(zip(*rows, strict=True)) if rows else [() for _ in names]
    return pd.DataFrame({name: _column(list(values), oid) for name, values, oid in zip(names, columns, oids,
                                                                                        strict=True)})


def _column(values: list[Any], oid: int) -> pd.Series:
    if oid in _INT_OIDS:
        series = pd.Series(pd.array(values, dtype=_INT_OIDS[oid]))
        return series if series.isna().any() else series.astype(_INT_OIDS[oid].lower())
    if oid in _FLOAT_OIDS:
        return pd.Series([np.nan if v is None else float(v) for v in values], dtype="float64")
    if oid in _DATETIME_OIDS:
        return pd.to_datetime(pd.Series(values, dtype=object)).astype("datetime64[us]")
    if oid == _BOOL_OID:
        series = pd.Series(pd.array(values, dtype="boolean"))
        return series if series.isna().any() else series.astype(bool)
    if oid in _ARRAY_DTYPES:  # DuckDB gives a LIST cell as a numpy array
        dtype = _ARRAY_DTYPES[oid]
        return pd.Series([None if v is None else np.array(v, dtype=dtype) for v in values], dtype=object)
    return pd.Series(values, dtype=object if all(v is None for v in values) else None)
