"""PDF reports through the real parts: a DuckDB warehouse loaded from the 100-customer sample by the CLI,
the `customer-insight report` command, WeasyPrint, kaleido + Chromium; the PDF read back with poppler."""

from __future__ import annotations

import base64
import json
import subprocess

import pytest

from dashapp.tabs import overview
from reports.content import registry, tab_module
from tests.etl.conftest import run_cli
from warehouse.filters import Filters
from warehouse.reader import WarehouseReader

COVERED_TABS = ["overview", "sentiment", "support", "product"]


@pytest.fixture(scope="module")
def overview_pdf(data_dir, tmp_path_factory):
    out = tmp_path_factory.mktemp("pdf") / "overview.pdf"
    result = run_cli(data_dir, "report", "--url", "http://host:8050/?tab=overview&risk=High&nope=1", "--out", str(out))
    return out, result


def pdf_text(path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


def test_the_pdf_prints_tab_filters_and_the_tabs_kpi_values(data_dir, overview_pdf):
    path, result = overview_pdf
    assert "Unknown filter 'nope' ignored." in result.stderr  # the dashboard's notice, on stderr
    text = pdf_text(path)
    assert "Overview" in text and "Churn risk: High" in text
    assert "Sentiment trend" in text and "Customers by churn risk" in text
    # the Overview KPI query for the same filters ("all time" = the data's bounds), read here directly
    reader = WarehouseReader(data_dir / "warehouse.duckdb")
    first, last = reader.date_bounds()
    row = reader.query("overview/kpis", Filters(date_from=first, date_to=last, churn_risks=("High",))).iloc[0]
    for _label, column, fmt, _better in overview.KPIS.values():
        assert fmt.format(row[column]) in text, column
    assert f"Data up to {last:%d %b %Y}" in text


def test_the_pdf_has_page_numbers_and_vector_charts(overview_pdf):
    path, _result = overview_pdf
    text = pdf_text(path)
    pages = int(subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True,
                               check=True).stdout.split("Pages:")[1].split()[0])
    assert all(f"page {n} of {pages}" in text for n in range(1, pages + 1))
    listing = subprocess.run(["pdfimages", "-list", str(path)], capture_output=True, text=True, check=True).stdout
    assert listing.strip().splitlines()[2:] == []  # no raster image: the charts are SVG drawn as vectors


def test_an_unknown_tab_or_a_missing_warehouse_exits_2(data_dir, tmp_path):
    result = run_cli(data_dir, "report", "--url", "http://x/?tab=nosuch", "--out", str(tmp_path / "r.pdf"),
                     check=False)
    assert result.returncode == 2 and "unknown tab 'nosuch'" in result.stderr
    assert not (tmp_path / "r.pdf").exists()
    result = run_cli(tmp_path / "empty", "report", "--url", "?tab=overview", "--out", str(tmp_path / "r.pdf"),
                     check=False)
    assert result.returncode == 2 and "no warehouse" in result.stderr


@pytest.mark.parametrize("tab_id", COVERED_TABS)
def test_every_card_of_the_issue_3_tabs_is_in_the_registry(data_dir, tab_id):
    items, ids = registry(WarehouseReader(data_dir / "warehouse.duckdb"), tab_module(tab_id))
    assert ids and all("build" in items[i] or "texts" in items[i] for i in ids), ids
    assert all(items[i].get("title") or items[i].get("label") for i in ids)



def tab_pdf_request(search: str) -> dict:
    """The Dash callback request a browser sends for "Download PDF" → this tab, on the page of `search`."""
    return {
        "output": "..report-download.data...report-error.children..",
        "outputs": [{"id": "report-download", "property": "data"}, {"id": "report-error", "property": "children"}],
        "inputs": [{"id": "report-pdf", "property": "n_clicks", "value": 1},
                   {"id": "report-full", "property": "n_clicks", "value": None},
                   {"id": "report-executive", "property": "n_clicks", "value": None},
                   {"id": "report-activity", "property": "n_clicks", "value": None}],
        "changedPropIds": ["report-pdf.n_clicks"],
        "state": [{"id": "url", "property": "search", "value": search}],
    }


def test_the_download_button_sends_the_pdf_of_the_url_state(data_dir):
    from config.settings import load_settings
    from dashapp.app import create_app

    app = create_app(load_settings({"CUSTOMER_INSIGHT_DATA_DIR": str(data_dir)}))
    response = app.server.test_client().post("/_dash-update-component", json=tab_pdf_request("?tab=support&risk=High"))
    assert response.status_code == 200, response.data[:500]
    download = json.loads(response.data)["response"]["report-download"]["data"]
    assert download["filename"].startswith("customer-insight-support-") and download["base64"]
    assert base64.b64decode(download["content"])[:5] == b"%PDF-"
