"""The report bar in a real browser (gunicorn + headless Chromium, the PRD-sample warehouse): the PDF menu downloads
the PDF of the view, "Download Excel" the workbook, "Export data" lists the tab's cards with CSV links that
download, "Share" gives a short link that reopens the same view, "Schedule" opens its dialog."""

from __future__ import annotations

import io
import re
from pathlib import Path

import openpyxl
import pytest

from tests.e2e.conftest import browse

SHOTS = Path("/tmp/customer-insight-screens")
VIEW = "?tab=support&risk=High"


@pytest.fixture(scope="module")
def server(prd100_server):
    return prd100_server  # tests/e2e/conftest.py: the PRD sample's server, shared with the other module that reads it


def open_support(browser, url: str):
    context, page, errors = browse(browser, url)
    page.wait_for_selector("#support-volume .main-svg", timeout=30_000)
    return context, page, errors


def test_pdf_excel_and_csv_downloads_of_the_view(server, browser, tmp_path):
    context, page, errors = open_support(browser, server + VIEW)
    page.click("#report-menu")
    with page.expect_download(timeout=60_000) as pdf:
        page.click("#report-pdf")
    assert pdf.value.suggested_filename.startswith("customer-insight-support-")
    assert Path(pdf.value.path()).read_bytes()[:5] == b"%PDF-"
    with page.expect_download(timeout=60_000) as xlsx:
        page.click("#report-xlsx")
    assert xlsx.value.suggested_filename.endswith(".xlsx")
    book = openpyxl.load_workbook(io.BytesIO(Path(xlsx.value.path()).read_bytes()))
    about = [value for row in book["About"].iter_rows(values_only=True) for value in row]
    assert book.sheetnames[0] == "About" and len(book.sheetnames) > 2 and "Churn risk: High" in about
    page.click("#export-open")
    page.wait_for_selector("#export-card-links a", timeout=30_000)
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / "export-dialog.png"))
    with page.expect_download(timeout=60_000) as csv:
        page.locator("#export-card-links a").first.click()
    assert csv.value.suggested_filename.endswith(".csv")
    assert Path(csv.value.path()).read_bytes()[:3] == b"\xef\xbb\xbf"  # UTF-8 BOM: Excel reads the accents right
    assert errors == []
    context.close()


def test_share_gives_a_short_link_that_reopens_the_view(server, browser):
    context, page, errors = open_support(browser, server + VIEW)
    page.click("#share-open")
    page.wait_for_function("() => { const e = document.querySelector('#share-short'); "
                           "return e && e.value.includes('/s/'); }")
    short = page.input_value("#share-short")
    page.screenshot(path=str(SHOTS / "share-dialog.png"))
    context.close()
    context, page, errors = open_support(browser, short)  # a fresh browser: nothing but the link
    assert page.url.endswith(VIEW)
    assert "Churn risk: High" in page.locator("#filter-chips").inner_text()
    assert page.locator("#tabs .nav-link.active").inner_text() == "Support"
    page.click("#schedule-open")
    page.wait_for_selector("#schedule-to", state="visible", timeout=10_000)
    assert page.is_enabled("#schedule-day")  # weekly by default: the day applies
    page.locator("#schedule-every label", has_text=re.compile(r"^day$")).click()
    page.wait_for_function("() => document.querySelector('#schedule-day').disabled")
    assert errors == []
    context.close()
