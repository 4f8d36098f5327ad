"""The executive summary through the real parts: the new executive query on a hand-made DuckDB file, and the PDF of
the 100-customer sample warehouse (WeasyPrint, pdftotext), its numbers checked against values computed here from the
raw sample files and by direct SQL on the warehouse file. The finding rules on hand-made rows:
tests/reports/test_findings.py."""

from __future__ import annotations

import json
import re
import subprocess
from datetime import date, timedelta

import duckdb
import pytest

from config.rules import load_rules
from reports import findings as fx
from reports.executive import executive_report_html, executive_report_pdf, executive_summary_text
from reports.view import view_from_search
from tests.etl.conftest import SAMPLES
from warehouse.reader import WarehouseReader

RULES = load_rules()
EX = RULES["executive"]

# ---------------------------------------------------------------- the executive query, on a hand-made warehouse

def test_inactive_teams_earlier_counts_the_teams_of_that_day(tmp_path):
    """as of 2025-06-30, 30 days back = 2025-05-31; inactive then = no usage in the 182 days up to that day."""
    assert EX["usage_change_days"] == 30 and RULES["usage"]["inactive_team_after_days"] == 182
    path = tmp_path / "warehouse.duckdb"
    con = duckdb.connect(str(path))
    con.execute("create schema analytics")
    con.execute("create table analytics.warehouse_as_of as select date '2025-06-30' as as_of_date")
    con.execute("""create table analytics.customer_dimensions as select * from (values
        ('A', date '2024-01-01', 'High Value'), ('B', date '2024-01-01', 'High Value'),
        ('C', date '2025-01-01', 'Low Value'), ('D', date '2025-06-15', 'Low Value'),
        ('E', date '2024-01-01', 'Low Value'), ('F', date '2024-01-01', 'Low Value'))
        as t (customer_id, sign_up_date, value_segment)""")
    for column in ("derived_persona", "churn_risk", "upsell_opportunity", "csm_owner"):
        con.execute(f"alter table analytics.customer_dimensions add column {column} varchar default 'x'")
    con.execute("""create table analytics.mart_usage_daily as select * from (values
        ('A', date '2024-11-29'),   -- 183 days before 2025-05-31: inactive then
        ('F', date '2024-11-30'),   -- 182 days before: still active (more than 182 days is inactive)
        ('B', date '2025-05-01'),   -- active then
        ('E', date '2024-10-01'), ('E', date '2025-06-20'),  -- inactive then, active now
        ('D', date '2025-06-20'))   -- signed up after that day: not a team yet
        as t (customer_id, activity_date)""")
    con.close()
    reader = WarehouseReader(path)
    everyone = dict(value_segments=None, personas=None, churn_risks=None, upsell_opportunities=None)
    row = reader.query("executive/inactive_teams_earlier", **everyone).iloc[0]
    assert str(row["earlier_date"])[:10] == "2025-05-31"
    assert (row["earlier_teams"], row["earlier_inactive_teams_6m"], row["usage_rows"]) == (5, 3, 6)  # A, C, E
    row = reader.query("executive/inactive_teams_earlier", **{**everyone, "value_segments": ["High Value"]}).iloc[0]
    assert (row["earlier_teams"], row["earlier_inactive_teams_6m"]) == (2, 1)
    reader.close()


# ---------------------------------------------------------------- the sample warehouse, through the real parts

def raw(name: str) -> list[dict]:
    return json.loads((SAMPLES / "prd_raw_100" / f"{name}.json").read_text(encoding="utf-8"))


def day(value: str) -> date:
    return date.fromisoformat(value[:10])


RECORDS = {"customer_interactions": "interaction_date", "product_reviews": "review_date",
           "support_tickets": "ticket_date"}


def last_day() -> date:
    return max(day(row[column]) for name, column in RECORDS.items() for row in raw(name))


def in_range(name: str, start: date, end: date) -> list[dict]:
    column = RECORDS[name]
    return [row for row in raw(name) if start <= day(row[column]) <= end]


