"""Preferences and saved views in a real browser: the real server (`customer-insight serve`, sign-in off: the demo,
whose user is "local") on the 10-customer PRD sample, and headless Chromium. The views a browser kept in
localStorage are imported once into the server's list; the Preferences dialog of the header changes the charts'
colours and the KPI cards' numbers after its reload, and the tab "/" opens on, but not a link's view."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.e2e.conftest import browse, start_server
from tests.etl.conftest import SAMPLES, run_cli

SHOTS = Path("/tmp/customer-insight-screens")
TABLEAU = {"High": "#D62728", "Medium": "#FF7F0E", "Low": "#1F77B4"}  # Tableau 10's red, orange and blue


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    data = tmp_path_factory.mktemp("e2e-preferences")
    run_cli(data, "load", "--source", str(SAMPLES / "prd_raw_10"))
    yield from start_server(data)


def ready(page, chart: str = "#overview-churn") -> None:
    """Wait until `chart` is drawn (and on the Overview its KPI cards are filled)."""
    if chart == "#overview-churn":
        page.wait_for_selector("#overview-kpi-rating-value:not(:text('–'))", timeout=20_000)
    page.wait_for_selector(f"{chart} .main-svg", timeout=20_000)


def test_saved_views_and_preferences_in_the_browser(server, browser):
    SHOTS.mkdir(exist_ok=True)
    context, page, errors = browse(browser, server + "?tab=overview")
    ready(page)
    # views saved in this browser before they moved to the server
    page.evaluate("() => localStorage.setItem('saved-presets', JSON.stringify("
                  "{'Old risky': '?tab=support&risk=High', 'Old reviews': '?tab=product&range=90d'}))")
    page.reload()
    ready(page)
    page.wait_for_function("() => document.querySelector('#preset-message').innerText.includes('2 saved views')")
    assert page.evaluate("() => localStorage.getItem('saved-presets')") == "{}"
    page.locator("#preset-name").fill("Team risky")
    page.get_by_label("Share with everyone").check()
    page.locator("#preset-save").click()
    page.wait_for_function("() => document.querySelector('#preset-message').innerText.includes('(shared)')")
    page.locator("#preset-select").click()
    options = page.locator("[role=option]")
    options.last.wait_for()
    assert options.all_inner_texts() == ["My views", "Old reviews", "Old risky", "Team risky · shared"]
    page.screenshot(path=str(SHOTS / "saved-views.png"))
    page.get_by_role("option", name="Old risky").click()
    page.wait_for_function("() => window.location.search === '?tab=support&risk=High'")
    # Preferences: Support and the last 30 days when "/" is opened, Tableau's colours, "1 234,5"
    page.get_by_role("button", name="Preferences").click()
    page.wait_for_selector("#prefs-modal", state="visible")
    page.select_option("#prefs-tab", "support")
    page.select_option("#prefs-range", "30d")
    page.get_by_label("Classic (Tableau 10)").check()
    page.get_by_label("1\u00a0234,5").check()
    page.screenshot(path=str(SHOTS / "preferences.png"))
    with page.expect_navigation():  # saved, then the same address reloaded in the new look
        page.locator("#prefs-save").click()
    assert page.url.endswith("/?tab=support&risk=High")
    page.goto(server + "?tab=overview")
    ready(page)
    page.wait_for_timeout(500)
    assert page.locator("#overview-kpi-rating-value").inner_text() == "3,25 / 5"  # 65 stars / 20 reviews
    bars = json.loads(page.evaluate(
        "() => JSON.stringify(document.querySelector('#overview-churn .js-plotly-plot').data[0])"))
    assert dict(zip(bars["y"], bars["marker"]["color"], strict=True)) == {label: TABLEAU[label] for label in bars["y"]}
    page.screenshot(path=str(SHOTS / "classic-overview.png"), full_page=True)
    # "/" opens on the default view; a link's view stays as it was sent
    page.goto(server)
    ready(page, "#support-priority")
    assert page.url == server + "?tab=support&range=30d"
    page.goto(server + "?tab=sentiment")
    ready(page, "#sentiment-by-type")
    assert page.locator("#tabs .nav-link.active").inner_text() == "Sentiment"
    assert errors == []
    context.close()
