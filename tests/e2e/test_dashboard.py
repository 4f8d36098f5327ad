"""The dashboard in a real browser: filters change figures, the URL carries the whole view, bad links
show a notice, Back works, and no console errors occur."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from dashapp.tabs import TAB_MODULES
from tests.e2e.conftest import browse, settled

SHOTS = Path("/tmp/customer-insight-screens")


@pytest.fixture(scope="module")
def server(prd100_server):
    return prd100_server  # tests/e2e/conftest.py: the PRD sample's server, shared with the other module that reads it


def open_page(browser, url: str):
    context, page, errors = browse(browser, url)
    page.wait_for_selector("#overview-kpi-interactions-value:not(:text('–'))", timeout=20_000)
    page.wait_for_selector("#overview-churn .main-svg", timeout=20_000)
    return context, page, errors


def kpi(page, name: str) -> str:
    return page.locator(f"#overview-kpi-{name}-value").inner_text()


def wait_chips(page, present: str | None = None, absent: str | None = None) -> str:
    """Wait until the active-filter chips show (or no longer show) a text; they update after the URL."""
    condition = "(t) => " + " && ".join(
        ([f"t.includes({present!r})"] if present else []) + ([f"!t.includes({absent!r})"] if absent else []))
    page.wait_for_function(f"() => ({condition})(document.querySelector('#filter-chips').innerText)")
    return page.locator("#filter-chips").inner_text()


def pick(page, control: str, option: str) -> None:
    page.locator(f"#{control}").click()
    # typing before the dropdown's search box has the focus would lose keystrokes
    page.wait_for_function("() => document.activeElement.classList.contains('dash-dropdown-search')")
    page.keyboard.type(option)
    # Enter picks the first option of the filtered list: wait until the list has been filtered to it
    page.wait_for_function("(text) => { const o = document.querySelector('[role=option]'); "
                           "return o && o.innerText.trim() === text; }", arg=option)
    page.keyboard.press("Enter")
    page.keyboard.press("Escape")


def test_filter_url_and_fresh_context(server, browser):
    SHOTS.mkdir(exist_ok=True)
    context, page, errors = open_page(browser, server)
    all_interactions = kpi(page, "interactions")
    assert all_interactions == "300"
    counts_before = page.locator("#in-view-counts").inner_text()
    page.screenshot(path=str(SHOTS / "overview.png"), full_page=True)

    pick(page, "f-risk", "High")
    page.wait_for_function("() => window.location.search.includes('risk=High')")
    page.wait_for_function(f"() => document.querySelector('#in-view-counts').innerText !== {counts_before!r}")
    filtered = kpi(page, "interactions")
    page.wait_for_function("() => document.querySelector('#overview-kpi-interactions-value').innerText !== '300'")
    filtered = kpi(page, "interactions")
    assert int(filtered) < 300
    wait_chips(page, present="Churn risk: High")
    shared_url = page.url
    page.screenshot(path=str(SHOTS / "overview-filtered.png"), full_page=True)

    # Whoever opens the link sees the same view.
    other, fresh, fresh_errors = open_page(browser, shared_url)
    fresh.wait_for_function(f"() => document.querySelector('#overview-kpi-interactions-value').innerText === "
                            f"{filtered!r}")
    wait_chips(fresh, present="Churn risk: High")
    assert fresh.locator("#in-view-counts").inner_text() == page.locator("#in-view-counts").inner_text()
    other.close()

    # Back returns to the unfiltered view.
    page.go_back()
    page.wait_for_function("() => !window.location.search.includes('risk=High')")
    page.wait_for_function("() => document.querySelector('#overview-kpi-interactions-value').innerText === '300'")
    assert errors == [] and fresh_errors == []
    context.close()


def test_every_filter_in_the_url_reproduces_the_view(server, browser):
    url = (server + "?tab=overview&from=2024-10-01&to=2024-12-31&segment=High+Value&persona=Mixed&persona=Neutral"
           "&risk=Low&risk=Medium&upsell=Low&type=SMS&type=video-call&lang=en&lang=fr")
    context, page, errors = open_page(browser, url)
    chips = page.locator("#filter-chips").inner_text()
    for text in ("01 Oct 2024 – 31 Dec 2024", "Value segment: High Value", "Persona: Mixed", "Persona: Neutral",
                 "Churn risk: Low", "Churn risk: Medium", "Upsell opportunity: Low", "Interaction type: SMS",
                 "Interaction type: video-call", "Review language: English", "Review language: French"):
        assert text in chips, text
    first = (kpi(page, "interactions"), page.locator("#in-view-counts").inner_text())
    other, again, _ = open_page(browser, url)
    assert (kpi(again, "interactions"), again.locator("#in-view-counts").inner_text()) == first
    assert errors == []
    other.close()
    context.close()


def test_a_bad_link_shows_a_notice_not_an_error(server, browser):
    context, page, errors = open_page(browser, server + "?tab=nowhere&risk=Extreme&from=yesterday&segment=High+Value")
    notice = page.locator("#url-notice").inner_text()
    assert "Unknown tab 'nowhere' ignored." in notice
    assert "risk: 'Extreme' not found in the data, ignored." in notice
    assert "from: 'yesterday' is not a date" in notice
    assert "Value segment: High Value" in page.locator("#filter-chips").inner_text()
    assert re.fullmatch(r"[\d,]+", kpi(page, "interactions"))
    page.screenshot(path=str(SHOTS / "bad-link.png"), full_page=True)
    assert errors == []
    context.close()


def test_clear_reset_and_saved_views(server, browser):
    context, page, errors = open_page(browser, server + "?range=90d&risk=High&segment=High+Value")
    wait_chips(page, present="Churn risk: High")
    page.locator("#preset-name").fill("Risky big accounts")
    page.locator("#preset-save").click()
    # Clear all drops every filter but keeps the date range.
    page.locator("#f-clear").click()
    page.wait_for_function("() => !window.location.search.includes('risk=')")
    assert "range=90d" in page.url
    wait_chips(page, absent="Churn risk")
    # Reset goes back to the default view: all time, no filters.
    page.locator("#f-reset").click()
    page.wait_for_function("() => !window.location.search.includes('range=')")
    # The saved view re-applies everything it held.
    page.locator("#preset-select").click()
    page.get_by_role("option", name="Risky big accounts").click()  # the option, not the "Saved ..." message
    page.wait_for_function("() => window.location.search.includes('risk=High')")
    assert "range=90d" in page.url and "segment=High+Value" in page.url
    chips = wait_chips(page, present="Churn risk: High")
    assert "Value segment: High Value" in chips
    # A chip's × removes just that filter.
    page.locator("#filter-chips .chip", has_text="Churn risk: High").locator("button.chip-remove").click()
    page.wait_for_function("() => !window.location.search.includes('risk=High')")
    assert "segment=High+Value" in page.url
    assert errors == []
    context.close()


@pytest.mark.parametrize(("tab", "ready"), [
    ("sentiment", "#sentiment-over-time .main-svg"),
    ("support", "#support-priority .main-svg"),
    ("product", "#product-distribution .main-svg"),
    ("segmentation", "#rfm-segments .main-svg"),
    ("retention", "#retention-heatmap .main-svg"),
    ("glossary", "#glossary-body #derived-persona"),
])
def test_each_tab_renders_from_its_link(server, browser, tab, ready):
    context, page, errors = browse(browser, server + f"?tab={tab}&segment=High+Value")
    page.wait_for_selector(ready, timeout=20_000)
    settled(page)  # the other cards finish
    assert page.locator(".tab-content .alert-danger").count() == 0
    assert page.locator("#tabs .nav-link.active").inner_text().lower() == tab
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{tab}.png"), full_page=True)
    # switching tabs keeps the filters in the URL
    page.get_by_role("tab", name="Overview").click()
    page.wait_for_function("() => window.location.search.includes('tab=overview')")
    assert "segment=High+Value" in page.url
    assert errors == []
    context.close()


def figure_data(page, graph_id: str) -> str:
    """The traces a chart draws, as JSON (what Plotly holds in the page, not what the server sent)."""
    return page.evaluate(f"() => JSON.stringify(document.querySelector('#{graph_id} .js-plotly-plot').data)")


def test_a_filter_changes_the_figures(server, browser):
    context, page, errors = browse(browser, server + "?tab=sentiment")
    for graph in ("sentiment-by-type", "sentiment-distribution"):
        page.wait_for_selector(f"#{graph} .main-svg", timeout=20_000)
    before = {graph: figure_data(page, graph) for graph in ("sentiment-by-type", "sentiment-distribution")}
    assert all(json.loads(data) for data in before.values())  # traces drawn, not an empty-state figure
    pick(page, "f-segment", "Low Value")
    page.wait_for_function("() => window.location.search.includes('segment=Low+Value')")
    for graph, data in before.items():
        page.wait_for_function(
            f"(old) => JSON.stringify(document.querySelector('#{graph} .js-plotly-plot').data) !== old", arg=data)
    assert figure_data(page, "sentiment-distribution") != before["sentiment-distribution"]
    # no mode-bar button that would upload customer data to Plotly's cloud
    page.locator("#sentiment-by-type").hover()
    assert page.locator("#sentiment-by-type .modebar-btn").count() > 0
    assert page.locator(".modebar-btn[data-title^='Share chart']").count() == 0
    assert errors == []
    context.close()


def test_the_dashboard_works_from_the_keyboard(server, browser):
    context, page, errors = open_page(browser, server)
    # Every filter control is named by its label (a labelled group) and operated by typing.
    for name in ("Date range", "Value segment", "Persona", "Churn risk", "Upsell opportunity", "Interaction type",
                 "Review language"):
        assert page.get_by_role("group", name=name).locator(".dash-dropdown").count() == 1, name
    page.get_by_role("group", name="Churn risk").locator(".dash-dropdown").focus()
    page.keyboard.press("Enter")  # opens the list, its search box takes the focus
    page.wait_for_function("() => document.activeElement.classList.contains('dash-dropdown-search')")
    page.keyboard.type("High")
    page.keyboard.press("Enter")
    page.keyboard.press("Escape")
    page.wait_for_function("() => window.location.search.includes('risk=High')")
    wait_chips(page, present="Churn risk: High")
    # A chip is removed with Tab + Enter on its × button.
    remove = page.locator("#filter-chips button.chip-remove").first
    remove.focus()
    assert page.evaluate("() => document.activeElement.getAttribute('aria-label')") == "remove High"
    page.keyboard.press("Enter")
    page.wait_for_function("() => !window.location.search.includes('risk=High')")
    # Tabs: reached with the Tab key from the last sidebar control, opened with Enter. Only once the removal's
    # updates are drawn: a part of the page re-rendered between two key presses takes the focus with it (seen in CI).
    wait_chips(page, absent="Churn risk: High")
    page.wait_for_function("() => !document.querySelector('[data-dash-is-loading=true]')")
    page.locator("#preset-manage-open").focus()
    for _ in range(3 * len(TAB_MODULES)):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.innerText") == "Support":
            break
    assert page.evaluate("() => [document.activeElement.getAttribute('role'), document.activeElement.innerText]") \
        == ["tab", "Support"]
    page.keyboard.press("Enter")
    page.wait_for_function("() => window.location.search.includes('tab=support')")
    page.wait_for_selector("#support-priority .main-svg", timeout=20_000)
    assert errors == []
    context.close()


def test_segment_explorer_sorts_and_searches_on_the_server(server, browser):
    context, page, errors = browse(browser, server + "?tab=segmentation")
    # the explorer is at the bottom of a long tab: bring it into view, as a user scrolling to it would
    page.wait_for_selector("#segment-explorer-grid", timeout=20_000).scroll_into_view_if_needed()
    page.wait_for_selector("#segment-explorer-grid .ag-center-cols-container .ag-row", timeout=20_000)
    # the count comes with the grid's first block of rows, which the grid may draw a moment before the text
    page.wait_for_function("() => document.querySelector('#segment-explorer-count').innerText !== ''")
    assert page.locator("#segment-explorer-count").inner_text() == "100 customers in view"
    # sort by customer id, ascending: the first row is the smallest id of the PRD sample
    page.locator("#segment-explorer-grid .ag-header-cell[col-id=customer_id] .ag-header-cell-label").click()
    page.wait_for_function("() => document.querySelector("
                           "'#segment-explorer-grid .ag-pinned-left-cols-container .ag-row[row-index=\"0\"]')"
                           "?.innerText.trim() === 'CUST-001'")
    page.locator("#segment-explorer-search").fill("CUST-04")
    page.locator("#segment-explorer-search").press("Enter")
    page.wait_for_function("() => document.querySelector('#segment-explorer-count').innerText.startsWith('10 ')")
    assert page.locator("#segment-explorer-count").inner_text() == "10 customers match the search"
    assert errors == []
    context.close()


def test_customer_tab_link_search_back_and_links_from_other_tabs(server, browser):
    """The Customer tab from a link, a type-ahead pick, Back, the notices, and the segment explorer's id links. The
    PRD sample has no users or usage: the team part shows its empty state."""
    SHOTS.mkdir(exist_ok=True)
    context, page, errors = browse(browser, server + "?tab=customer&customer=CUST-004")
    page.wait_for_selector("#customer-name:has-text('CUST-004')", timeout=20_000)
    assert page.locator("#tabs .nav-link.active").inner_text() == "Customer"
    signals = page.locator("#customer-signals-body").inner_text()
    for text in ("PERSONA", "CHURN RISK", "UPSELL OPPORTUNITY", "HEALTH SCORE", "AVERAGE SENTIMENT", "VALUE SEGMENT",
                 "TICKETS", "AVERAGE RATING", "High Value", "Summary"):
        assert text in signals, text
    page.wait_for_selector("#customer-timeline .main-svg", timeout=20_000)
    page.wait_for_selector("#customer-records-body tbody tr", timeout=20_000)
    note = page.locator("#customer-records-note").inner_text()
    assert note == "All 6 of the customer's records are in the date range."
    assert page.locator("#customer-records-body tbody tr").count() == 6  # 2 interactions and 4 reviews
    page.wait_for_selector("#customer-no-usage", timeout=20_000)
    assert "no product usage data" in page.locator("#customer-no-usage").inner_text()
    page.screenshot(path=str(SHOTS / "customer.png"))

    # Type-ahead: the box asks the warehouse as the user types; Enter picks the first match. The box opens with the
    # keyboard focus on the selected customer: typing goes to its search field all the same (assets/30-customer.js).
    page.locator("#customer-search").click()
    page.wait_for_selector("[role=option]")
    page.keyboard.type("CUST-01")
    page.wait_for_function("() => { const o = document.querySelectorAll('[role=option]'); "
                           "return o.length === 10 && o[0].innerText.trim() === 'CUST-010'; }")
    page.keyboard.press("Enter")
    page.wait_for_function("() => window.location.search.includes('customer=CUST-010')")
    page.wait_for_selector("#customer-name:has-text('CUST-010')", timeout=20_000)
    # Back returns to the customer of the link, and the search box follows.
    page.go_back()
    page.wait_for_function("() => window.location.search.includes('customer=CUST-004')")
    page.wait_for_selector("#customer-name:has-text('CUST-004')", timeout=20_000)
    page.wait_for_function("() => document.querySelector('#customer-picker').innerText.includes('CUST-004')")

    # A customer outside the customer filters is shown, with a notice; an unknown id is dropped with a notice.
    page.goto(server + "?tab=customer&customer=CUST-004&segment=Low+Value")
    page.wait_for_selector("#customer-outside-filters", timeout=20_000)
    assert page.locator("#customer-name").inner_text().startswith("CUST-004")
    page.goto(server + "?tab=customer&customer=NOPE")
    page.wait_for_selector("#customer-suggestions a", timeout=20_000)
    assert "Unknown customer 'NOPE' ignored." in page.locator("#url-notice").inner_text()

    # The segment explorer's customer ids open the Customer tab and keep the filters.
    page.goto(server + "?tab=segmentation&segment=High+Value")
    page.wait_for_selector("#segment-explorer-grid", timeout=20_000).scroll_into_view_if_needed()
    link = page.locator("#segment-explorer-grid .ag-pinned-left-cols-container .ag-row[row-index='0'] a.customer-link")
    link.wait_for(timeout=20_000)
    customer_id = link.inner_text().strip()
    assert link.get_attribute("href") == f"?tab=customer&customer={customer_id}&segment=High+Value"
    link.click()
    page.wait_for_function(f"() => window.location.search === '?tab=customer&customer={customer_id}"
                           "&segment=High+Value'")
    page.wait_for_selector(f"#customer-name:has-text('{customer_id}')", timeout=20_000)
    assert page.locator("#tabs .nav-link.active").inner_text() == "Customer"
    assert "Value segment: High Value" in page.locator("#filter-chips").inner_text()
    assert errors == []
    context.close()


def test_usage_tab_without_usage_data_shows_its_empty_states(server, browser):
    """The PRD sample has customers but no users or usage events: the Usage tab counts the teams, says that no usage
    was loaded, and every chart shows a message instead of empty axes (tests/e2e/test_usage.py: with usage)."""
    context, page, errors = browse(browser, server + "?tab=usage")
    page.wait_for_selector("#usage-kpi-teams-value:not(:text('–'))", timeout=20_000)
    assert page.locator("#usage-kpi-teams-value").inner_text() == "100"
    assert page.locator("#usage-kpi-active-value").inner_text() == "0"
    assert page.locator("#usage-kpi-inactive-value").inner_text() == "100"   # never used counts as inactive
    assert "no product usage events" in page.locator("#usage-kpi-active-delta").inner_text()
    for chart in ("usage-last-activity", "usage-feature-volume", "usage-funnel", "usage-profiles-mix"):
        page.wait_for_selector(f"#{chart} .main-svg", timeout=20_000)
        assert page.locator(f"#{chart} .annotation-text").count() == 1, chart  # the message, no traces
    assert "None of the 100 teams" in page.locator("#usage-last-activity .annotation-text").text_content()
    assert page.locator(".tab-content .alert-danger").count() == 0
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / "usage-empty.png"))
    assert errors == []
    context.close()
