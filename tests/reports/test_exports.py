"""Full-table and raw-record exports (reports/exports.py, sql/queries/exports/, cli/export.py) through the real parts:
the 100-customer PRD sample loaded by the CLI (counts checked against the raw JSON files), and a small warehouse
built from hand-written rows for what the sample lacks (usage events, users, orders, formula-looking text), whose
numbers are worked out by hand below.

HAND warehouse. Teams (lifetime value -> value segment): A 1500 High Value, B 100 Low Value, C 600 Medium Value.
    usage events  E1 a1/A 2024-03-01 search 3     E2 a1/A 2024-03-05 export (count missing -> 1)
                  E3 a1/A 2024-02-29 search 0     E4 a2/A 2024-03-02 share 2
                  E5 b1/B 2024-03-03 search 1     E6 c1/C 2024-02-28 search 4
    users         a1 "Ann", a2 "=cmd|' /C calc'!A0" (a formula-looking name), b1 "Bo" (c1 is only in the events)
    orders        O1 A 2024-03-01 100.0   O2 A 2024-03-10 -20.0 (refund)   O3 B 2024-03-15 50.0   O4 C 2024-01-01 10.0
    tickets       T1 A 2024-03-02 "=HYPERLINK(""http://x"",""click"")"   T2 A 2024-03-03 "+1 call me"
                  T3 B 2024-03-04 "@SUM(A1)"   T4 B 2024-03-05 "-2 refund please"   T5 C 2024-03-06 "plain text"
    interactions I1 A 2024-03-01 call "=1+1"   I2 B 2024-03-02 email "fine"
March 2024: usage E1 E2 E4 E5 (4 rows), of team A E1 E2 E4 (3), of user a1 E1 E2 (2); orders O1 O2 O3 (3).
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date

import duckdb
import openpyxl
import pandas as pd
import pytest
import sqlglot

from cli.export import DATASET_NAMES
from dashapp.tabs import product, support
from reports.content import build_tab_data
from reports.excel import MAX_ROWS, workbook_bytes
from reports.exports import DATASETS, ExportError, raw_csv, raw_export, raw_workbook, use_full_tables
from tests.etl.conftest import SAMPLES, run_cli
from tests.reports.conftest import cli_here
from tests.warehouse.builder import build_warehouse, customer
from warehouse.filters import Filters
from warehouse.queries import to_duckdb_parameters
from warehouse.reader import WarehouseReader
from warehouse.sqlfiles import SQL_DIR, read_sql
from warehouse.stream import query_chunks

SAMPLE = SAMPLES / "prd_raw_100"
MARCH = ("2024-03-01", "2024-03-31")
MARCH_FILTERS = Filters(date(2024, 3, 1), date(2024, 3, 31))
HOSTILE = ['=HYPERLINK("http://x","click")', "+1 call me", "@SUM(A1)", "-2 refund please"]


def build_export_warehouse(path) -> WarehouseReader:
    def ticket(ticket_id, team, day, text):
        return {"ticket_id": ticket_id, "customer_id": team, "ticket_date": day, "ticket_category": "billing",
                "ticket_description": text, "ticket_status": "open", "priority_level": "Low", "sentiment_score": 0.0}

    def event(user, team, day, feature, count):
        return {"user_id": user, "customer_id": team, "event_date": day, "feature_name": feature,
                "events_count": count}

    build_warehouse(
        path,
        [customer("A", 1500, customer_name="Alpha"), customer("B", 100, customer_name="Beta"),
         customer("C", 600, customer_name="Gamma")],
        interactions=[{"interaction_id": "I1", "customer_id": "A", "interaction_date": "2024-03-01",
                       "interaction_type": "call", "interaction_notes": "=1+1", "sentiment_score": 0.1},
                      {"interaction_id": "I2", "customer_id": "B", "interaction_date": "2024-03-02",
                       "interaction_type": "email", "interaction_notes": "fine", "sentiment_score": 0.2}],
        tickets=[ticket("T1", "A", "2024-03-02", HOSTILE[0]), ticket("T2", "A", "2024-03-03", HOSTILE[1]),
                 ticket("T3", "B", "2024-03-04", HOSTILE[2]), ticket("T4", "B", "2024-03-05", HOSTILE[3]),
                 ticket("T5", "C", "2024-03-06", "plain text")],
        usage_events=[event("a1", "A", "2024-03-01", "search", 3), event("a1", "A", "2024-03-05", "export", None),
                      event("a1", "A", "2024-02-29", "search", 0), event("a2", "A", "2024-03-02", "share", 2),
                      event("b1", "B", "2024-03-03", "search", 1), event("c1", "C", "2024-02-28", "search", 4)],
        users=[{"user_id": "a1", "customer_id": "A", "user_name": "Ann", "join_date": "2024-01-01"},
               {"user_id": "a2", "customer_id": "A", "user_name": "=cmd|' /C calc'!A0", "join_date": "2024-01-01"},
               {"user_id": "b1", "customer_id": "B", "user_name": "Bo", "join_date": "2024-01-01"}],
        orders=[{"order_id": "O1", "customer_id": "A", "order_date": "2024-03-01", "amount": 100.0, "quantity": 1},
                {"order_id": "O2", "customer_id": "A", "order_date": "2024-03-10", "amount": -20.0, "quantity": 1},
                {"order_id": "O3", "customer_id": "B", "order_date": "2024-03-15", "amount": 50.0, "quantity": 2},
                {"order_id": "O4", "customer_id": "C", "order_date": "2024-01-01", "amount": 10.0, "quantity": 1}],
    ).close()
    return WarehouseReader(path)


@pytest.fixture(scope="module")
def hand(tmp_path_factory):
    reader = build_export_warehouse(tmp_path_factory.mktemp("exports-hand") / "w.duckdb")
    yield reader
    reader.close()


@pytest.fixture(scope="module")
def sample(data_dir):
    reader = WarehouseReader(data_dir / "warehouse.duckdb")
    yield reader
    reader.close()


def csv_frame(reader, export) -> pd.DataFrame:
    data = b"".join(raw_csv(reader, export))
    assert data.startswith(b"\xef\xbb\xbf")
    return pd.read_csv(io.BytesIO(data), encoding="utf-8-sig", dtype=str, keep_default_na=False)


def plain(frame: pd.DataFrame) -> pd.DataFrame:
    """Values only: a column with no value at all is object-typed on a page and string-typed in the export."""
    return frame.astype(object).where(frame.notna(), None)


def raw_records(name: str) -> list[dict]:
    return json.loads((SAMPLE / name).read_text(encoding="utf-8"))


# ---------------------------------------------------------------- raw records: counts from the sample's own files

SAMPLE_FILES = {"interactions": ("customer_interactions.json", "interaction_date", "interaction_id"),
                "tickets": ("support_tickets.json", "ticket_date", "ticket_id"),
                "reviews": ("product_reviews.json", "review_date", "review_id")}


@pytest.mark.parametrize("dataset", sorted(SAMPLE_FILES))
def test_raw_exports_hold_the_sample_files_records_for_teams_period_and_filters(sample, dataset, data_dir):
    file_name, date_key, id_key = SAMPLE_FILES[dataset]
    records = raw_records(file_name)
    # all time, no filter: every record of the file
    got = csv_frame(sample, raw_export(sample, dataset))
    assert sorted(got[id_key]) == sorted(r[id_key] for r in records)
    # a period and three teams: counted in the file
    teams = ["CUST-001", "CUST-004", "CUST-076"]
    start, end = "2024-11-01", "2025-01-31"
    want = sorted(r[id_key] for r in records if r["customer_id"] in teams and start <= r[date_key][:10] <= end)
    got = csv_frame(sample, raw_export(sample, dataset, "", teams, (), start, end))
    assert want and sorted(got[id_key]) == want
    assert set(got["customer_id"]) <= set(teams)
    # the sidebar's churn-risk filter: its customers read from the warehouse's dimension table, records from the file
    with duckdb.connect(str(data_dir / "warehouse.duckdb"), read_only=True) as con:
        high = {row[0] for row in con.execute(
            "select customer_id from analytics.customer_dimensions where churn_risk = 'High'").fetchall()}
    want = sorted(r[id_key] for r in records if r["customer_id"] in high)
    got = csv_frame(sample, raw_export(sample, dataset, "?tab=support&risk=High"))
    assert want and sorted(got[id_key]) == want


def test_the_interaction_type_filter_applies_to_interactions(sample):
    records = raw_records("customer_interactions.json")
    kind = records[0]["interaction_type"]
    got = csv_frame(sample, raw_export(sample, "interactions", f"?type={kind}"))
    assert sorted(got["interaction_id"]) == sorted(r["interaction_id"] for r in records
                                                   if r["interaction_type"] == kind)
    assert len(got) < len(records)


def test_the_period_defaults_to_the_urls_date_range_and_the_file_name_says_it(sample):
    export = raw_export(sample, "tickets", "http://host/?tab=support&from=2024-12-01&to=2024-12-31")
    assert (export.filters.date_from, export.filters.date_to) == (date(2024, 12, 1), date(2024, 12, 31))
    assert export.file_name("csv") == "customer-insight-tickets-2024-12-01-2024-12-31.csv"
    want = sum(1 for r in raw_records("support_tickets.json") if "2024-12-01" <= r["ticket_date"][:10] <= "2024-12-31")
    assert len(csv_frame(sample, export)) == want > 0


# ---------------------------------------------------------------- full tables

def test_the_ticket_export_has_every_ticket_and_starts_with_the_tables_pages(sample):
    filters = Filters(*sample.date_bounds())
    full = pd.concat(query_chunks(sample, "exports/tickets_table", filters), ignore_index=True)
    assert len(full) == len(raw_records("support_tickets.json")) > support.REPORT_TICKETS  # 200 > 50
    for page in (0, 1):  # the table's own query, as its callback calls it (default sort, PAGE_SIZE rows)
        shown = sample.query("support/ticket_page", filters, sort_column=support.DEFAULT_SORT[0],
                             sort_direction=support.DEFAULT_SORT[1], page_size=support.PAGE_SIZE,
                             offset=page * support.PAGE_SIZE)
        assert int(shown["tickets_in_view"].iloc[0]) == len(full)
        rows = full.iloc[page * support.PAGE_SIZE:(page + 1) * support.PAGE_SIZE].reset_index(drop=True)
        pd.testing.assert_frame_equal(plain(rows), plain(shown.drop(columns="tickets_in_view")))


def test_the_review_export_has_every_review_and_starts_with_the_tables_first_page(sample):
    filters = Filters(*sample.date_bounds())
    full = pd.concat(query_chunks(sample, "exports/reviews_table", filters), ignore_index=True)
    frame, _offset, _pages = product.reviews_page(sample, filters, 1)
    assert len(full) == int(frame["total_reviews"].iloc[0]) == len(raw_records("product_reviews.json"))
    pd.testing.assert_frame_equal(plain(full.head(product.PAGE_SIZE)), plain(frame.drop(columns="total_reviews")))


def test_the_support_workbook_holds_every_filtered_ticket(data_dir, tmp_path):
    out = tmp_path / "support.xlsx"  # the report command, in this process (cli_here): its file, not its process
    cli_here(data_dir, "report", "--url", "http://h/?tab=support&from=2024-11-01&to=2025-02-28", "--out", str(out),
             check=True)
    book = openpyxl.load_workbook(out, read_only=True)
    about = [list(r) for r in book["About"].iter_rows(values_only=True)]
    listed = next(r for r in about if r[2] == "support-tickets")
    want = sorted(r["ticket_id"] for r in raw_records("support_tickets.json")
                  if "2024-11-01" <= r["ticket_date"][:10] <= "2025-02-28")
    assert listed[3] == "exports/tickets_table" and listed[4] == len(want) > support.REPORT_TICKETS
    assert "every row that matches the filters" in listed[5]
    rows = list(book[listed[0]].iter_rows(values_only=True))
    assert rows[0][:2] == ("ticket_id", "ticket_date") and sorted(r[0] for r in rows[1:]) == want
    csv_out = tmp_path / "tickets.csv"
    cli_here(data_dir, "report", "--url", "http://h/?tab=support&from=2024-11-01&to=2025-02-28", "--out",
             str(csv_out), "--card", "support-tickets", check=True)
    assert sorted(pd.read_csv(csv_out, encoding="utf-8-sig")["ticket_id"]) == want


def test_a_table_longer_than_the_sheet_is_cut_with_a_note(sample):
    filters = Filters(*sample.date_bounds())
    data = build_tab_data(sample, "support", filters)
    notes = use_full_tables(sample, data, filters, max_rows=30)
    card = next(c for c in data.cards if c.card_id == "support-tickets")
    assert len(card.frames) == 1 and len(card.frames[0][1]) == 30
    assert "only the first 30 are here" in notes["support-tickets"]
    book = openpyxl.load_workbook(io.BytesIO(workbook_bytes(data, filters, filters.date_to, notes)))
    about = [list(r) for r in book["About"].iter_rows(values_only=True)]
    assert any(r[2] == "support-tickets" and r[4] == 30 and "only the first 30" in r[5] for r in about)
    assert MAX_ROWS == 1_048_575  # the default cap: Excel's rows less the header


# ---------------------------------------------------------------- raw records: usage, users, orders (by hand)

@pytest.mark.parametrize(("kwargs", "want"), [
    ({}, ["E1", "E2", "E3", "E4", "E5", "E6"]),
    ({"date_from": MARCH[0], "date_to": MARCH[1]}, ["E1", "E2", "E4", "E5"]),
    ({"teams": ["A"]}, ["E1", "E2", "E3", "E4"]),
    ({"teams": ["A"], "date_from": MARCH[0], "date_to": MARCH[1]}, ["E1", "E2", "E4"]),
    ({"users": ["a1"]}, ["E1", "E2", "E3"]),
    ({"users": ["a1"], "date_from": MARCH[0], "date_to": MARCH[1]}, ["E1", "E2"]),
    ({"search": "?segment=Low+Value"}, ["E5"]),
    ({"search": "?segment=High+Value", "teams": ["B"]}, []),  # the customer filters still choose the teams
])
def test_usage_events_by_team_user_period_and_filters(hand, kwargs, want):
    keys = {("a1", "2024-03-01"): "E1", ("a1", "2024-03-05"): "E2", ("a1", "2024-02-29"): "E3",
            ("a2", "2024-03-02"): "E4", ("b1", "2024-03-03"): "E5", ("c1", "2024-02-28"): "E6"}
    got = csv_frame(hand, raw_export(hand, "usage", **kwargs))
    assert sorted(keys[(u, d[:10])] for u, d in zip(got["user_id"], got["event_date"], strict=True)) == want


def test_usage_rows_carry_names_and_the_default_count(hand):
    got = csv_frame(hand, raw_export(hand, "usage", teams=["A"])).set_index("feature_name", drop=False)
    assert got.loc["export", "events_count"] == "1"  # missing in the source: the contract's 1
    # a2's formula-looking name is quote-prefixed in CSV, like any text
    assert sorted(got["user_name"]) == sorted(["Ann", "Ann", "Ann", "'=cmd|' /C calc'!A0"])
    assert set(got["customer_name"]) == {"Alpha"}


def test_orders_by_team_and_period_keep_refunds_as_numbers(hand):
    march = csv_frame(hand, raw_export(hand, "orders", date_from=MARCH[0], date_to=MARCH[1]))
    assert sorted(march["order_id"]) == ["O1", "O2", "O3"]
    team_a = csv_frame(hand, raw_export(hand, "orders", teams=["A"]))
    assert sorted(team_a["order_id"]) == ["O1", "O2"]
    assert sum(float(v) for v in team_a["amount"]) == 80.0  # a negative amount is a number, never quote-prefixed


def test_formula_looking_text_is_quoted_in_csv_and_text_in_excel(hand, tmp_path):
    export = raw_export(hand, "tickets")
    text = b"".join(raw_csv(hand, export)).decode("utf-8-sig")
    rows = {r["ticket_id"]: r["ticket_description"] for r in csv.DictReader(io.StringIO(text))}
    assert rows == {"T1": "'" + HOSTILE[0], "T2": "'" + HOSTILE[1], "T3": "'" + HOSTILE[2],
                    "T4": "'" + HOSTILE[3], "T5": "plain text"}
    out = tmp_path / "tickets.xlsx"
    written, left_out = raw_workbook(hand, export, str(out))
    assert (written, left_out) == (5, False)
    sheet = openpyxl.load_workbook(out)["Tickets"]
    header = [c.value for c in sheet[1]]
    column = header.index("ticket_description") + 1
    cells = {sheet.cell(r, 1).value: sheet.cell(r, column) for r in range(2, 7)}
    assert {k: c.value for k, c in cells.items()} == {"T1": HOSTILE[0], "T2": HOSTILE[1], "T3": HOSTILE[2],
                                                      "T4": HOSTILE[3], "T5": "plain text"}
    assert all(c.data_type == "s" for c in cells.values())  # strings, never formulas ("f")
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref == f"A1:{sheet.cell(1, len(header)).column_letter}6"
    assert sheet["A1"].font.b and sheet.cell(2, header.index("ticket_date") + 1).is_date


def test_an_excel_export_longer_than_the_cap_says_so(hand, tmp_path):
    out = tmp_path / "usage.xlsx"
    assert raw_workbook(hand, raw_export(hand, "usage"), str(out), max_rows=4) == (4, True)
    book = openpyxl.load_workbook(out)
    assert book["Usage events"].max_row == 5
    about = {r[0]: r[1] for r in book["About"].iter_rows(values_only=True) if r[0]}
    assert about["Rows"] == 4 and "only the first 4" in about["Note"]


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"dataset": "passwords"}, "unknown dataset"),
    ({"dataset": "tickets", "users": ["a1"]}, "usage events only"),
    ({"dataset": "usage", "teams": ["Z"]}, "unknown team(s): 'Z'"),
    ({"dataset": "usage", "teams": ["B"], "users": ["a1"]}, "unknown user(s) of the chosen team(s): 'a1'"),
    ({"dataset": "usage", "date_from": "2024-02-30"}, "start of the period: '2024-02-30' is not a date"),
    ({"dataset": "usage", "date_to": "March"}, "end of the period: 'March' is not a date"),
    ({"dataset": "usage", "date_from": "2024-03-02", "date_to": "2024-03-01"}, "ends (2024-03-01) before it starts"),
    ({"dataset": "usage", "teams": [f"T{i}" for i in range(201)]}, "at most 200 teams"),
    ({"dataset": "usage", "search": "?tab=nope"}, "unknown tab"),
])
def test_bad_requests_say_what_is_wrong(hand, kwargs, message):
    with pytest.raises(ExportError, match=message.replace("(", r"\(").replace(")", r"\)")):
        raw_export(hand, **kwargs)


# ---------------------------------------------------------------- the CLI

def test_cli_export_writes_csv_and_excel_and_exits_2_on_bad_input(data_dir, tmp_path):
    assert list(DATASETS) == DATASET_NAMES  # the CLI's choices are the datasets
    out = tmp_path / "tickets.csv"
    result = run_cli(data_dir, "export", "--dataset", "tickets", "--team", "CUST-076", "--team", "CUST-004",
                     "--from", "2024-10-01", "--to", "2025-03-31", "--out", str(out))
    want = sorted(r["ticket_id"] for r in raw_records("support_tickets.json")
                  if r["customer_id"] in ("CUST-076", "CUST-004"))
    assert sorted(pd.read_csv(out, encoding="utf-8-sig")["ticket_id"]) == want
    assert f"Tickets: {len(want)} rows" in result.stdout
    xlsx = tmp_path / "reviews.xlsx"
    run_cli(data_dir, "export", "--dataset", "reviews", "--url", "http://h/?tab=product&risk=High",
            "--out", str(xlsx))
    assert openpyxl.load_workbook(xlsx).sheetnames == ["About", "Reviews"]
    # the refusals through the same command in this process (click's runner): no Python start-up each
    for args, message in [
        (["--dataset", "tickets", "--from", "01/02/2024"], "is not a date"),
        (["--dataset", "tickets", "--team", "NOPE"], "unknown team"),
        (["--dataset", "orders", "--user", "u1"], "usage events only"),
        (["--dataset", "tickets", "--out-format-typo"], "No such option"),
        (["--dataset", "bogus"], "Invalid value for '--dataset'"),
    ]:
        bad = tmp_path / "bad.csv"
        result = cli_here(data_dir, "export", *args, "--out", str(bad))
        assert result.exit_code == 2 and message in result.stderr, result.stderr
        assert not bad.exists() and not list(tmp_path.glob(".*partial"))
    result = cli_here(data_dir, "export", "--dataset", "tickets", "--out", str(tmp_path / "x.pdf"))
    assert result.exit_code == 2 and ".csv or .xlsx" in result.stderr
    result = cli_here(tmp_path / "empty", "export", "--dataset", "tickets", "--out", str(out))
    assert result.exit_code == 2 and "no warehouse" in result.stderr


@pytest.mark.parametrize("name", sorted(p.stem for p in (SQL_DIR / "queries" / "exports").glob("*.sql")))
def test_export_queries_translate_to_postgres_and_snowflake(name):
    sql = to_duckdb_parameters(read_sql(f"queries/exports/{name}.sql"))
    for dialect in ("postgres", "snowflake"):
        sqlglot.transpile(sql, read="duckdb", write=dialect, unsupported_level=sqlglot.ErrorLevel.RAISE)


def test_query_chunks_give_the_columns_even_without_rows_and_check_parameters(hand):
    empty = list(query_chunks(hand, "exports/orders", MARCH_FILTERS, team_ids=["Z"]))
    assert len(empty) == 1 and empty[0].empty
    assert list(empty[0].columns) == ["order_id", "order_date", "customer_id", "customer_name", "product_id",
                                      "quantity", "amount"]
    rows = pd.concat(query_chunks(hand, "exports/orders", MARCH_FILTERS, team_ids=None), ignore_index=True)
    assert list(rows["order_id"]) == ["O3", "O2", "O1"]  # newest first
    with pytest.raises(TypeError, match="team_ids"):
        next(query_chunks(hand, "exports/orders", MARCH_FILTERS))
