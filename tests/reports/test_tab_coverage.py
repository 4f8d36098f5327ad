"""Every tab in the PDF and Excel reports, through the real parts: the 100-customer PRD sample loaded by the CLI,
the tabs' own registered builds, `customer-insight report` (WeasyPrint, kaleido + Chromium), the PDF read back with
poppler. Counts the reports must match are taken from the raw sample files, not from the code under test."""

from __future__ import annotations

import json
import re
import subprocess
from collections import Counter

import pytest

from dashapp.state import TABS
from reports.content import NO_CUSTOMER, build_tab_data, build_tab_report
from reports.excel import excel_from_search
from reports.html import to_html
from reports.kinds import pdf_from_search
from reports.view import ReportError, view_from_search
from tests.etl.conftest import SAMPLES
from tests.reports.conftest import cli_here
from warehouse.filters import Filters

NEW_TABS = ["segmentation", "usage", "retention", "glossary", "customer"]
RAW = SAMPLES / "prd_raw_100"
RECORD_FILES = ("customer_interactions.json", "product_reviews.json", "support_tickets.json")  # no orders, no usage


def raw_rows(name: str) -> list[dict]:
    return json.loads((RAW / name).read_text(encoding="utf-8"))


def records_per_customer() -> Counter:
    return Counter(row["customer_id"] for name in RECORD_FILES for row in raw_rows(name))


# the customer with the most records in the raw files: their list runs over more than one page
CUSTOMER, CUSTOMER_RECORDS = records_per_customer().most_common(1)[0]


@pytest.fixture(scope="module")
def filters(reader):
    first, last = reader.date_bounds()  # a URL without a range: "all time" = the data's bounds
    return Filters(date_from=first, date_to=last)


def customer_of(tab_id: str) -> str | None:
    return CUSTOMER if tab_id == "customer" else None


def pdf_text(path) -> str:
    """The PDF's text in reading order, whitespace collapsed (titles may wrap in a KPI box)."""
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return " ".join(text.split())


def test_the_sample_has_the_customer_the_tests_rely_on():
    assert CUSTOMER_RECORDS >= 15, (CUSTOMER, CUSTOMER_RECORDS)  # enough rows to run over a page


@pytest.mark.parametrize("tab_id", list(TABS))
def test_every_card_of_every_tab_is_rebuilt_for_a_report(reader, filters, tab_id):
    report = build_tab_report(reader, tab_id, filters, customer=customer_of(tab_id))
    assert report.missing == []
    assert report.cards, tab_id
    failed = [card.title for card in report.cards if isinstance(card.body, str)]  # a build's error text
    assert failed == []
    assert all("could not be loaded" not in kpi.detail for kpi in report.kpis), report.kpis
    assert all(card.title and card.title != card.chart_id for card in report.cards), [c.chart_id for c in report.cards]


@pytest.mark.parametrize("tab_id", list(TABS))
def test_the_data_export_has_a_card_per_chart_each_with_its_frames(reader, filters, tab_id):
    report = build_tab_report(reader, tab_id, filters, customer=customer_of(tab_id))
    data = build_tab_data(reader, tab_id, filters, customer=customer_of(tab_id))
    assert data.missing == []
    charts = [card for card in data.cards if not card.card_id.startswith("kpis")]
    assert [card.card_id for card in charts] == [card.chart_id for card in report.cards]
    assert [card.card_id for card in charts if card.error or not card.frames] == []
    assert bool(report.kpis) == any(card.card_id == "kpis" for card in data.cards)


def test_long_tables_print_their_first_rows_and_export_all_of_them(reader, filters):
    customers = len(raw_rows("customers.json"))
    assert customers > 50  # more than the explorer prints
    data = {card.card_id: dict(card.frames) for card in build_tab_data(reader, "segmentation", filters).cards}
    assert len(data["segment-explorer-grid"]["segmentation/segment_explorer_page"]) == customers
    assert len(data["clusters-profile"]["clustering/assignments"]) == customers  # every customer's cluster
    usage = {card.card_id: dict(card.frames) for card in build_tab_data(reader, "usage", filters).cards}
    assert len(usage["usage-profiles-grid"]["team_profiles/teams"]) == customers  # every team (account)
    report = build_tab_report(reader, "segmentation", filters)
    explorer = next(card for card in report.cards if card.chart_id == "segment-explorer-grid")
    html = str(to_html(explorer.body, lambda _figure: ""))
    assert html.count("<tr>") == 1 + 50  # the header and the 50 printed customers
    assert f"The first 50 of {customers} customers in view, highest lifetime value first" in html


