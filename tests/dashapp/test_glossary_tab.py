"""Glossary tab: its layout and callbacks, the page built from config and the categories query on a small known
warehouse, a failing query, the links to and from the glossary, and the browser-side search (its JavaScript run in
headless Chromium against the index the server sends)."""

from __future__ import annotations

import json
import shutil

import dash
import pytest
import sqlglot

from config.glossary import build_glossary
from dashapp import shell
from dashapp.tabs import TAB_MODULES
from dashapp.tabs import glossary as tab
from tests.dashapp.tab_checks import callback_ids, layout_ids
from tests.warehouse.builder import build_warehouse, customer, scored, tickets_for
from warehouse.reader import WarehouseReader
from warehouse.sqlfiles import read_sql

REVIEWS = [{"review_id": f"R{i}", "customer_id": "c1", "review_date": "2024-02-10", "review_rating": 4,
            "review_text": "good", "review_language": language, "sentiment_score": 0.5}
           for i, language in enumerate(["fr", "fr", "en"])]


@pytest.fixture(scope="module")
def reader(tmp_path_factory):
    path = tmp_path_factory.mktemp("glossary") / "warehouse.duckdb"
    emails = [{**row, "interaction_id": f"{row['interaction_id']}e", "interaction_type": "email"}
              for row in scored("c2", 0.1)]
    tickets = tickets_for("c1", 2, "billing") + [{**t, "ticket_status": "closed"} for t in tickets_for("c2", 1)]
    build_warehouse(path, [customer("c1"), customer("c2")], scored("c1", 0.2, 0.4) + emails, REVIEWS, tickets).close()
    instance = WarehouseReader(path)
    yield instance
    instance.close()


class FailingReader:
    def query(self, name, filters=None, **params):
        raise RuntimeError("warehouse is being rebuilt")


def walk(component):
    """Every component of a layout tree."""
    yield component
    children = getattr(component, "children", None)
    for child in children if isinstance(children, list | tuple) else [children]:
        if hasattr(child, "to_plotly_json"):
            yield from walk(child)


def text_of(component) -> str:
    return " ".join(str(c.children) for c in walk(component) if isinstance(getattr(c, "children", None), str))


# ---------------------------------------------------------------- layout and callbacks

def test_every_callback_id_is_in_the_layout_or_the_shell():
    in_layout = layout_ids(tab.layout())
    assert {"glossary-search", "glossary-count", "glossary-body", "glossary-index", "glossary-retry"} <= in_layout
    used, callbacks = callback_ids(tab)
    assert used <= in_layout | {"url"}, used - in_layout  # url: the shell's location (query string and #anchor)
    # the page, the search, the scroll to the #anchor, the links to other tabs and the links to the glossary
    assert callbacks == 5
    assert tab.TAB_ID == "glossary" and tab.LABEL == "Glossary"


def test_the_glossary_is_the_last_tab():
    assert TAB_MODULES[-1] is tab


def test_the_table_of_contents_links_every_section():
    hrefs = [c.href for c in walk(tab.layout()) if getattr(c, "href", "").startswith("#")]
    assert hrefs == [f"#{section.anchor}" for section in build_glossary()]


# ---------------------------------------------------------------- the page

def test_the_page_lists_config_rules_and_the_categories_in_the_warehouse(reader):
    cards, index, retry = tab.page(reader)
    assert retry == "d-none"
    sections = build_glossary()
    assert [card.id["index"] for card in cards] == [section.anchor for section in sections]
    assert index["total"] == sum(len(s.entries) for s in sections) == len(index["entries"])
    assert index["sections"]["segments-labels"][0] == "value-segment"
    # categories from sql/queries/glossary/categories.sql: the warehouse's own values, most records first
    assert "call (2)" in index["entries"]["interaction-type"] and "email (1)" in index["entries"]["interaction-type"]
    assert "billing (3)" in index["entries"]["ticket-category"]
    assert "closed [resolved] (1)" in index["entries"]["ticket-status"]
    assert "french (2), english (1)" in index["entries"]["review-languages-in-the-data"]
    page_text = text_of(html_div(cards))
    assert "lifetime value ≥ 1,000" in page_text and "average sentiment < −0.3 and at least 3 tickets" in page_text


def html_div(children):
    return dash.html.Div(children)


def test_the_categories_query_returns_each_dimension_most_records_first(reader):
    frame = reader.query(tab.CATEGORY_QUERY)
    assert list(frame.columns) == ["dimension", "value", "records"]
    rows = [tuple(r) for r in frame.itertuples(index=False)]
    assert ("interaction_type", "call", 2) in rows and ("ticket_status", "open", 2) in rows
    types = [r for r in rows if r[0] == "interaction_type"]
    assert types == sorted(types, key=lambda r: -r[2])


@pytest.mark.parametrize("dialect", ["postgres", "snowflake"])
def test_the_categories_query_transpiles(dialect):
    sql = read_sql(f"queries/{tab.CATEGORY_QUERY}.sql")
    assert sqlglot.transpile(sql, read="duckdb", write=dialect, unsupported_level=sqlglot.ErrorLevel.RAISE)


def test_a_failing_query_keeps_the_rules_and_offers_a_retry():
    cards, index, retry = tab.page(FailingReader())
    assert retry != "d-none" and len(cards) == len(build_glossary())
    assert "not available" in index["entries"]["interaction-type"]
    last = text_of(cards[-1])
    assert "could not be loaded" in last and "RuntimeError: warehouse is being rebuilt" in last


