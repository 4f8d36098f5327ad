"""The Usage tab in a real browser, on generated demo data with product usage (scale S; the e2e warehouse of
test_dashboard.py is the PRD sample, which has none): the check-up numbers, the charts, the team table, and a sidebar
filter that changes them, also when it comes from the URL."""

from __future__ import annotations

import json

import pytest

from dashapp.tabs import usage as tab
from tests.e2e.conftest import browse, start_server
from tests.e2e.test_dashboard import SHOTS, figure_data, pick
from tests.etl.conftest import run_cli
from warehouse.filters import Filters
from warehouse.reader import WarehouseReader

CHARTS = ("usage-last-activity", "usage-most-active", "usage-feature-volume", "usage-feature-trend",
          "usage-feature-teams", "usage-adoption", "usage-stickiness", "usage-correlation", "usage-funnel",
          "usage-profiles-mix")


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory, demo_s_source):
    # The whole demo set of the session (tests/conftest.py), not only the entities the Usage tab reads: tests/warehouse
    # loads the same folder into an empty DuckDB folder too, so the suite runs this load once and copies it
    # (run_cli_on), where a load of a part of it was a load of its own (some 10 s).
    data = tmp_path_factory.mktemp("usage-demo")
    run_cli(data, "load", "--source", str(demo_s_source))
    return data


@pytest.fixture(scope="module")
def usage_server(data_dir):
    yield from start_server(data_dir)


def expected_kpis(data_dir, filters: Filters) -> dict[str, tuple[str, str]]:
    """The check-up cards' texts straight from the warehouse (what the page must show)."""
    reader = WarehouseReader(data_dir / "warehouse.duckdb")
    try:
        return tab.kpi_texts(reader.query("usage/checkup", filters).iloc[0].to_dict())
    finally:
        reader.close()


def open_usage(browser, url: str):
    context, page, errors = browse(browser, url)
    page.wait_for_selector("#usage-kpi-teams-value:not(:text('–'))", timeout=30_000)
    for chart in CHARTS:
        page.wait_for_selector(f"#{chart} .main-svg", timeout=30_000)
    return context, page, errors


def kpis(page) -> dict[str, tuple[str, str]]:
    return {kpi_id: (page.locator(f"#{kpi_id}-value").inner_text(), page.locator(f"#{kpi_id}-delta").inner_text())
            for kpi_id in tab.KPIS}


def test_usage_tab_shows_the_checkup_and_the_charts_and_follows_a_filter(usage_server, data_dir, browser):
    context, page, errors = open_usage(browser, usage_server + "?tab=usage")
    assert page.locator("#tabs .nav-link.active").inner_text() == "Usage"
    everyone = expected_kpis(data_dir, Filters())
    assert kpis(page) == everyone and everyone["usage-kpi-teams"][0] == "1,000"
    for chart in ("usage-feature-volume", "usage-adoption", "usage-funnel", "usage-profiles-mix"):
        assert json.loads(figure_data(page, chart)), chart  # traces drawn, not an empty-state message
    # the teams table loads its rows from the server as it is shown
    page.locator("#usage-profiles-grid").scroll_into_view_if_needed()
    page.wait_for_selector("#usage-profiles-grid .ag-center-cols-container .ag-row", timeout=30_000)
    assert page.locator("#usage-profiles-count").inner_text() == "1,000 teams in view"
    assert page.locator(".tab-content .alert-danger").count() == 0
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / "usage.png"))

    before = figure_data(page, "usage-feature-volume")
    pick(page, "f-segment", "High Value")
    page.wait_for_function("() => window.location.search.includes('segment=High+Value')")
    page.wait_for_function("(old) => JSON.stringify(document.querySelector('#usage-feature-volume "
                           ".js-plotly-plot').data) !== old", arg=before, timeout=30_000)
    high = expected_kpis(data_dir, Filters(value_segments=("High Value",)))
    page.wait_for_function("(text) => document.querySelector('#usage-kpi-teams-value').innerText === text",
                           arg=high["usage-kpi-teams"][0], timeout=30_000)
    assert kpis(page) == high and high != everyone
    page.wait_for_function("() => !document.querySelector('#usage-profiles-count').innerText.startsWith('1,000')",
                           timeout=30_000)
    assert errors == []
    context.close()

    # the same view from its link
    context, page, errors = open_usage(browser, usage_server + "?tab=usage&segment=High+Value")
    assert kpis(page) == high
    assert errors == []
    context.close()
