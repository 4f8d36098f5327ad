"""A PostgreSQL warehouse: bulk-load tables with COPY, build the sql/ models and run the sql/queries there.

The models and queries are the DuckDB files of sql/, translated by warehouse.dialect (which also points their
tables at the schemas they are in: a load builds into new schemas and swaps them in, warehouse/pgbuild.py). A
model build runs in one transaction (PostgreSQL's DDL is transactional). Query results come back with the column
types DuckDB's .df() gives, so callers see one kind of frame whichever engine answered.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from warehouse.dialect import translate
from warehouse.models import LAYERS, Model, ModelBuildError, build_order, discover_models
from warehouse.queries import query_parameters, unscoped
from warehouse.sqlfiles import SQL_DIR, read_sql

_COPY_CHUNK_ROWS = 100_000  # rows per CSV chunk sent to COPY: bounded memory for the 10M-row usage table


def create_engine(url: str) -> Engine:
    """An engine for a postgresql:// URL; a URL without a driver gets psycopg (SQLAlchemy's default, psycopg2,
    is not installed)."""
    parsed = sa.make_url(url)
    if parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    return sa.create_engine(parsed, pool_pre_ping=True)


def quote_name(name: str) -> str:
    """`name` (schema.table or one part) as quoted identifiers."""
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
        conn.execute(sa.text(f"CREATE SCHEMA IF NOT EXISTS {quote_name(name.split('.')[0])}"))
    columns = ", ".join(f"{quote_name(field.name)} {_pg_type(field.type)}" for field in table.schema)
    conn.execute(sa.text(f"DROP TABLE IF EXISTS {quote_name(name)} CASCADE"))
    conn.execute(sa.text(f"CREATE TABLE {quote_name(name)} ({columns})"))
    # CSV written by Arrow (C++) is much faster than row-by-row adaptation in Python. Arrow writes NULL as an
    # unquoted empty field and an empty string as "", which is exactly how COPY's CSV format tells them apart.
    options = pacsv.WriteOptions(include_header=False, quoting_style="needed")
    cursor = conn.connection.driver_connection.cursor()
    with cursor.copy(f"COPY {quote_name(name)} FROM STDIN WITH (FORMAT csv)") as copy:
        for batch in table.to_batches(max_chunksize=_COPY_CHUNK_ROWS):
            sink = pa.BufferOutputStream()
            pacsv.write_csv(pa.Table.from_batches([batch], schema=table.schema), sink, options)
            copy.write(sink.getvalue().to_pybytes())
    return table.num_rows


def build_models_pg(engine: Engine, on_model: Callable[[Model, float], None] | None = None,
                    schemas: Mapping[str, str] | None = None) -> list[Model]:
    """Create every model of sql/staging (views) and sql/analytics (tables) in dependency order, in one
    transaction; returns the models in the order built.

    schemas: where to build, as warehouse.dialect.translate takes it; e.g. a load builds staging.x into
    staging__build.x, reading the raw tables of raw__build (warehouse/pgbuild.py). Default: sql/'s own schemas,
    with the raw tables on the search path."""
    schemas = dict(schemas or {})
    ordered = build_order(discover_models())
    with engine.begin() as conn:
        for layer in LAYERS:
            conn.execute(sa.text(f"CREATE SCHEMA IF NOT EXISTS {quote_name(schemas.get(layer, layer))}"))
        for model in ordered:
            started = time.perf_counter()
            kind = model.materialization
            target = quote_name(f"{schemas.get(model.schema, model.schema)}.{model.name}")
            try:
                conn.execute(sa.text(f"DROP {kind} IF EXISTS {target} CASCADE"))
                conn.execute(sa.text(f"CREATE {kind} {target} AS {translate(model.sql, 'postgres', schemas)}"))
                if kind == "TABLE":
                    # fresh statistics for the planner now, not whenever autovacuum gets to the table
                    conn.execute(sa.text(f"ANALYZE {target}"))
            except sa.exc.DBAPIError as exc:
                raise ModelBuildError(f"building model {model.path.relative_to(SQL_DIR)} on PostgreSQL failed: "
                                   f"{exc.orig}") from exc
            if on_model:
                on_model(model, time.perf_counter() - started)
    return ordered


def run_query_pg(engine: Engine | Connection, name: str, *, schemas: Mapping[str, str] | None = None,
                 **params: Any) -> pd.DataFrame:
    """Run sql/queries/<name>.sql on PostgreSQL with bound parameters; a frame typed as DuckDB's .df() types it.

    schemas: where the tables are (see warehouse.dialect.translate); default: sql/'s schemas, raw tables on the
    search path."""
    statement, bound = _statement(name, schemas, params)
    return _fetch(engine, statement, bound)


def first_row_pg(engine: Engine, name: str, *, schemas: Mapping[str, str] | None = None,
                 **params: Any) -> sa.Row | None:
    """The first row of query `name` as the driver gives it (no frame), or None: for a reader's checks that run
    before every query and must stay cheap."""
    statement, bound = _statement(name, schemas, params)
    with engine.connect() as conn:
        return conn.execute(statement, bound).first()


def stream_query_pg(engine: Engine, name: str, chunk_rows: int, *, schemas: Mapping[str, str] | None = None,
                    **params: Any) -> Iterator[pd.DataFrame]:
    """The rows of query `name` as frames of up to chunk_rows rows, read from a server-side cursor (the result
    never sits whole in memory, here or in the driver); always at least one frame (empty, with the columns).
    Closing the iterator closes the cursor and its connection."""
    statement, bound = _statement(name, schemas, params)
    with engine.connect() as conn:
        result = conn.execution_options(stream_results=True, max_row_buffer=chunk_rows).execute(statement, bound)
        names, oids = _described(result)
        first = True
        while True:
            rows = result.fetchmany(chunk_rows)
            if not rows and not first:
                return
            yield _typed(names, oids, rows)
            if not rows:
                return
            first = False


def read_table_pg(engine: Engine | Connection, name: str) -> pd.DataFrame:
    """Every row of table or view `name` (schema-qualified), typed as DuckDB's .df() types it."""
    return _fetch(engine, sa.text(f"SELECT * FROM {quote_name(name)}"), {})


def _statement(name: str, schemas: Mapping[str, str] | None,
               params: dict[str, Any]) -> tuple[sa.TextClause, dict[str, Any]]:
    used = query_parameters(name)
    params = unscoped(params)
    missing = used - params.keys()
    if missing:
        raise TypeError(f"query {name} needs parameter(s): {', '.join(sorted(missing))}")
    statement = sa.text(translate(read_sql(f"queries/{name}.sql"), "postgres", schemas))
    return statement, {k: v for k, v in params.items() if k in used}


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
    names, oids = _described(result)
    return _typed(names, oids, result.fetchall())


def _described(result: sa.CursorResult) -> tuple[list[str], list[int]]:
    """Column names and type oids of a result, read before fetching (fetching the last row closes the cursor)."""
    names = list(result.keys())
    if len(set(names)) != len(names):
        raise ValueError(f"duplicate result column names: {names}")
    return names, [column.type_code for column in result.cursor.description]


def _typed(names: list[str], oids: list[int], rows: Sequence[Any]) -> pd.DataFrame:
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
