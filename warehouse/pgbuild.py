"""A load into a PostgreSQL warehouse: build everything into new schemas, then swap them in by renaming.

The warehouse in service is three schemas: `raw` (the tables a load writes: raw_*, enriched_*, quarantine, load_*),
`staging` (views) and `analytics` (tables). A load writes and builds `raw__build`, `staging__build` and
`analytics__build` (the model SQL is pointed at them by warehouse.dialect.translate), then one transaction renames
the schemas in service to `*__old` and the build schemas to their names, and a second one drops the old ones.
Views keep reading the tables they were created on across renames (PostgreSQL binds them by oid), so the staging
views built on raw__build read `raw` once swapped. Readers see the old warehouse or the new one, never a mix of
the two or a half-built one; a load that fails or is killed leaves build schemas that the next load drops.

Every schema a load creates carries a comment (MARK). A load replaces or drops only schemas with that mark, so a
schema of the same name that something else put in the database is never dropped: the load stops instead.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pandas as pd
import pyarrow as pa
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.pool import NullPool

from warehouse.models import Model
from warehouse.postgres import build_models_pg, copy_table, quote_name, run_query_pg

RAW = "raw"
SWAPPED = (RAW, "staging", "analytics")  # the schemas a load replaces, in the order they are swapped
BUILD_SUFFIX = "__build"
OLD_SUFFIX = "__old"
MARK = "customer-insight warehouse: replaced by every load"
SERVICE_SCHEMAS = {"": RAW}  # for warehouse.dialect.translate: the unqualified (raw) tables live in `raw`
BUILD_SCHEMAS = {"": RAW + BUILD_SUFFIX, **{s: s + BUILD_SUFFIX for s in SWAPPED if s != RAW}}
# One load at a time per database (pg_try_advisory_lock's key: "CILOAD" in ASCII).
LOCK_KEY = 0x43494C4F4144
DROP_LOCK_TIMEOUT = "10s"  # dropping the old schemas waits for queries still reading them, this long at most


class WarehouseBusy(Exception):
    """Another load into this database is running."""


class ForeignSchema(Exception):
    """A schema the load would replace exists but was not made by a load."""


@contextmanager
def load_lock(engine: Engine) -> Iterator[None]:
    """Hold the database's load lock (a session advisory lock) for the block. The server releases it when the
    holding session ends, so a killed load never leaves it taken."""
    holder = sa.create_engine(engine.url, poolclass=NullPool)  # its own session, never handed to anyone else
    try:
        with holder.connect() as conn:
            if not conn.execute(sa.text("select pg_try_advisory_lock(:key)"), {"key": LOCK_KEY}).scalar():
                raise WarehouseBusy(f"another load into {_shown(engine)} is running; try again when it has finished")
            conn.commit()
            try:
                yield
            finally:
                conn.execute(sa.text("select pg_advisory_unlock(:key)"), {"key": LOCK_KEY})
                conn.commit()
    finally:
        holder.dispose()


def _marked(engine: Engine) -> dict[str, bool]:
    """Schemas of the load's names (in service, build, old) that exist: name -> carries MARK."""
    names = [name for base in SWAPPED for name in (base, base + BUILD_SUFFIX, base + OLD_SUFFIX)]
    with engine.connect() as conn:
        rows = conn.execute(sa.text(
            "select nspname, obj_description(oid, 'pg_namespace') = :mark from pg_namespace "
            "where nspname = any(:names)"), {"mark": MARK, "names": names}).all()
    return {name: bool(mark) for name, mark in rows}


def check_schemas(engine: Engine) -> None:
    """Raise ForeignSchema when a schema a load would replace or drop was not made by a load."""
    foreign = sorted(name for name, mark in _marked(engine).items() if not mark)
    if foreign:
        raise ForeignSchema(
            f"the database {_shown(engine)} has schema(s) {', '.join(foreign)} that a load did not create; a load "
            "replaces the schemas raw, staging and analytics: give the warehouse a database of its own")


def drop_stale_builds(engine: Engine) -> list[str]:
    """Drop what failed or killed loads left (build schemas) and old schemas a swap could not drop; their names."""
    stale = [name for name, mark in _marked(engine).items()
             if mark and name.endswith((BUILD_SUFFIX, OLD_SUFFIX))]
    with engine.begin() as conn:
        for name in stale:
            conn.execute(sa.text(f"DROP SCHEMA {quote_name(name)} CASCADE"))
    return stale


def has_warehouse(engine: Engine) -> bool:
    return _marked(engine).get(RAW, False)


class PgBuild:
    """The new warehouse while a load builds it: tables written with COPY, models built, queries run, all in the
    build schemas. Each step commits on its own; nothing is visible to readers before swap_in."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.schemas = dict(BUILD_SCHEMAS)

    def create(self) -> None:
        with self.engine.begin() as conn:
            for schema in self.schemas.values():
                conn.execute(sa.text(f"CREATE SCHEMA {quote_name(schema)}"))
                # a literal: COMMENT takes no bound parameter
                conn.execute(sa.text(f"COMMENT ON SCHEMA {quote_name(schema)} IS '{MARK}'"))

    def table_name(self, name: str) -> str:
        """Where the table the DuckDB warehouse calls `name` (e.g. raw_customers, analytics.churn_scores) goes."""
        schema, _, table = name.rpartition(".")
        return f"{self.schemas[schema]}.{table}"

    def write_table(self, name: str, data: pa.Table | pd.DataFrame) -> None:
        with self.engine.begin() as conn:
            copy_table(conn, self.table_name(name), data)

    def build_models(self, on_model: Callable[[Model, float], None] | None = None) -> list[Model]:
        return build_models_pg(self.engine, on_model, self.schemas)

    def query(self, name: str, **params: Any) -> pd.DataFrame:
        return run_query_pg(self.engine, name, schemas=self.schemas, **params)

    def discard(self) -> None:
        """Drop the build schemas (a failed load); what this cannot drop, the next load does."""
        with self.engine.begin() as conn:
            for schema in self.schemas.values():
                conn.execute(sa.text(f"DROP SCHEMA IF EXISTS {quote_name(schema)} CASCADE"))


def swap_in(engine: Engine) -> list[str]:
    """Put the build schemas in service in one transaction, then drop the old ones. Returns warnings (an old
    schema still read by a long query is left for the next load to drop)."""
    present = _marked(engine)
    with engine.begin() as conn:
        for schema in SWAPPED:
            if schema in present:
                conn.execute(sa.text(f"ALTER SCHEMA {quote_name(schema)} RENAME TO {quote_name(schema + OLD_SUFFIX)}"))
            conn.execute(sa.text(f"ALTER SCHEMA {quote_name(schema + BUILD_SUFFIX)} RENAME TO {quote_name(schema)}"))
    # Apart from the swap, so that the swap never waits for the queries still reading the old tables (nor makes
    # new queries queue behind its locks): no query finds the old schemas by name any more.
    warnings = []
    for schema in SWAPPED:
        if schema not in present:
            continue
        try:
            with engine.begin() as conn:
                conn.execute(sa.text(f"SET LOCAL lock_timeout = '{DROP_LOCK_TIMEOUT}'"))
                conn.execute(sa.text(f"DROP SCHEMA {quote_name(schema + OLD_SUFFIX)} CASCADE"))
        except sa.exc.DBAPIError as exc:
            warnings.append(f"the previous {schema} schema is still in use; the next load drops it ({exc.orig})")
    return warnings


def _shown(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=True)
