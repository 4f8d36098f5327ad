"""Bound parameters are found in the SQL text, never in its comments or string literals."""

from __future__ import annotations

from warehouse.queries import sql_parameters, to_duckdb_parameters

SQL = """-- counts per day (note:ignored) for :also_ignored
select cast(x as date)::varchar, ':not_a_param' as label, 'it''s :quoted' as other
from t /* block :skipped
   over lines */
where d between :date_from and :date_to and k = :key"""


def test_parameters_outside_comments_and_literals_only():
    assert sql_parameters(SQL) == frozenset({"date_from", "date_to", "key"})


def test_translation_keeps_comments_literals_and_casts():
    out = to_duckdb_parameters(SQL)
    assert "between $date_from and $date_to and k = $key" in out
    assert "(note:ignored) for :also_ignored" in out          # comment untouched
    assert "':not_a_param'" in out and "'it''s :quoted'" in out  # literals untouched
    assert "::varchar" in out and "block :skipped" in out
