"""Row-level scope (warehouse/scope.py): a user limited to one CSM's accounts gets, from every query, what a warehouse
holding only those accounts would give.

Two warehouses are loaded by the real `customer-insight load` from the demo generator's scale S: the whole data set,
and the same files cut down (with pyarrow, in this test) to the customers of one csm_owner and their records. Every
query of sql/queries is then run through the reader on the whole warehouse under that CSM's scope and, without a
scope, on the cut-down one: the results must be equal. A few queries differ for a stated reason (DIFFERENT_BY_DESIGN):
their rows must still belong to the CSM's accounts only.
"""

from __future__ import annotations

import shutil
from datetime import timedelta
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from tests.etl.conftest import run_cli
from tests.warehouse.test_postgres_models import SORTS, assert_same_frame
from warehouse.filters import LIST_FILTERS, Filters
from warehouse.queries import query_parameters
from warehouse.reader import WarehouseReader
from warehouse.scope import GLOBAL_QUERIES, SCOPE_PARAMETER, Scope, ScopeError, require_scope, scoped
from warehouse.sqlfiles import SQL_DIR

QUERIES = sorted(p.relative_to(SQL_DIR / "queries").with_suffix("").as_posix()
                 for p in (SQL_DIR / "queries").rglob("*.sql"))
# Columns whose values depend on all accounts by design, left out of the comparison (None: the whole result, then
# compared only on which accounts it shows). The cut-down warehouse is too small to train the churn model.
CHURN = ("churn_probability", "churn_band", "reason_1", "reason_2", "reason_3", "recommended_action")
DIFFERENT_BY_DESIGN: dict[str, tuple[tuple[str, ...] | None, str]] = {
    "churn/churn_actions": (None, "the churn model is trained on every account"),
    "churn/churn_summary": (None, "the churn model is trained on every account"),
    "churn/churn_top_risks": (None, "the churn model is trained on every account"),
    "customer/suggested_customers": (None, "ordered by the churn model's probability"),
    "customer/customer_signals": (CHURN, "the churn model is trained on every account"),
    "segmentation/rfm_customers": (None, "RFM scores are quintiles among all customers (docs/segments.md)"),
    "segmentation/rfm_segments": (None, "RFM scores are quintiles among all customers"),
    "segmentation/value_tiers": (None, "value tiers are quantiles of all customers' value (docs/segments.md)"),
    "segmentation/cluster_features": (("recency_days", "rfm_segment"),
                                      "RFM segment, and the recency given to customers without activity, are set "
                                      "among all customers"),
    "usage/checkup": (("usage_rows",), "whether any usage data was loaded at all (a yes/no for the tab's message)"),
    "executive/inactive_teams_earlier": (("usage_rows",), "whether any usage data was loaded at all"),
}


@pytest.fixture(scope="module")
def warehouses(tmp_path_factory, demo_s_source) -> dict[str, Any]:
    source = demo_s_source
    customers = pq.read_table(source / "customers.parquet")
    counts = pc.value_counts(customers["csm_owner"]).to_pylist()
    csm = max(counts, key=lambda item: (item["counts"], item["values"]))["values"]
    ids = customers.filter(pc.equal(customers["csm_owner"], csm))["customer_id"]
    cut = tmp_path_factory.mktemp("scope-cut-source")
    for path in source.glob("*.parquet"):
        table = pq.read_table(path)
        pq.write_table(table.filter(pc.is_in(table["customer_id"], value_set=ids)), cut / path.name)
    whole, only = tmp_path_factory.mktemp("scope-whole"), tmp_path_factory.mktemp("scope-only")
    run_cli(whole, "load", "--source", str(source))
    # the cut-down files' texts are all in the whole data set: the whole load's enrichment cache (copied) only
    # spares their load a cold enrichment (5-10 s)
    shutil.copytree(whole / "enrichment_cache", only / "enrichment_cache")
    run_cli(only, "load", "--source", str(cut))
    readers = {"whole": WarehouseReader(whole / "warehouse.duckdb"), "only": WarehouseReader(only / "warehouse.duckdb")}
    yield {"csm": csm, "ids": set(ids.to_pylist()), "other": customers.filter(
        pc.not_equal(customers["csm_owner"], csm))["customer_id"][0].as_py(), **readers}
    for reader in readers.values():
        reader.close()


def test_every_query_applies_the_scope_or_is_global():
    unscoped = [q for q in QUERIES if SCOPE_PARAMETER not in query_parameters(q) and q not in GLOBAL_QUERIES]
    assert unscoped == [], "queries that read accounts without the scope parameter (add a scope snippet)"
    assert [q for q in sorted(GLOBAL_QUERIES) if q not in QUERIES] == []  # no stale names
    assert [q for q in sorted(GLOBAL_QUERIES) if SCOPE_PARAMETER in query_parameters(q)] == []


