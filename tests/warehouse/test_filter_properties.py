"""Property-based tests (hypothesis) of the filters: whatever the browser's `filters` store sends back, Filters
.from_dict gives filters (never an error); and whatever text the filter values hold - quotes, SQL, unicode, NUL,
lone surrogates - the filter -> SQL translation binds what from_dict keeps of it as data on both engines: a query
counts exactly the customers that pandas finds in analytics.customer_dimensions with the same filter."""

from __future__ import annotations

import json
from datetime import date

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from warehouse.filters import LIST_FILTERS, MAX_VALUE_CHARS, MAX_VALUES_PER_FILTER, Filters
from warehouse.reader import open_reader

HOSTILE = ["'", "''", "' or '1'='1", "High'; drop table analytics.customer_dimensions; --", "%", "_", "\\",
           "$1", ":value_segments", "{{ snippet_customer_in_view }}", "High\u0000", "Hígh", "🙂", " High", "High "]
JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30),
                    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=10), inner,
                                                                                  max_size=5), max_leaves=20)
CUSTOMER_FILTERS = ("value_segments", "personas", "churn_risks", "upsell_opportunities")


@given(st.one_of(JSON, st.dictionaries(st.sampled_from(["date_from", "date_to", *LIST_FILTERS]), JSON, max_size=8)))
@settings(max_examples=300, deadline=None)
def test_any_store_content_gives_filters_and_never_an_error(data):
    filters = Filters.from_dict(data)
    for name in LIST_FILTERS:
        values = getattr(filters, name)
        assert len(values) <= MAX_VALUES_PER_FILTER and len(set(values)) == len(values)
        assert all(isinstance(v, str) and len(v) <= MAX_VALUE_CHARS for v in values)
    assert filters.date_from is None or isinstance(filters.date_from, date)


# text a warehouse value can be: no NUL, no lone surrogate (from_dict drops those)
VALUE_TEXT = st.text(st.characters(exclude_characters="\x00", exclude_categories=("Cs",)), max_size=20)


@given(st.dictionaries(st.sampled_from(list(LIST_FILTERS)), st.lists(VALUE_TEXT, max_size=4, unique=True)),
       st.dates(), st.dates())
@settings(max_examples=200, deadline=None)
def test_well_formed_filters_round_trip_through_the_store(lists, first, second):
    filters = Filters(date_from=min(first, second), date_to=max(first, second),
                      **{name: tuple(values) for name, values in lists.items()})
    assert Filters.from_dict(filters.to_dict()) == filters


def test_hand_made_store_values_are_dropped_not_failed():
    assert Filters.from_dict({"date_from": 20250101, "date_to": "31/12/2025", "churn_risks": [1, {"a": 1}, "High"],
                              "personas": "Mixed", "value_segments": ["x"] * 5000}) == \
        Filters(churn_risks=("High",), personas=("Mixed",), value_segments=("x",))
    assert Filters.from_dict(["not", "a", "dict"]) == Filters() == Filters.from_dict(None)
    # a lone surrogate, which JSON can carry ("\ud800") and no driver can encode (found by the test below)
    assert Filters.from_dict(json.loads('{"churn_risks": ["\\ud800", "High"], "personas": ["a\\udfffb"], '
                                        '"value_segments": ["High\\u0000"]}')) == Filters(churn_risks=("High",))


@pytest.fixture(scope="module")
def dims_and_readers(prd100_both):
    with duckdb.connect(str(prd100_both.duck.duckdb_path), read_only=True) as con:
        dims = con.execute("select * from analytics.customer_dimensions").df()
    readers = {"duckdb": open_reader(prd100_both.duck), "postgresql": open_reader(prd100_both.pg)}
    yield dims, readers
    for reader in readers.values():
        reader.close()


def filter_values(column: str):
    """Values for a filter: the warehouse's own (so that some examples match customers) or hostile text."""
    return st.lists(st.one_of(st.sampled_from(["High", "Medium", "Low", "High Value", "Low Value", "Mixed",
                                               "Satisfied", "Frustrated", "Neutral"]),
                              st.sampled_from(HOSTILE), st.text(st.characters(exclude_characters="\x00"),
                                                                max_size=40)),
                    max_size=4, unique=True)


@given(st.fixed_dictionaries({name: filter_values(name) for name in CUSTOMER_FILTERS}))
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_hostile_filter_values_are_bound_as_data_on_both_engines(dims_and_readers, chosen):
    dims, readers = dims_and_readers
    filters = Filters.from_dict(chosen)  # as the dashboard reads the browser's store
    expected = dims
    for name in CUSTOMER_FILTERS:
        if getattr(filters, name):
            expected = expected[expected[LIST_FILTERS[name]].isin(getattr(filters, name))]
    for engine, reader in readers.items():
        personas = reader.query("segmentation/persona_distribution", filters)
        assert int(personas["customers"].sum()) == len(expected), engine
    # and the table the hostile text tried to drop is still there
    assert len(readers["duckdb"].query("segmentation/persona_distribution", Filters())["customers"]) == 6