def test_anchors_are_unique_and_clash_with_no_id_of_the_app(reader):
    cards, index, _ = tab.page(reader)
    anchors = [c.id for c in walk(html_div(cards)) if isinstance(getattr(c, "id", None), str)]
    assert len(anchors) == len(set(anchors))
    assert set(index["entries"]) <= set(anchors)
    others = layout_ids(shell.layout(reader)) | {i for m in TAB_MODULES if m is not tab for i in layout_ids(m.layout())}
    assert not set(anchors) & others


def test_places_link_the_tabs_the_app_has_and_name_the_others():
    entry = next(e for s in build_glossary() for e in s.entries if e.anchor == "churn-risk")
    labels = {"overview": "Overview", "segmentation": "Segmentation"}
    rendered = tab.render_entry(entry, labels)
    links = [c for c in walk(rendered) if isinstance(c, dash.dcc.Link)]
    assert [link.href for link in links][:2] == ["?tab=overview", "?tab=overview"]
    assert all(link.id["type"] == "glossary-tab-link" for link in links)
    assert "Sidebar: Churn risk filter" in tab._places(entry, labels)  # on every tab: named, not linked
    # tabs the app does not have (yet): named, not linked (a link would open the default tab with a notice)
    super_user = next(e for s in build_glossary() for e in s.entries if e.anchor == "super-user")
    assert tab._places(super_user, labels) == ["Usage tab: Most active teams", " · ", "Customer tab: Users"]
    feature = next(e for s in build_glossary() for e in s.entries if e.anchor == "product-feature")
    assert tab._places(feature, labels) == ["Usage tab"]


def test_config_names_are_written_as_in_rules_toml():
    assert tab.config_name("persona_satisfied_min_avg") == "[persona] satisfied_min_avg"
    assert tab.config_name("churn_risk_high_avg") == "[churn_risk] high_avg"
    assert tab.config_name("health_weight_rating") == "[health] weight_rating"


def test_a_glossary_link_for_another_tab():
    link = tab.glossary_link("rules in the glossary", "rfm-segment", "rfm")
    assert link.href == "?tab=glossary#rfm-segment"
    assert link.id == {"type": "glossary-link", "index": "rfm-segment@rfm"}
    entries = {e.anchor for s in build_glossary() for e in s.entries}
    # the anchors the other tabs link to exist
    for module in TAB_MODULES:
        for component in walk(module.layout()):
            if isinstance(getattr(component, "id", None), dict) and component.id.get("type") == "glossary-link":
                assert component.id["index"].split("@")[0] in entries, module.__name__


# ---------------------------------------------------------------- the search, in the browser

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.skipif(CHROMIUM is None, reason="needs Chromium (scripts/system-packages.sh test)")
@pytest.mark.parametrize(("query", "shown", "summary"), [
    ("", None, "{total} terms"),
    ("frustrated", ["derived-persona"], "1 of {total} terms match “frustrated”"),
    ("FRUSTRATED −0.3", ["derived-persona"], "1 of {total} terms match “FRUSTRATED −0.3”"),
    ("lifetime >= 1,000", ["value-segment"], "1 of {total} terms match “lifetime >= 1,000”"),
    ("zzz", [], "No term matches “zzz”. Try fewer or shorter words."),
])
def test_the_search_script_hides_what_does_not_match(reader, query, shown, summary):
    playwright = pytest.importorskip("playwright.sync_api")
    _, index, _ = tab.page(reader)
    entry_ids = list(index["entries"])
    section_ids = list(index["sections"])
    context = {"outputs_list": [[{"id": {"index": i}} for i in entry_ids], [{"id": {"index": i}} for i in section_ids],
                                {"id": "glossary-count"}]}
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page()
        page.set_content("<html><body></body></html>")
        result = page.evaluate(f"""() => {{
            window.dash_clientside = {{callback_context: {json.dumps(context)}}};
            return ({tab.SEARCH_JS})({json.dumps(query)}, {json.dumps(index)});
        }}""")
        browser.close()
    entries_hidden, sections_hidden, text = result
    visible = [i for i, hidden in zip(entry_ids, entries_hidden, strict=True) if not hidden]
    assert visible == (entry_ids if shown is None else shown)
    visible_sections = {s for s, hidden in zip(section_ids, sections_hidden, strict=True) if not hidden}
    assert visible_sections == {s for s, members in index["sections"].items() if set(members) & set(visible)}
    assert text == summary.format(total=index["total"])


def test_the_glossary_in_a_report_is_its_text_without_the_controls(reader):
    import html as html_lib

    from config.rules import load_rules
    from reports.content import build_tab_report
    from reports.html import to_html
    from warehouse.filters import Filters

    report = build_tab_report(reader, "glossary", Filters())
    assert [card.title for card in report.cards] == ["Glossary"] and report.missing == []
    html = html_lib.unescape(str(to_html(report.cards[0].body, lambda _figure: "")))
    sections = build_glossary()
    for section in sections:
        assert f">{section.category}</h3>" in html
        for entry in section.entries:
            assert f">{entry.term}</h4>" in html, entry.term
    high = load_rules()["value_segment"]["high_min_ltv"]
    assert f"[value_segment] high_min_ltv</code> = {high}" in html  # the configured value, written out
    assert "<button" not in html and "<input" not in html and "href" not in html  # links print as their text
    assert "billing" in html  # a category present in this warehouse (glossary/categories)
