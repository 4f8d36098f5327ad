"""Excel and CSV exports through the real parts: the 100-customer sample warehouse loaded by the CLI, the
`customer-insight report --format xlsx|csv` command, XlsxWriter; the workbook read back with openpyxl."""

from __future__ import annotations

import io
import json

import openpyxl
import pandas as pd
import pytest
import xlsxwriter

from reports.content import build_tab_data
from reports.excel import SheetNames, write_frame
from tests.etl.conftest import run_cli
from tests.reports.conftest import cli_here
from warehouse.filters import Filters

URL = "http://host:8050/?tab=overview&risk=High"


@pytest.fixture(scope="module")
def filters(reader):
    first, last = reader.date_bounds()  # the URL has no range: "all time" = the data's bounds
    return Filters(date_from=first, date_to=last, churn_risks=("High",))


@pytest.fixture(scope="module")
def overview_xlsx(data_dir, tmp_path_factory):
    out = tmp_path_factory.mktemp("xlsx") / "overview.xlsx"  # the format from the suffix
    run_cli(data_dir, "report", "--url", URL, "--out", str(out))
    return out


def about_rows(book) -> list[list]:
    return [list(row) for row in book["About"].iter_rows(values_only=True)]


def assert_sheet_equals(sheet, expected: pd.DataFrame) -> None:
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == [str(c) for c in expected.columns]
    assert len(rows) - 1 == len(expected)
    for got_row, (_i, want_row) in zip(rows[1:], expected.iterrows(), strict=True):
        for got, want in zip(got_row, want_row.tolist(), strict=True):
            if want is None or (not isinstance(want, str) and pd.isna(want)):
                assert got is None
            elif isinstance(want, pd.Timestamp):
                assert pd.Timestamp(got) == want.tz_localize(None)
            elif isinstance(want, int | float) or hasattr(want, "dtype"):
                assert got == pytest.approx(float(want))
            else:
                assert got == str(want)


def test_each_sheet_holds_the_cards_query_result_for_the_filters(overview_xlsx, reader, filters):
    book = openpyxl.load_workbook(overview_xlsx)
    grain = filters.time_grain()
    expected = {  # the Overview cards' queries, read here directly
        ("kpis", "overview/kpis"): [reader.query("overview/kpis", filters),
                                    reader.query("overview/kpis", filters.previous_period(*reader.date_bounds()))],
        ("overview-trend", "overview/sentiment_trend"): [reader.query("overview/sentiment_trend", filters,
                                                                      grain=grain)],
        ("overview-overall", "overview/customers_by_overall_sentiment"): [
            reader.query("overview/customers_by_overall_sentiment", filters)],
        ("overview-churn", "overview/customers_by_churn_risk"): [
            reader.query("overview/customers_by_churn_risk", filters)],
    }
    rows = about_rows(book)
    start = next(i for i, row in enumerate(rows) if row[:5] == ["Sheet", "Card", "Card id", "Query", "Rows"])
    listed = [row for row in rows[start + 1:] if row[2]]
    assert sorted({(row[2], row[3]) for row in listed}) == sorted(expected)
    seen: dict[tuple[str, str], int] = {}
    for sheet_name, _card, card_id, query, count in listed:
        index = seen[(card_id, query)] = seen.get((card_id, query), -1) + 1
        want = expected[(card_id, query)][index]
        assert count == len(want)
        assert_sheet_equals(book[sheet_name], want)
    assert book.sheetnames[0] == "About" and len(book.sheetnames) == 1 + len(listed)
    trend = book[next(r[0] for r in listed if r[2] == "overview-trend")]
    assert trend["A2"].is_date  # dates as Excel dates, not text


def test_the_about_sheet_lists_tab_dates_and_filters(overview_xlsx, filters):
    rows = about_rows(openpyxl.load_workbook(overview_xlsx))
    values = [v for row in rows for v in row if v is not None]
    assert "Overview" in values and "Churn risk: High" in values
    assert f"{filters.date_from:%d %b %Y} – {filters.date_to:%d %b %Y}" in values
    assert any(row[0] == "Data up to" and row[1].date() == filters.date_to for row in rows)


def test_card_sheets_have_a_frozen_bold_header_an_autofilter_and_number_formats(overview_xlsx):
    book = openpyxl.load_workbook(overview_xlsx)
    for name in book.sheetnames[1:]:
        sheet = book[name]
        assert len(name) <= 31 and not set(name) & set("[]:*?/\\")
        assert sheet.freeze_panes == "A2"
        assert sheet.auto_filter.ref == f"A1:{sheet.cell(1, sheet.max_column).column_letter}{sheet.max_row}"
        assert sheet["A1"].font.b
    churn = book[next(n for n in book.sheetnames if "churn risk" in n.lower())]
    counts = [c for c in churn[2] if isinstance(c.value, int | float)]
    assert counts and all(c.number_format == "#,##0" for c in counts)


