"""Translate the SQL of sql/ (written once, in DuckDB's dialect) for the other warehouse engines, with sqlglot.

The input is a rendered SQL file (warehouse.sqlfiles.read_sql) whose bound parameters are written :name. The
output keeps them as :name, the form SQLAlchemy's text() binds on every driver (psycopg receives %(name)s from
SQLAlchemy, never from us). A construct sqlglot cannot express in the target dialect raises
sqlglot.errors.UnsupportedError: a query that fails loudly is better than one that returns different numbers.

Where DuckDB and PostgreSQL disagree on the meaning of SQL that sqlglot passes through unchanged, the file in
sql/ is rewritten in a form both engines read the same way (docs/postgres.md lists the rules); the transforms
below are only for DuckDB-only constructs with an exact PostgreSQL equivalent.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache

import sqlglot
from sqlglot import exp
from sqlglot.dialects.postgres import Postgres
from sqlglot.dialects.snowflake import Snowflake
from sqlglot.errors import ErrorLevel

from warehouse.queries import to_duckdb_parameters

DIALECTS = ("duckdb", "postgres", "snowflake")
_BACKENDS = {"duckdb": "duckdb", "postgresql": "postgres", "snowflake": "snowflake"}  # SQLAlchemy name -> sqlglot


class _BoundPostgres(Postgres):
    """PostgreSQL, with named parameters written :name (sqlglot writes psycopg's %(name)s)."""

    class Generator(Postgres.Generator):
        def placeholder_sql(self, expression: exp.Placeholder) -> str:
            return _bind_marker(expression)


class _BoundSnowflake(Snowflake):
    class Generator(Snowflake.Generator):
        def placeholder_sql(self, expression: exp.Placeholder) -> str:
            return _bind_marker(expression)


_TARGETS = {"postgres": _BoundPostgres(), "snowflake": _BoundSnowflake()}


def _bind_marker(expression: exp.Placeholder) -> str:
    if not expression.this:
        raise sqlglot.errors.UnsupportedError("positional parameters (?) are not used in sql/: name them :name")
    return f":{expression.name}"


def dialect_for(backend: str) -> str:
    """The dialect to translate to for a SQLAlchemy backend name (config.settings.Settings.backend)."""
    if backend not in _BACKENDS:
        raise ValueError(f"no SQL dialect for the warehouse backend {backend!r}; supported: {', '.join(_BACKENDS)}")
    return _BACKENDS[backend]


def translate(sql: str, dialect: str, schemas: Mapping[str, str] | None = None) -> str:
    """The rendered DuckDB SQL `sql` in `dialect` ('duckdb', 'postgres' or 'snowflake'), parameters as :name.

    schemas: where the tables live on the target, as {schema in sql/: schema there}; the key "" stands for the
    unqualified tables (raw_*, enriched_*, load_runs: DuckDB's main schema). E.g. {"": "raw"} for the warehouse
    in service on PostgreSQL, {"": "raw__build", "staging": "staging__build", ...} while a load builds one."""
    return _translate(sql, dialect, tuple(sorted((schemas or {}).items())))


@lru_cache(maxsize=2048)
def _translate(sql: str, dialect: str, schemas: tuple[tuple[str, str], ...]) -> str:
    if dialect == "duckdb":
        if schemas:  # DuckDB builds a new file instead (warehouse/duck.py): its SQL keeps the schemas of sql/
            raise ValueError("moving tables to other schemas is for the PostgreSQL and Snowflake dialects")
        return sql
    if dialect not in _TARGETS:
        raise ValueError(f"unknown warehouse dialect {dialect!r}; expected one of {', '.join(DIALECTS)}")
    # sqlglot reads DuckDB's own $name reliably (:name trips its parser in a few positions, e.g. `case :x when`)
    tree = sqlglot.parse_one(to_duckdb_parameters(sql), read="duckdb")
    _check_literals(tree)
    if schemas:
        tree = _move_schemas(tree, dict(schemas))
    for transform in _TRANSFORMS[dialect]:
        tree = transform(tree)
    # Without comments: text() would take a ':word' in one (they often name the parameters) for a parameter.
    return _TARGETS[dialect].generate(tree, pretty=False, comments=False, unsupported_level=ErrorLevel.RAISE)


def _check_literals(tree: exp.Expression) -> None:
    """text() would also read ':word' inside a string literal as a parameter; no file in sql/ needs one."""
    for literal in tree.find_all(exp.Literal):
        text = literal.this if literal.is_string else ""
        if any(a == ":" and (b.isalpha() or b == "_") for a, b in zip(text, text[1:], strict=False)):
            raise sqlglot.errors.UnsupportedError(
                f"string literal {literal.sql()} holds ':name', which SQLAlchemy text() would bind")


def _move_schemas(tree: exp.Expression, schemas: dict[str, str]) -> exp.Expression:
    """Point every table reference (and column qualified with a schema) at its schema on the target.

    A CTE's name is not a table, nor is a table function (unnest(...)): both are left alone."""
    ctes = {cte.alias_or_name for cte in tree.find_all(exp.CTE)}
    for table in tree.find_all(exp.Table):
        if not isinstance(table.this, exp.Identifier) or table.args.get("catalog"):
            continue
        if not table.db and table.name in ctes:
            continue
        if table.db in schemas:
            table.set("db", exp.to_identifier(schemas[table.db]))
    for column in tree.find_all(exp.Column):
        if column.args.get("db") and column.text("db") in schemas:
            column.set("db", exp.to_identifier(schemas[column.text("db")]))
    return tree


def _parameter_type(node: exp.Placeholder) -> str | None:
    """The PostgreSQL type a parameter's position implies, where it implies exactly one."""
    parent, slot = node.parent, node.arg_key
    # a list in DuckDB's SQL: list_contains(:p, x), array_position(:p, x), :p[i], unnest(:p)
    if isinstance(parent, exp.ArrayContains | exp.ArrayPosition | exp.Bracket) and slot == "this":
        return "TEXT[]"
    if isinstance(parent, exp.Unnest):
        return "TEXT[]"
    if isinstance(parent, exp.Like | exp.ILike) and slot == "expression":
        return "TEXT"
    if isinstance(parent, exp.Limit | exp.Offset):
        return "BIGINT"
    return None


def _type_parameters(tree: exp.Expression) -> exp.Expression:
    """Cast every occurrence of a parameter whose type its use implies (a list, a LIKE pattern, a LIMIT).

    PostgreSQL types a parameter where it first meets it, and `:p IS NULL` (the "no filter" test that list
    filters, searches and page sizes start with) gives it none: the query fails with "could not determine data
    type of parameter". DuckDB binds a Python list of str as VARCHAR[], and every list parameter of sql/ holds
    strings (ids, names, codes), so TEXT[] is the same type; a list of numbers would fail loudly
    (text = integer), never compare differently."""
    types: dict[str, str] = {}
    for node in tree.find_all(exp.Placeholder):
        implied = _parameter_type(node)
        if implied and types.setdefault(node.name, implied) != implied:
            raise sqlglot.errors.UnsupportedError(
                f"parameter :{node.name} is used as {types[node.name]} and as {implied}")
    if not types:
        return tree

    def cast(node: exp.Expression) -> exp.Expression:
        if isinstance(node, exp.Placeholder) and node.name in types:
            # parenthesised, as PostgreSQL reads CAST(...)[1] as a syntax error
            return exp.Paren(this=exp.cast(node.copy(), exp.DataType.build(types[node.name], dialect="postgres")))
        return node

    return tree.transform(cast)


def _int_shift_amounts(tree: exp.Expression) -> exp.Expression:
    """PostgreSQL shifts a bigint by an integer only (no bigint >> bigint operator); the amounts in sql/ are bit
    positions below 64, so the cast never changes a value."""
    for node in list(tree.find_all(exp.BitwiseLeftShift, exp.BitwiseRightShift)):
        node.set("expression", exp.cast(node.expression, exp.DataType.build("INT")))
    return tree


# Tree -> tree rewrites per target, applied to the whole statement in order.
_TRANSFORMS: dict[str, tuple] = {
    "postgres": (_type_parameters, _int_shift_amounts),
    "snowflake": (),
}
