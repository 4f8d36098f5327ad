"""Build the SQL models of sql/staging and sql/analytics in dependency order.

A model is one .sql file holding one SELECT; its name is the file name. Staging models become views in the
`staging` schema (rename/cast only, cheap), analytics models become tables in the `analytics` schema
(read by every chart, so they are materialised once per load). Dependencies are read from the SQL itself
with sqlglot: a model that selects from `analytics.customer_base` is built after customer_base.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from graphlib import TopologicalSorter
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import duckdb
import sqlglot
from sqlglot import exp

from warehouse.sqlfiles import SQL_DIR, model_files, read_sql

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

LAYERS = {"staging": "VIEW", "analytics": "TABLE"}


class ModelBuildError(RuntimeError):
    """A model of sql/ could not be built (its SQL failed, or the warehouse database went away): names the file."""


@dataclass(frozen=True)
class Model:
    schema: str
    name: str
    path: Path
    sql: str

    @property
    def qualified(self) -> str:
        return f"{self.schema}.{self.name}"

    @property
    def materialization(self) -> str:
        return LAYERS[self.schema]


class Build(Protocol):
    """A warehouse being built by a load, on either engine (warehouse.duck.DuckBuild, warehouse.pgbuild.PgBuild).
    Table names are DuckDB's: raw_customers, analytics.churn_scores; each engine puts them where they belong."""

    def write_table(self, name: str, data: pa.Table | pd.DataFrame) -> None: ...

    def build_models(self, on_model: Callable[[Model, float], None] | None = None) -> list[Model]: ...

    def query(self, name: str, **params: Any) -> pd.DataFrame: ...


def discover_models() -> list[Model]:
    models = []
    for layer in LAYERS:
        for path in model_files(layer):
            relative = path.relative_to(SQL_DIR).as_posix()
            models.append(Model(layer, path.stem, path, read_sql(relative)))
    return models


def references(model: Model) -> set[str]:
    """Qualified names (schema.table) this model reads."""
    tree = sqlglot.parse_one(model.sql, read="duckdb")
    ctes = {cte.alias_or_name for cte in tree.find_all(exp.CTE)}
    refs = set()
    for table in tree.find_all(exp.Table):
        if table.name in ctes and not table.db:
            continue
        refs.add(f"{table.db}.{table.name}" if table.db else table.name)
    return refs


def build_order(models: list[Model]) -> list[Model]:
    by_name = {m.qualified: m for m in models}
    graph = {m.qualified: {r for r in references(m) if r in by_name} for m in models}
    return [by_name[name] for name in TopologicalSorter(graph).static_order()]


def build_models(
    con: duckdb.DuckDBPyConnection, on_model: Callable[[Model, float], None] | None = None
) -> list[Model]:
    """Create every model in dependency order; returns the models in the order built."""
    for schema in LAYERS:
        con.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")
    ordered = build_order(discover_models())
    for model in ordered:
        started = time.perf_counter()
        try:
            con.execute(f"CREATE OR REPLACE {model.materialization} {model.qualified} AS {model.sql}")
        except duckdb.Error as exc:
            raise ModelBuildError(f"building model {model.path.relative_to(SQL_DIR)} failed: {exc}") from exc
        if on_model:
            on_model(model, time.perf_counter() - started)
    return ordered