def test_formula_looking_text_is_written_as_text_never_as_a_formula(tmp_path):
    frame = pd.DataFrame({"note": ["=1+1", "@SUM(A1)", "=cmd|' /C calc'!A0", "-x", "plain"], "n": [1, 2, 3, 4, 5]})
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    write_frame(book, book.add_worksheet("data"), frame)
    book.close()
    sheet = openpyxl.load_workbook(io.BytesIO(buffer.getvalue()))["data"]
    cells = [sheet.cell(row, 1) for row in range(2, 7)]
    assert [c.value for c in cells] == frame["note"].tolist()
    assert all(c.data_type == "s" for c in cells)  # "s": a string; a formula would be "f"
    from reports.excel import csv_bytes

    text = csv_bytes(frame).decode("utf-8-sig")
    assert "'=1+1" in text and "'@SUM(A1)" in text and "'-x" in text and "'plain" not in text


def test_sheet_names_are_excel_safe_and_unique():
    names = SheetNames()
    made = [names.add(n) for n in ["About", "about", "a/b:c*d?[e]\\f", "x" * 40, "x" * 40, "History"]]
    assert made[1] == "about (2)" and made[2] == "a-b-c-d--e--f" and made[5] == "History (2)"
    assert all(len(n) <= 31 for n in made) and len({n.lower() for n in made}) == len(made)


def test_the_csv_of_a_card_is_its_query_result(data_dir, reader, filters, tmp_path):
    out = tmp_path / "churn.csv"  # the command in this process (cli_here); the installed one: overview_xlsx above
    cli_here(data_dir, "report", "--url", URL, "--out", str(out), "--card", "overview-churn", check=True)
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    got = pd.read_csv(out, encoding="utf-8-sig")
    want = reader.query("overview/customers_by_churn_risk", filters)
    pd.testing.assert_frame_equal(got, want.reset_index(drop=True), check_dtype=False)
    previous = tmp_path / "kpis.csv"
    cli_here(data_dir, "report", "--url", URL, "--out", str(previous), "--format", "csv", "--card", "kpis:2",
             check=True)
    want = reader.query("overview/kpis", filters.previous_period(*reader.date_bounds()))
    pd.testing.assert_frame_equal(pd.read_csv(previous, encoding="utf-8-sig"), want.reset_index(drop=True),
                                  check_dtype=False)


def test_an_unknown_card_exits_2(data_dir, tmp_path):
    out = tmp_path / "x.csv"
    result = cli_here(data_dir, "report", "--url", URL, "--out", str(out), "--card", "nosuch")
    assert result.exit_code == 2 and "unknown card 'nosuch'" in result.stderr and "overview-churn" in result.stderr
    assert not out.exists()
    result = cli_here(data_dir, "report", "--url", URL, "--out", str(out))
    assert result.exit_code == 2 and "--card" in result.stderr


def test_every_covered_tab_exports_its_cards_data(reader, filters):
    for tab_id in ["sentiment", "support", "product"]:
        data = build_tab_data(reader, tab_id, filters)
        assert data.cards and all(c.frames and not c.error for c in data.cards), tab_id


def test_the_download_excel_button_links_to_the_workbook_of_the_url_state(data_dir):
    from config.settings import load_settings
    from dashapp.app import create_app

    app = create_app(load_settings({"CUSTOMER_INSIGHT_DATA_DIR": str(data_dir)}))
    payload = {
        "output": "report-xlsx.href", "outputs": {"id": "report-xlsx", "property": "href"},
        "inputs": [{"id": "url", "property": "search", "value": "?tab=support&risk=High"}],
        "changedPropIds": ["url.search"],
    }
    client = app.server.test_client()
    response = client.post("/_dash-update-component", json=payload)
    assert response.status_code == 200, response.data[:500]
    href = json.loads(response.data)["response"]["report-xlsx"]["href"]
    assert href == "/export/view.xlsx?tab=support&risk=High"
    download = client.get(href)
    assert download.status_code == 200
    disposition = download.headers["Content-Disposition"]
    assert "customer-insight-support-" in disposition and disposition.endswith('.xlsx"')
    book = openpyxl.load_workbook(io.BytesIO(download.data))
    assert book.sheetnames[0] == "About" and len(book.sheetnames) > 2
    assert "Churn risk: High" in [value for row in about_rows(book) for value in row]