def _parameters(reader: WarehouseReader, name: str, customer: str) -> dict[str, Any]:
    first, last = reader.date_bounds()
    features = list(reader.query("usage/feature_list")["feature_name"])
    params = {
        "limit": 1000, "offset": 0, "page_size": 1000, "max_points": 100_000, "customer_id": customer,
        "team_ids": None, "user_ids": None, "search": None, "prefix": "a%", "term": "a",
        "sort_column": "lifetime_value", "sort_direction": "desc", "features": features[:20],
        "funnel_features": features[:4], "feature": features[0], "data_start": first, "window_days": 90,
        "long_window_days": 90, "cutoff": last - timedelta(days=180), "horizon_days": 90, "sources": None,
        "source_types": ["interaction", "review", "ticket"], "grain": "month",
    }
    if name in SORTS:
        params["sort_column"], params["sort_direction"] = SORTS[name]
    if name == "customer/search_customers":
        params["search"] = "%a%"
    if name == "exports/teams":
        params["team_ids"] = sorted(reader.query("customer/search_customers", search="%", prefix="%", term="",
                                                 limit=100_000)["customer_id"])
    used = query_parameters(name)
    return {k: v for k, v in params.items() if k in used}


@pytest.mark.parametrize("name", [q for q in QUERIES if q not in GLOBAL_QUERIES])
def test_scoped_query_equals_the_warehouse_of_those_accounts_alone(warehouses, name):
    whole, only, csm = warehouses["whole"], warehouses["only"], warehouses["csm"]
    customer = sorted(warehouses["ids"])[0]
    if name == "exports/teams":
        with scoped(Scope(csm)):
            theirs = set(whole.query("customer/search_customers", search="%", prefix="%", term="",
                                     limit=100_000)["customer_id"])
        assert theirs == warehouses["ids"]
    with scoped(Scope(csm)):
        params = _parameters(only, name, customer)
        ours = whole.query(name, Filters(), **params)
    expected = only.query(name, Filters(), **params)
    if "customer_id" in ours.columns:
        assert set(ours["customer_id"].dropna()) <= warehouses["ids"], f"{name}: another CSM's account"
    columns, _reason = DIFFERENT_BY_DESIGN.get(name, ((), ""))
    if columns is not None:
        kept = [c for c in ours.columns if c not in columns]
        assert_same_frame(ours[kept], expected[kept], f"{name} under the scope of {csm}")


def test_another_csms_account_is_empty(warehouses):
    with scoped(Scope(warehouses["csm"])):
        for name in ("customer/customer_label", "customer/customer_team", "customer/customer_users",
                     "customer/customer_timeline", "customer/customer_signals"):
            frame = warehouses["whole"].query(name, Filters(), **_parameters(warehouses["whole"], name,
                                                                              warehouses["other"]))
            rows = frame.dropna(subset=[c for c in ("record_id", "customer_id", "user_id") if c in frame.columns],
                                how="all") if len(frame.columns) else frame
            assert rows.empty, name
    # without the scope, the same account has rows (the check above can fail)
    assert not warehouses["whole"].query("customer/customer_label", customer_id=warehouses["other"]).empty


def test_filter_options_count_the_scoped_accounts(warehouses):
    with scoped(Scope(warehouses["csm"])):
        options = warehouses["whole"].query("filters/options")
    segments = options[options["dimension"] == "value_segment"]
    assert int(segments["records"].sum()) == len(warehouses["ids"])  # every account once, counted by hand above


def test_a_query_without_the_scope_is_refused_under_one(warehouses, monkeypatch):
    monkeypatch.setattr("warehouse.reader.query_parameters", lambda name: frozenset({"date_from"}))
    with scoped(Scope(warehouses["csm"])), pytest.raises(ScopeError, match="does not apply the account scope"):
        warehouses["whole"].query("overview/kpis", Filters(), date_from=None)


def test_a_query_with_no_scope_set_is_refused_when_one_is_required(warehouses):
    require_scope(True)
    try:
        with pytest.raises(ScopeError, match="no account scope was set"):
            warehouses["whole"].query("overview/kpis", Filters())
        with scoped(Scope(None)):  # a user without a scope: every account
            assert not warehouses["whole"].query("overview/kpis", Filters()).empty
    finally:
        require_scope(False)


def test_the_caller_cannot_widen_the_scope(warehouses):
    with scoped(Scope(warehouses["csm"])):
        frame = warehouses["whole"].query("customer/customer_label", customer_id=warehouses["other"],
                                          scope_csm_owner=None)
    assert frame.empty


def test_the_filters_do_not_name_the_scope():
    assert SCOPE_PARAMETER not in Filters().params(pd.Timestamp("2024-01-01").date(), pd.Timestamp("2024-12-31").date())
    assert SCOPE_PARAMETER not in LIST_FILTERS.values()


def test_results_are_cached_per_scope(warehouses, tmp_path):
    from warehouse.cache import QueryCache

    reader = WarehouseReader(Path(warehouses["whole"].path), QueryCache(tmp_path / "cache"))
    try:
        everyone = reader.query("overview/kpis", Filters())
        with scoped(Scope(warehouses["csm"])):
            theirs = reader.query("overview/kpis", Filters())
        assert theirs.iloc[0].to_dict() != everyone.iloc[0].to_dict()
        assert_same_frame(theirs, warehouses["only"].query("overview/kpis", Filters()), "kpis from the cache")
    finally:
        reader.close()
