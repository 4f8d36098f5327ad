"""`customer-insight bench` end to end at scale S: the data set made once and reused, every tab timed with only its
own callbacks, the SQL floor and the pandas baseline beside it, the table printed and the JSON written."""

from __future__ import annotations

import duckdb

from dashapp.tabs import TAB_MODULES
from tests.etl.conftest import run_cli


def test_every_tab_is_printed_and_written(scale_s_run):
    results, stdout = scale_s_run.results, scale_s_run.stdout
    assert [t["tab"] for t in results["tabs"]] == [m.TAB_ID for m in TAB_MODULES]
    table = stdout[stdout.index("Dashboard benchmark"):]
    for tab in results["tabs"]:
        row = next(line for line in table.splitlines() if f" {tab['label']} " in line)
        full = tab["full_ms"]
        assert f"{full['p50']:,.0f} / {full['p95']:,.0f}" in row or full["p50"] < 10  # the JSON's figures, printed
        assert tab["full_ms"]["p50"] > 0 and tab["filter_change_ms"]["p50"] > 0
        assert tab["sql_floor_ms"]["p50"] > 0 and tab["pandas_ms"]["p50"] > 0
        assert tab["not_in_baseline"] == []  # every query the tab ran has its pandas version
        assert set(tab["targets_met"]) == {"tab_p95", "filter_change_p95", "pandas_speedup"}
        assert tab["pandas_over_ours"] == tab["pandas_ms"]["p50"] / tab["full_ms"]["p50"]
    # the floor is the queries alone: below the callbacks that ran them plus figures and HTTP (summed over the tabs,
    # so that one noisy millisecond cannot decide it)
    assert (sum(t["sql_floor_ms"]["p50"] for t in results["tabs"])
            < sum(t["full_ms"]["p50"] for t in results["tabs"]))
    memory = results["memory"]
    assert memory["ours_peak_rss_mb"] > 0 and memory["pandas_peak_rss_mb"] > 0
    assert memory["fraction"] == memory["ours_peak_rss_mb"] / memory["pandas_peak_rss_mb"]
    assert "pandas process peak RSS" in stdout and "target ≤ 0.25" in stdout


def test_the_baseline_holds_the_whole_tables(scale_s_run):
    """The pandas process loaded every row of every table it reads (counted here on the warehouse itself)."""
    con = duckdb.connect(str(scale_s_run.folder / "warehouse.duckdb"), read_only=True)
    try:
        for table, rows in scale_s_run.results["memory"]["pandas_tables"].items():
            assert rows == len(con.table(table)), table
    finally:
        con.close()


def test_each_tab_times_its_own_callbacks_only(scale_s_run):
    """What each tab's page load asks the warehouse for: its own cards and the counts above every tab, never the KPI
    cards of other tabs (a callback whose outputs are not on the page does not fire in a browser)."""
    queries = {t["tab"]: set(t["by_query"]) for t in scale_s_run.results["tabs"]}
    assert queries["overview"] == {"filters/in_view_counts", "overview/kpis", "overview/sentiment_trend",
                                   "overview/customers_by_overall_sentiment", "overview/customers_by_churn_risk"}
    assert queries["product"] == {"filters/in_view_counts", "product/rating_trend", "product/rating_distribution",
                                  "product/reviews_by_language", "product/recent_reviews"}
    # the clustering's features and the explorer's first block come from chained callbacks and the grid's request
    assert {"segmentation/cluster_features", "segmentation/segment_explorer_page"} <= queries["segmentation"]
    # the glossary's only query has no filters: its warm-up run asked for it, the cache answers the timed runs
    assert queries["glossary"] == {"filters/in_view_counts"}
    for tab, names in queries.items():
        assert not {n for n in names if n.startswith("overview/")} or tab == "overview", tab


def test_a_second_run_reuses_the_data_set(scale_s_run):
    source = scale_s_run.folder / "demo-S" / "customers.parquet"
    written = source.stat().st_mtime_ns
    done = run_cli(scale_s_run.data_dir, "bench", "--scale", "S", "--runs", "1", "--tabs", "customer",
                   "--no-baseline")
    assert "Generating" not in done.stdout
    assert source.stat().st_mtime_ns == written
    assert " Customer " in done.stdout and " Overview " not in done.stdout
    assert "pandas process" not in done.stdout


def test_an_unknown_tab_is_refused_before_any_work(tmp_path):
    done = run_cli(tmp_path, "bench", "--tabs", "overview,nope", check=False)
    assert done.returncode == 2
    assert "unknown tab(s) nope" in done.stderr
    assert not (tmp_path / "bench").exists()
