"""The pandas baseline: for each query the dashboard runs, a pandas function that gives the same numbers from the
same warehouse tables held in memory (bench.baseline.common explains how the seed dashboards did it).

One module per tab registers its functions by query name; load_tables() reads every table they use, once.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd

from bench.baseline import (  # noqa: F401  (each module registers its functions)
    customer,
    glossary,
    overview,
    product,
    retention,
    segmentation,
    sentiment,
    support,
    usage,
)
from bench.baseline.common import BASELINES, TABLES, Tables, derived_columns
from warehouse.duck import connect

__all__ = ["BASELINES", "TABLES", "Tables", "load_tables"]


def load_tables(path: Path) -> Tables:
    """Every table a baseline function reads, with the columns they read, from the DuckDB warehouse at `path`.
    Read through DuckDB's relational API (a projection of a table: no SQL text outside sql/)."""
    con = connect(path, read_only=True)
    try:
        tables = {name: _read(con, name, columns) for name, columns in sorted(TABLES.items())}
    finally:
        con.close()
    derived_columns(tables)
    return tables


def _read(con: duckdb.DuckDBPyConnection, name: str, columns: set[str]) -> pd.DataFrame:
    table = con.table(name)
    if "*" in columns:
        return table.df()
    return table.select(*(duckdb.ColumnExpression(c) for c in sorted(columns))).df()