def pdf_text(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "executive.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


def pages(pdf: bytes, tmp_path) -> int:
    path = tmp_path / "pages.pdf"
    path.write_bytes(pdf)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    return int(info.split("Pages:")[1].split()[0])


def flat(text: str) -> str:
    """pdftotext's lines joined: a sentence may wrap anywhere."""
    return re.sub(r"\s+", " ", text)


@pytest.fixture(scope="module")
def last_90_days(reader, tmp_path_factory):
    view = view_from_search(reader, "https://host/?tab=support&range=90d&nope=1")
    pdf = executive_report_pdf(reader, view)
    return view, pdf, pdf_text(pdf, tmp_path_factory.mktemp("executive"))


def test_the_pdf_has_the_title_data_date_filters_and_at_most_two_pages(last_90_days, tmp_path):
    view, pdf, text = last_90_days
    end = last_day()
    start = end - timedelta(days=89)
    assert pdf[:5] == b"%PDF-" and pages(pdf, tmp_path) <= 2
    assert "Executive summary" in text and f"Data up to {end:%d %b %Y}" in text
    assert f"{start:%d %b %Y} – {end:%d %b %Y}" in text  # the date chip, as the dashboard prints it
    assert "Ignored in the link: Unknown filter 'nope' ignored." in flat(text)
    previous_start = start - timedelta(days=90)
    assert (f"Changes are against the previous 90 days ({previous_start:%d %b %Y} – "
            f"{start - timedelta(days=1):%d %b %Y})") in flat(text)


def test_the_pdfs_numbers_equal_the_raw_sample_files(last_90_days):
    _view, _pdf, text = last_90_days
    text = flat(text)
    end = last_day()
    start, previous_start = end - timedelta(days=89), end - timedelta(days=179)
    tickets = in_range("support_tickets", start, end)
    before = in_range("support_tickets", previous_start, start - timedelta(days=1))
    assert f"{len(tickets):,} tickets were opened" in text and f"from {len(before):,} in the previous 90 days" in text
    resolved = sum(1 for t in tickets if t["ticket_status"].lower() in ("resolved", "closed"))
    assert f"{100 * resolved / len(tickets):.1f} % of all tickets are resolved or closed" in text
    reviews = in_range("product_reviews", start, end)
    rating = sum(r["review_rating"] for r in reviews) / len(reviews)
    assert f"Customers rate the product {rating:.2f} out of 5 on average ({len(reviews):,} reviews)" in text
    top = max({t["ticket_category"] for t in tickets}, key=lambda c: sum(t["ticket_category"] == c for t in tickets))
    count = sum(t["ticket_category"] == top for t in tickets)
    assert f"the largest category is {top} with {count} tickets ({100 * count / len(tickets):.0f} %" in text
    # the headline KPI cards: the Support tab's ticket count, the Overview's rating card
    assert re.search(rf"TICKETS .*?{len(tickets)}\b", text) and f"{rating:.2f} / 5" in text


def test_the_pdfs_numbers_equal_direct_sql_on_the_warehouse(data_dir, last_90_days):
    _view, _pdf, text = last_90_days
    text = flat(text)
    end = last_day()
    start = end - timedelta(days=89)
    con = duckdb.connect(str(data_dir / "warehouse.duckdb"), read_only=True)
    try:
        hours = RULES["support"]
        breached, measured, overdue, still_open = con.execute(f"""
            with t as (
                select ticket_date, lower(ticket_status) in ('resolved', 'closed') as done, resolved_date,
                       ticket_date + case priority_level when 'Critical' then {hours['sla_hours_critical']}
                           when 'High' then {hours['sla_hours_high']} when 'Medium' then {hours['sla_hours_medium']}
                           when 'Low' then {hours['sla_hours_low']} end * interval '1 hour' as deadline
                from analytics.fact_support_tickets
                where cast(ticket_date as date) between ? and ?),
            m as (select *, case when done then resolved_date else cast(? as timestamp) + interval '1 day' end as t_end
                  from t)
            select count(*) filter (where t_end > deadline),
                   count(*) filter (where t_end is not null and deadline is not null),
                   count(*) filter (where t_end > deadline and not done), count(*) filter (where not done)
            from m""", [start, end, end]).fetchone()
        sentiment = con.execute("""
            select avg(s) from (
                select sentiment_score as s from analytics.fact_customer_interactions
                where cast(interaction_date as date) between $1 and $2
                union all select sentiment_score from analytics.fact_product_reviews
                where cast(review_date as date) between $1 and $2
                union all select sentiment_score from analytics.fact_support_tickets
                where cast(ticket_date as date) between $1 and $2)""", [start, end]).fetchone()[0]
        active = {row["customer_id"] for name in RECORDS for row in in_range(name, start, end)}
        high = con.execute("select count(*) from analytics.customer_persona_signals where churn_risk = 'High' "
                           "and list_contains(?, customer_id)", [sorted(active)]).fetchone()[0]
    finally:
        con.close()
    rate = 100 * breached / measured
    assert f"{rate:.1f} % of the {measured:,} tickets that could be checked missed their resolution target" in text
    assert f"{overdue:,} of the {still_open:,} tickets still open are already past it" in text
    assert f"is {sentiment:+.2f} on a scale from -1 to +1" in text
    assert f"{100 * high / len(active):.1f} % of the {len(active):,} customers active in the period" in text
    # severity: the SLA breach rate of the sample is far above the act threshold, and the PDF says so in words
    assert rate >= EX["sla_breach_act_pct"]
    assert re.search(r"ACT\s+Support targets\.", text)


def test_every_finding_is_marked_by_a_word_and_a_colour_and_actions_are_numbered(reader, last_90_days):
    view, _pdf, _text = last_90_days
    html = executive_report_html(reader, view)
    marks = re.findall(r'<div class="finding (\w+)">\s*<div class="severity">(\w+)</div>', html)
    assert marks and all(word.lower() == severity for severity, word in marks)
    assert len(marks) <= EX["max_findings"]
    order = [fx.SEVERITIES.index(severity) for severity, _word in marks]
    assert order == sorted(order)  # most severe first
    actions = re.findall(r"<li>(.*?)<div", html, re.S)
    assert len(actions) == sum(1 for severity, _ in marks if severity != "good")


def test_the_text_summary_has_the_same_findings_and_numbered_actions(reader, last_90_days):
    view, _pdf, text = last_90_days
    summary = executive_summary_text(reader, view)
    tickets = len(in_range("support_tickets", last_day() - timedelta(days=89), last_day()))
    assert f"{tickets:,} tickets were opened" in summary and "[ACT] Support targets:" in summary
    assert "RECOMMENDED ACTIONS\n1. Clear the backlog" in summary
    assert "Filters: " in summary and "Unknown filter 'nope' ignored." in summary


def test_too_little_data_gives_notes_not_findings(reader, tmp_path):
    end = last_day()
    start = end - timedelta(days=2)
    tickets = len(in_range("support_tickets", start, end))
    assert tickets < EX["min_tickets"]
    view = view_from_search(reader, f"?from={start}&to={end}")
    text = flat(pdf_text(executive_report_pdf(reader, view), tmp_path))
    assert f"Ticket volume: fewer than {EX['min_tickets']} tickets in view ({tickets})." in text
    assert "Support targets." not in text  # no finding judged on a handful of tickets
    assert "Churn forecast: no forecast: there is too little history to train the churn model." in text
    assert "Inactive teams: no product usage data is loaded." in text


def test_all_time_has_no_comparison_and_fits_two_pages(reader, tmp_path):
    view = view_from_search(reader, "?tab=overview")
    pdf = executive_report_pdf(reader, view)
    text = flat(pdf_text(pdf, tmp_path))
    assert pages(pdf, tmp_path) <= 2
    assert "There is no earlier period of the same length in the data" in text
    assert f"{len(raw('support_tickets')):,} tickets in view" in text  # the ticket volume note, all 200 tickets