@pytest.fixture(scope="module")
def tab_pdfs(reader, tmp_path_factory):
    """Each tab's PDF from its URL, by the function `customer-insight report` runs (the command itself is tested in
    tests/cli and tests/reports/test_pdf.py): in this process, so the five share one browser and its workers."""
    out = tmp_path_factory.mktemp("tabs")
    paths = {}
    for tab_id in NEW_TABS:
        url = f"http://host:8050/?tab={tab_id}" + (f"&customer={CUSTOMER}" if tab_id == "customer" else "")
        paths[tab_id] = out / f"{tab_id}.pdf"
        paths[tab_id].write_bytes(pdf_from_search(reader, url, "tab").pdf)
    return paths


@pytest.mark.parametrize("tab_id", NEW_TABS)
def test_the_pdf_of_each_newly_covered_tab_has_every_card_title(reader, filters, tab_pdfs, tab_id):
    text = pdf_text(tab_pdfs[tab_id]).lower()
    report = build_tab_report(reader, tab_id, filters, customer=customer_of(tab_id))
    for title in [card.title for card in report.cards] + [kpi.label for kpi in report.kpis]:
        assert " ".join(title.split()).lower() in text, title
    assert "not in this pdf yet" not in text and "could not be loaded" not in text


def test_the_account_report_lists_every_record_of_the_customer(tab_pdfs):
    layout = subprocess.run(["pdftotext", "-layout", str(tab_pdfs["customer"]), "-"], capture_output=True,
                            text=True, check=True).stdout
    records = layout.split("Records", 1)[1].split("Team and users", 1)[0]
    # one line starting with the record's date per row: the date cell does not wrap
    row = re.compile(r"^\s*\d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}\s+(?:Interaction|Review|Ticket)", re.M)
    assert len(row.findall(records)) == CUSTOMER_RECORDS
    assert f"Records 1–{CUSTOMER_RECORDS} of {CUSTOMER_RECORDS}, open tickets first" in layout
    pages = [page for page in records.split("\f") if row.search(page)]
    header = re.compile(r"Date\s+Source\s+What\s+Sentiment\s+Text")
    assert len(pages) >= 2 and all(len(header.findall(page)) == 1 for page in pages)  # repeated on every page
    assert CUSTOMER in layout and "Team and users" in layout


def test_the_account_reports_data_export_holds_every_record(reader, filters):
    data = {card.card_id: card for card in build_tab_data(reader, "customer", filters, customer=CUSTOMER).cards}
    frame = dict(data["customer-records"].frames)["customer/customer_timeline"]
    assert len(frame) == CUSTOMER_RECORDS
    assert sorted(frame["record_id"]) == sorted(
        str(row[key]) for name, key in zip(RECORD_FILES, ("interaction_id", "review_id", "ticket_id"), strict=True)
        for row in raw_rows(name) if row["customer_id"] == CUSTOMER)


def test_without_a_customer_the_account_report_exits_2_with_the_reason(data_dir, tmp_path):
    out = tmp_path / "account.pdf"  # the command in this process (cli_here); its process exits 2 in test_pdf.py
    result = cli_here(data_dir, "report", "--url", "http://x/?tab=customer&range=30d", "--out", str(out))
    assert result.exit_code == 2 and NO_CUSTOMER in result.stderr, result.stderr
    assert not out.exists()


def test_the_excel_export_and_an_unknown_customer_fail_the_same_way(reader):
    with pytest.raises(ReportError, match=re.escape(NO_CUSTOMER)):
        excel_from_search(reader, "?tab=customer")
    # an id that is not in the warehouse is dropped with the dashboard's notice, so it is the same error
    view = view_from_search(reader, "?tab=customer&customer=NOPE-1")
    assert view.customer is None and any("NOPE-1" in notice for notice in view.notices)
    with pytest.raises(ReportError, match=re.escape(NO_CUSTOMER)):
        build_tab_report(reader, "customer", view.filters, customer=view.customer)
    with pytest.raises(ReportError, match="'NOPE-1' is not in the warehouse"):  # a direct call with that id
        build_tab_data(reader, "customer", view.filters, customer="NOPE-1")
