"""The query API: run a named query of sql/queries/ with bound parameters and get a DataFrame.

Queries are files such as sql/queries/overview/warehouse_row_counts.sql, named "overview/warehouse_row_counts".
Parameters are written :name in the SQL and always bound, never formatted into the text.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

import duckdb
import pandas as pd

from warehouse.scope import SCOPE_PARAMETER
from warehouse.sqlfiles import read_sql

# A :name parameter (but not the second colon of a ::cast), or a string literal or comment, which are skipped
# so that "-- note:foo" or ':x' in a literal never becomes a parameter.
_TOKEN = re.compile(r"'(?:[^']|'')*'|--[^\n]*|/\*.*?\*/|(?<![:\w]):([a-z_][a-z0-9_]*)", re.DOTALL)


def to_duckdb_parameters(sql: str) -> str:
    return _TOKEN.sub(lambda m: f"${m.group(1)}" if m.group(1) else m.group(0), sql)


def sql_parameters(sql: str) -> frozenset[str]:
    """The :parameters a SQL text uses (outside string literals and comments)."""
    return frozenset(m.group(1) for m in _TOKEN.finditer(sql) if m.group(1))


@cache
def query_parameters(name: str) -> frozenset[str]:
    """The :parameters a query uses."""
    return sql_parameters(read_sql(f"queries/{name}.sql"))


def unscoped(params: dict[str, Any]) -> dict[str, Any]:
    """The parameters, with the account scope "every account" unless one is given. For the callers below the
    reader (the load, the bench's SQL floor, tests): the dashboard's reader always binds the scope of the request
    itself (warehouse/scope.py)."""
    return params if SCOPE_PARAMETER in params else {**params, SCOPE_PARAMETER: None}


def run_query(con: duckdb.DuckDBPyConnection, name: str, **params: Any) -> pd.DataFrame:
    sql = to_duckdb_parameters(read_sql(f"queries/{name}.sql"))
    params = unscoped(params)
    used = query_parameters(name)
    missing = used - params.keys()
    if missing:
        raise TypeError(f"query {name} needs parameter(s): {', '.join(sorted(missing))}")
    return con.execute(sql, {k: v for k, v in params.items() if k in used}).df()

