"""Every SQL file of sql/ translates to PostgreSQL and Snowflake, keeping its parameters bindable by SQLAlchemy.

Whether the translated SQL gives DuckDB's numbers is tests/warehouse/test_postgres_models.py's job (on a real
server); these tests need no server and take a second.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url
from sqlglot.errors import UnsupportedError

from warehouse.dialect import dialect_for, translate
from warehouse.queries import sql_parameters
from warehouse.sqlfiles import SQL_DIR, read_sql

FILES = sorted(p.relative_to(SQL_DIR).as_posix() for layer in ("staging", "analytics", "queries")
               for p in (SQL_DIR / layer).rglob("*.sql"))
TARGETS = ("postgres", "snowflake")


def bound_names(sql: str) -> set[str]:
    """The parameters SQLAlchemy's text() finds in a statement (what it will ask values for)."""
    return set(sa.text(sql).compile().binds)


def test_every_layer_has_files():
    layers = {name.split("/")[0] for name in FILES}
    assert layers == {"staging", "analytics", "queries"}
    assert len([f for f in FILES if f.startswith("queries/")]) > 50


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("path", FILES)
def test_file_translates_with_its_parameters(path, target):
    source = read_sql(path)
    translated = translate(source, target)
    assert translated.lstrip().upper().startswith(("SELECT", "WITH", "("))
    # exactly the parameters the DuckDB text binds (found by warehouse.queries, outside literals and comments)
    assert bound_names(translated) == set(sql_parameters(source))


def test_duckdb_is_left_as_written():
    sql = "select 1 as x -- :note"
    assert translate(sql, "duckdb") is sql


def test_unknown_dialect_is_an_error():
    with pytest.raises(ValueError, match="mysql"):
        translate("select 1", "mysql")


def test_a_construct_without_equivalent_raises():
    # DuckDB's max(x, n) (the n largest values) has no PostgreSQL form: an error, never other SQL
    with pytest.raises(UnsupportedError):
        translate("select max(amount, 3) from orders", "postgres")


def test_literal_that_text_would_bind_raises():
    with pytest.raises(UnsupportedError, match="'a :word'"):
        translate("select 'a :word' as label", "postgres")


def test_comments_are_dropped_so_their_colon_words_are_not_parameters():
    out = translate("-- filters on :value_segments and :nothing\nselect 1 as x where :flag", "postgres")
    assert bound_names(out) == {"flag"}


def test_list_parameters_are_text_arrays_on_postgres():
    out = translate("select * from t where (:kinds is null or list_contains(:kinds, t.kind)) "
                    "and t.name = :features[1] and array_position(:features, t.name) > 0", "postgres")
    assert out.count("CAST(:kinds AS TEXT[])") == 2  # the NULL test too: PostgreSQL types a parameter once
    assert "(CAST(:features AS TEXT[]))[1]" in out
    assert bound_names(out) == {"kinds", "features"}


def test_search_and_page_parameters_get_their_types_on_postgres():
    out = translate("select * from t where (:search is null or lower(t.name) like :search escape '!') "
                    "limit :page_size offset :offset", "postgres")
    assert out.count("CAST(:search AS TEXT)") == 2
    assert "CAST(:page_size AS BIGINT)" in out and "CAST(:offset AS BIGINT)" in out


def test_a_parameter_of_two_types_raises():
    with pytest.raises(UnsupportedError, match=":x"):
        translate("select * from t where t.a like :x and list_contains(:x, t.b)", "postgres")


def test_bigint_shifts_by_an_integer_on_postgres():
    out = translate("select mask >> (k - 1) as bit from t", "postgres")
    assert "mask >> CAST((k - 1) AS INT)" in out


def test_dialect_follows_the_warehouse_url():
    assert [dialect_for(make_url(url).get_backend_name()) for url in (
        "duckdb:///data/warehouse.duckdb", "postgresql+psycopg://ci@db:5432/insight", "snowflake://u@acct/db/schema",
    )] == ["duckdb", "postgres", "snowflake"]
    with pytest.raises(ValueError, match="mysql"):
        dialect_for("mysql")
