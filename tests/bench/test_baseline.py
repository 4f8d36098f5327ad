"""The pandas baseline computes the same numbers as the warehouse's queries (so the comparison is apples to apples):
every query a tab's callbacks ran, with the parameters they ran it with, on the 100-customer PRD sample and at scale S;
and a few cards counted straight from the sample's raw JSON files."""

from __future__ import annotations

import json
from collections import Counter
from datetime import date

import pandas as pd
import pytest

from bench.baseline import BASELINES, load_tables
from bench.dashboard import DashboardBench, tab_modules
from tests.etl.conftest import SAMPLES
from warehouse.duck import connect
from warehouse.filters import Filters
from warehouse.queries import run_query


def recorded_calls(settings) -> list:
    """Every (query, parameters) the tabs' callbacks ran in one run of each tab (page load and filter change)."""
    dashboard = DashboardBench(settings)
    calls = []
    for module in tab_modules():
        for run in dashboard.run_tab(module, 1).runs:
            calls += run.full_queries + run.change_queries
    dashboard.reader.close()
    return calls


def assert_same(ours: pd.DataFrame, theirs: pd.DataFrame, label: str) -> None:
    """Same rows and values in the baseline's columns (rows compared in sorted order: a few queries are unordered)."""
    columns = list(theirs.columns)
    left, right = ours[columns].copy(), theirs.reset_index(drop=True).copy()
    for column in columns:
        if pd.api.types.is_datetime64_any_dtype(left[column]) or pd.api.types.is_datetime64_any_dtype(right[column]):
            left[column], right[column] = (pd.to_datetime(f[column]).astype("datetime64[ns]") for f in (left, right))
        elif (pd.api.types.is_numeric_dtype(left[column]) and pd.api.types.is_numeric_dtype(right[column])
              and not pd.api.types.is_bool_dtype(left[column])):  # int, nullable int and float alike
            left[column], right[column] = left[column].astype("float64"), right[column].astype("float64")
        else:  # text: None, NaN and NA all mean "no value"
            left[column], right[column] = (f[column].astype(object).where(f[column].notna(), None)
                                           for f in (left, right))
    left = left.sort_values(columns).reset_index(drop=True)
    right = right.sort_values(columns).reset_index(drop=True)
    pd.testing.assert_frame_equal(left, right, check_dtype=False, rtol=1e-9, atol=1e-12, obj=label)


def check_all(settings) -> set[str]:
    calls = recorded_calls(settings)
    tables = load_tables(settings.duckdb_path)
    con = connect(settings.duckdb_path)
    try:
        for name, params in calls:
            assert name in BASELINES, f"no pandas version of {name}"
            assert_same(run_query(con, name, **params), BASELINES[name](tables, params), f"{name} {params}")
    finally:
        con.close()
    return {name for name, _params in calls}


def test_same_numbers_on_the_prd_sample(prd_settings):
    assert len(check_all(prd_settings)) >= 55  # (nearly) every query of the dashboard was compared


def test_same_numbers_at_scale_s(scale_s_settings):
    """Scale S has product usage, users and orders, which the PRD sample lacks (usage, RFM, retention, health)."""
    assert check_all(scale_s_settings) >= {"usage/funnel", "usage/stickiness", "retention/retention_curve",
                                           "segmentation/revenue_concentration", "health/health_bands"}


@pytest.fixture(scope="module")
def prd_tables(prd_settings):
    return load_tables(prd_settings.duckdb_path)


def test_cards_counted_from_the_raw_files(prd_settings, prd_tables):
    raw = {name: json.loads((SAMPLES / "prd_raw_100" / f"{name}.json").read_text())
           for name in ("customers", "customer_interactions", "product_reviews", "support_tickets")}
    params = Filters().params(date(1900, 1, 1), date(2100, 12, 31))
    totals = BASELINES["support/ticket_totals"](prd_tables, params).iloc[0]
    assert totals["tickets"] == len(raw["support_tickets"])
    assert totals["customers_with_tickets"] == len({t["customer_id"] for t in raw["support_tickets"]})
    categories = BASELINES["support/tickets_by_category"](prd_tables, params)
    assert dict(zip(categories["ticket_category"], categories["tickets"], strict=True)) == Counter(
        t["ticket_category"] for t in raw["support_tickets"])
    ratings = BASELINES["product/rating_distribution"](prd_tables, params)
    counted = Counter(r["review_rating"] for r in raw["product_reviews"])
    assert list(ratings["reviews"]) == [counted.get(stars, 0) for stars in range(1, 6)]
    kpis = BASELINES["overview/kpis"](prd_tables, {**params, "interaction_types": None, "review_languages": None})
    assert kpis.iloc[0]["total_interactions"] == len(raw["customer_interactions"])
    assert kpis.iloc[0]["avg_rating"] == pytest.approx(
        sum(r["review_rating"] for r in raw["product_reviews"]) / len(raw["product_reviews"]))
    counts = BASELINES["filters/in_view_counts"](prd_tables, params).iloc[0]
    assert counts["customers"] == len(raw["customers"])
    assert counts["records"] == sum(len(raw[n]) for n in ("customer_interactions", "product_reviews",
                                                          "support_tickets"))


def test_same_numbers_when_no_customer_is_in_view(scale_s_settings):
    """A persona no customer has keeps nobody in view: the top teams are an empty table, in pandas too (the baseline
    once failed there: pandas 3 typed the empty map of team events as text, and the division raised)."""
    bounds = {"date_from": date(2023, 11, 1), "date_to": date(2026, 10, 31)}
    nobody = {**Filters(personas=("no such persona",)).params(*bounds.values()), **bounds}
    tables = load_tables(scale_s_settings.duckdb_path)
    con = connect(scale_s_settings.duckdb_path)
    try:
        ours = run_query(con, "usage/feature_top_teams", **nobody, feature="search", limit=10)
        assert ours.empty
        assert_same(ours, BASELINES["usage/feature_top_teams"](tables, {**nobody, "feature": "search", "limit": 10}),
                    "usage/feature_top_teams, nobody in view")
    finally:
        con.close()


def test_a_failing_baseline_costs_its_query_not_the_bench(tmp_path, monkeypatch):
    """The runner notes the error of a baseline function (with its parameters) and goes on with the other calls."""
    from bench.baseline import runner

    def broken(tables, params):
        raise ZeroDivisionError("on purpose")

    monkeypatch.setitem(BASELINES, "test/broken", broken)
    monkeypatch.setitem(BASELINES, "test/fine", lambda tables, params: None)
    monkeypatch.setattr("bench.baseline.load_tables", lambda path: {})
    result = runner.replay(tmp_path / "none.duckdb", [
        runner.BaselineJob("t/0/full", [("test/broken", {"x": 1}), ("test/fine", {}), ("test/broken", {"x": 2})])])
    assert result.seconds["t/0/full"][0] is None and result.seconds["t/0/full"][2] is None
    assert result.seconds["t/0/full"][1] is not None
    assert result.errors == {"test/broken": "ZeroDivisionError: on purpose (parameters {'x': 1})"}
