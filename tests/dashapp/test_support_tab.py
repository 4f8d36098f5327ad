"""Support tab: its queries (sql/queries/support/*.sql) on a small known warehouse, its figure builders and its
table helpers.

The warehouse: four customers and nine tickets, each ticket on its own day so that a one-day date filter
isolates it. Every expected value is worked out by hand in the comments from the rows below and
config/rules.toml [support] (SLA hours Critical 4, High 24, Medium 72, Low 168; resolved = resolved, closed).
The newest activity is T7 on 2024-03-10, so analytics.warehouse_as_of.as_of_date = 2024-03-10 and an
unresolved ticket is measured at the end of that day, 2024-03-11 00:00:00.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import plotly.graph_objects as go
import pytest

from config.rules import flat_rules
from dashapp.figures import support as figures
from dashapp.tabs import support as tab
from tests.dashapp.tab_checks import callback_ids, layout_ids
from tests.warehouse.builder import build_warehouse, customer
from warehouse.filters import Filters
from warehouse.reader import WarehouseReader

LONG = ("The export to our accounting system has failed every night since Monday and the finance team cannot "
        "close the month without it.")  # 120 characters: cut in the table, whole in the tooltip


def ticket(ticket_id, customer_id, opened, priority, status, resolved, sentiment, category, remedy=None,
           description="text"):
    return {"ticket_id": ticket_id, "customer_id": customer_id, "ticket_date": opened, "ticket_status": status,
            "ticket_category": category, "ticket_description": description, "priority_level": priority,
            "resolved_date": resolved, "sentiment_score": sentiment, "requested_remedy": remedy,
            "expected_resolution_timeframe": {"Critical": "Immediate attention", "High": "Within 24 hours",
                                              "Medium": "Within 3 days", "Low": "Regular queue"}[priority]}


TICKETS = [
    # resolved exactly 24 h after it was opened: within the High SLA
    ticket("T1", "c1", "2024-03-01 09:00:00", "High", "Closed", "2024-03-02 09:00:00", -0.5, "billing", "Refund",
           description=LONG),
    # resolved 24 h + 1 s after: a breach
    ticket("T2", "c1", "2024-03-02 09:00:00", "High", "resolved", "2024-03-03 09:00:01", -0.3, "billing"),
    # Critical resolved after 3 h 59 min 59 s: within 4 h
    ticket("T3", "c1", "2024-03-03 10:00:00", "Critical", "closed", "2024-03-03 13:59:59", -0.9, "technical", "Fix"),
    # unresolved Low, deadline 2024-03-13 12:00, after the as-of end: not (yet) a breach
    ticket("T4", "c2", "2024-03-06 12:00:00", "Low", "open", None, 0.2, "account"),
    # unresolved Medium, deadline 2024-03-11 00:00:00 = the as-of end exactly: not a breach
    ticket("T5", "c2", "2024-03-08 00:00:00", "Medium", "open", None, 0.0, "technical"),
    # unresolved Medium, deadline 2024-03-10 23:59:59, before the as-of end: a breach
    ticket("T6", "c2", "2024-03-07 23:59:59", "Medium", "pending-customer", None, -0.4, "technical", "Credit"),
    # unresolved Critical opened on the as-of date itself, deadline 23:00 that day: a breach
    ticket("T7", "c3", "2024-03-10 19:00:00", "Critical", "escalated", None, -0.8, "billing"),
    # closed without a resolved date: counted as resolved, left out of the SLA rate (not measured)
    ticket("T8", "c3", "2024-03-05 08:00:00", "Low", "closed", None, 0.6, "account"),
    # Medium resolved after 24 h: within 72 h
    ticket("T9", "c1", "2024-02-20 10:00:00", "Medium", "closed", "2024-02-21 10:00:00", 0.1, "billing"),
]
CUSTOMERS = [customer("c1", 1500.0), customer("c2", 100.0), customer("c3", 600.0), customer("c4", 100.0)]
# value segments: c1 High Value (>= 1000), c3 Medium Value (>= 500), c2 and c4 Low Value; c4 has no tickets
HIGH_VALUE = Filters(value_segments=("High Value",))


@pytest.fixture(scope="module")
def reader(tmp_path_factory):
    path = tmp_path_factory.mktemp("support") / "warehouse.duckdb"
    build_warehouse(path, CUSTOMERS, tickets=TICKETS).close()
    reader = WarehouseReader(path)
    yield reader
    reader.close()


def one_row(reader, name, filters=None):
    return reader.query(f"support/{name}", filters or Filters()).iloc[0].to_dict()


def page_ids(reader, sort_column, sort_direction, page_size, offset, filters=None):
    frame = reader.query("support/ticket_page", filters or Filters(), sort_column=sort_column,
                         sort_direction=sort_direction, page_size=page_size, offset=offset)
    return list(frame["ticket_id"])


def test_the_rule_values_these_expectations_assume(reader):
    rules = flat_rules()
    assert [rules[f"support_sla_hours_{p}"] for p in ("critical", "high", "medium", "low")] == [4, 24, 72, 168]
    assert rules["support_resolved_statuses"] == ["resolved", "closed"]
    assert reader.date_bounds() == (date(2024, 2, 20), date(2024, 3, 10))
    assert reader._connection().execute("select as_of_date from analytics.warehouse_as_of").fetchone() == (
        date(2024, 3, 10),)


# ---------------------------------------------------------------- queries

def test_tickets_by_priority_with_average_sentiment(reader):
    frame = reader.query("support/tickets_by_priority", Filters()).set_index("priority_level")
    assert frame["tickets"].to_dict() == {"Critical": 2, "High": 2, "Medium": 3, "Low": 2}
    assert frame.loc["Critical", "avg_sentiment"] == pytest.approx((-0.9 - 0.8) / 2)  # T3, T7
    assert frame.loc["High", "avg_sentiment"] == pytest.approx((-0.5 - 0.3) / 2)  # T1, T2
    assert frame.loc["Medium", "avg_sentiment"] == pytest.approx((0.0 - 0.4 + 0.1) / 3)  # T5, T6, T9
    assert frame.loc["Low", "avg_sentiment"] == pytest.approx((0.2 + 0.6) / 2)  # T4, T8


def test_tickets_by_category(reader):
    frame = reader.query("support/tickets_by_category", Filters())
    # billing T1 T2 T7 T9, technical T3 T5 T6, account T4 T8; most first
    assert list(frame["ticket_category"]) == ["billing", "technical", "account"]
    assert list(frame["tickets"]) == [4, 3, 2]
    assert frame["avg_sentiment"].iloc[2] == pytest.approx(0.4)  # account: (0.2 + 0.6) / 2


def test_ticket_volume_per_week_and_month(reader):
    weekly = reader.query("support/ticket_volume", Filters(), grain="week")
    by_week = {d.date(): n for d, n in weekly.groupby("period")["tickets"].sum().items()}
    # weeks start on Monday: 19 Feb (T9), 26 Feb (T1 Fri, T2 Sat, T3 Sun), 4 Mar (T8 T4 T6 T5 T7)
    assert by_week == {date(2024, 2, 19): 1, date(2024, 2, 26): 3, date(2024, 3, 4): 5}
    monthly = reader.query("support/ticket_volume", Filters(), grain="month")
    assert {d.date(): n for d, n in monthly.groupby("period")["tickets"].sum().items()} == {
        date(2024, 2, 1): 1, date(2024, 3, 1): 8}
    march = monthly[monthly["period"] == pd.Timestamp("2024-03-01")].set_index("priority_level")["tickets"].to_dict()
    assert march == {"Critical": 2, "High": 2, "Low": 2, "Medium": 2}


def test_ticket_totals(reader):
    row = one_row(reader, "ticket_totals")
    assert (row["tickets"], row["customers_with_tickets"]) == (9, 3)
    assert row["avg_sentiment"] == pytest.approx(-2.0 / 9)


def test_resolution_rate(reader):
    row = one_row(reader, "resolution_rate")
    # resolved or closed: T1 ("Closed", lower-cased by staging), T2, T3, T8, T9
    assert (row["tickets"], row["resolved_tickets"]) == (9, 5)
    assert row["resolution_rate_pct"] == pytest.approx(500 / 9)


def test_sla_breach_rate(reader):
    row = one_row(reader, "sla_breach_rate")
    # measured: all but T8; breached: T2 (24 h + 1 s), T6 and T7 (unresolved past their deadline)
    assert row["tickets"] == 9
    assert row["measured_tickets"] == 8
    assert row["breached_tickets"] == 3
    assert row["unresolved_tickets"] == 4  # T4 T5 T6 T7
    assert row["breached_unresolved_tickets"] == 2  # T6 T7
    assert row["sla_breach_rate_pct"] == pytest.approx(37.5)


@pytest.mark.parametrize(("day", "measured", "breached", "unresolved"), [
    ("2024-03-01", 1, 0, 0),  # T1 High resolved at exactly 24 h: not a breach
    ("2024-03-02", 1, 1, 0),  # T2 High resolved at 24 h + 1 s: a breach
    ("2024-03-03", 1, 0, 0),  # T3 Critical resolved 1 s before 4 h
    ("2024-03-06", 1, 0, 1),  # T4 Low unresolved, SLA not yet elapsed at the end of the as-of date
    ("2024-03-08", 1, 0, 1),  # T5 Medium unresolved, deadline exactly at the end of the as-of date
    ("2024-03-07", 1, 1, 1),  # T6 Medium unresolved, deadline 1 s before the end of the as-of date
    ("2024-03-10", 1, 1, 1),  # T7 Critical unresolved, opened on the as-of date, deadline passed that day
    ("2024-03-05", 0, 0, 0),  # T8 closed without a resolved date: not measured
])
def test_sla_breach_at_the_boundaries(reader, day, measured, breached, unresolved):
    when = date.fromisoformat(day)
    row = one_row(reader, "sla_breach_rate", Filters(date_from=when, date_to=when))
    assert row["tickets"] == 1
    assert (row["measured_tickets"], row["breached_tickets"], row["unresolved_tickets"]) == (
        measured, breached, unresolved)
    assert row["breached_unresolved_tickets"] == (breached if unresolved else 0)
    if measured:
        assert row["sla_breach_rate_pct"] == 100.0 * breached
    else:
        assert pd.isna(row["sla_breach_rate_pct"])


def test_tickets_per_customer_histogram(reader):
    frame = reader.query("support/tickets_per_customer", Filters())
    assert list(frame["bin_label"]) == ["0", "1", "2", "3–5", "6–10", "11–20", "21–50", "51–100", "101+"]
    # c4: 0 tickets, c3: 2 (T7 T8), c2: 3 (T4 T5 T6), c1: 4 (T1 T2 T3 T9)
    assert list(frame["customers"]) == [1, 0, 1, 2, 0, 0, 0, 0, 0]
    # from 2 March: c1 keeps T2 T3 (2), c2 3, c3 2, c4 0
    later = reader.query("support/tickets_per_customer", Filters(date_from=date(2024, 3, 2)))
    assert list(later["customers"])[:4] == [1, 0, 2, 1]
    # only the High Value customer c1 is in view
    assert list(reader.query("support/tickets_per_customer", HIGH_VALUE)["customers"])[:4] == [0, 0, 0, 1]


def test_a_filter_changes_every_number(reader):
    # High Value = c1 only: T1 T2 T3 T9
    priorities = reader.query("support/tickets_by_priority", HIGH_VALUE).set_index("priority_level")["tickets"]
    assert priorities.to_dict() == {"High": 2, "Critical": 1, "Medium": 1}
    assert one_row(reader, "resolution_rate", HIGH_VALUE)["resolution_rate_pct"] == pytest.approx(100.0)
    sla = one_row(reader, "sla_breach_rate", HIGH_VALUE)
    assert (sla["measured_tickets"], sla["breached_tickets"], sla["sla_breach_rate_pct"]) == (4, 1, 25.0)
    assert one_row(reader, "ticket_totals", HIGH_VALUE)["tickets"] == 4
    # the date range: from 1 March drops T9
    assert one_row(reader, "ticket_totals", Filters(date_from=date(2024, 3, 1)))["tickets"] == 8
    # interaction type and review language do not apply to tickets
    other = Filters(interaction_types=("email",), review_languages=("fr",))
    assert one_row(reader, "ticket_totals", other)["tickets"] == 9


def test_no_tickets_in_view(reader):
    nobody = Filters(personas=("No such persona",))
    assert one_row(reader, "ticket_totals", nobody)["tickets"] == 0
    row = one_row(reader, "resolution_rate", nobody)
    assert row["tickets"] == 0 and pd.isna(row["resolution_rate_pct"])
    assert one_row(reader, "sla_breach_rate", nobody)["measured_tickets"] == 0
    assert reader.query("support/tickets_by_priority", nobody).empty
    assert reader.query("support/tickets_per_customer", nobody)["customers"].sum() == 0
    assert reader.query("support/ticket_page", nobody, sort_column="ticket_date", sort_direction="desc",
                        page_size=10, offset=0).empty


# ---------------------------------------------------------------- ticket table: server-side paging and sorting

def test_table_pages_sorted_by_date(reader):
    # newest first: T7 (10 Mar), T5 (8 Mar 00:00), T6 (7 Mar 23:59:59), T4, T8, T3, T2, T1, T9
    assert page_ids(reader, "ticket_date", "desc", 2, 0) == ["T7", "T5"]
    assert page_ids(reader, "ticket_date", "desc", 2, 2) == ["T6", "T4"]  # page 2 of size 2
    assert page_ids(reader, "ticket_date", "desc", 2, 8) == ["T9"]
    assert page_ids(reader, "ticket_date", "asc", 3, 0) == ["T9", "T1", "T2"]
    frame = reader.query("support/ticket_page", Filters(), sort_column="ticket_date", sort_direction="desc",
                         page_size=2, offset=2)
    assert list(frame["tickets_in_view"]) == [9, 9]


def test_table_sorts_priority_by_urgency_and_empty_values_last(reader):
    # Critical first (T7, T3 newest first within a priority), then High (T2, T1)
    assert page_ids(reader, "priority_level", "asc", 4, 0) == ["T7", "T3", "T2", "T1"]
    assert page_ids(reader, "priority_level", "desc", 2, 0) == ["T4", "T8"]  # Low first
    assert page_ids(reader, "expected_resolution_timeframe", "asc", 2, 0) == ["T7", "T3"]
    # remedies Credit (T6), Fix (T3), Refund (T1); tickets without one follow, newest first
    assert page_ids(reader, "requested_remedy", "asc", 4, 0) == ["T6", "T3", "T1", "T7"]
    assert page_ids(reader, "requested_remedy", "desc", 4, 0) == ["T1", "T3", "T6", "T7"]
    assert page_ids(reader, "customer_id", "desc", 3, 0) == ["T7", "T8", "T5"]  # c3, then c2 newest first


def test_table_filters_and_ignores_unknown_sort_values(reader):
    assert page_ids(reader, "ticket_date", "desc", 10, 0, HIGH_VALUE) == ["T3", "T2", "T1", "T9"]
    # a value outside the whitelist is only a bound string: no CASE branch matches, newest first remains
    assert page_ids(reader, "ticket_date; drop table x", "sideways", 3, 0) == ["T7", "T5", "T6"]


def test_sort_params_whitelist():
    assert tab.sort_params([{"column_id": "priority_level", "direction": "asc"}]) == ("priority_level", "asc")
    assert tab.sort_params([]) == ("ticket_date", "desc")
    assert tab.sort_params(None) == ("ticket_date", "desc")
    assert tab.sort_params([{"column_id": "1; drop table x", "direction": "asc"}]) == ("ticket_date", "desc")
    assert tab.sort_params([{"column_id": "ticket_id", "direction": "up"}]) == ("ticket_date", "desc")


def test_table_rows_cut_long_descriptions_with_the_whole_text_in_a_tooltip(reader):
    frame = reader.query("support/ticket_page", Filters(), sort_column="ticket_id", sort_direction="asc",
                         page_size=2, offset=0)
    rows, tooltips = tab.table_rows(frame)
    first = rows[0]
    assert first["ticket_id"] == "T1" and first["ticket_date"] == "2024-03-01 09:00"
    assert first["ticket_status"] == "closed" and first["requested_remedy"] == "Refund"
    assert first["expected_resolution_timeframe"] == "Within 24 hours"
    assert len(first["ticket_description"]) == tab.DESCRIPTION_CHARS and first["ticket_description"].endswith("…")
    assert tooltips[0] == {"ticket_description": {"value": LONG, "type": "text"}}
    assert rows[1]["ticket_description"] == "text" and tooltips[1] == {}
    assert rows[1]["requested_remedy"] == tab.NOT_STATED


def test_page_summary():
    assert tab.page_summary(23, 0) == "Tickets 1–10 of 23"
    assert tab.page_summary(23, 2) == "Tickets 21–23 of 23"
    assert tab.page_summary(0, 0).startswith("No tickets")


# ---------------------------------------------------------------- KPI cards, layout and callbacks

def test_kpi_texts(reader):
    texts = tab.kpi_texts(one_row(reader, "ticket_totals"), one_row(reader, "resolution_rate"),
                          one_row(reader, "sla_breach_rate"))
    assert texts == {
        "support-kpi-tickets": ("9", "from 3 customers · average sentiment -0.22"),
        "support-kpi-resolution": ("55.6 %", "5 of 9 tickets resolved or closed"),
        "support-kpi-sla": ("37.5 %", "3 of 8 tickets breached (1 not measured)"),
        "support-kpi-overdue": ("2", "of 4 unresolved tickets"),
    }
    nobody = Filters(personas=("No such persona",))
    empty = tab.kpi_texts(one_row(reader, "ticket_totals", nobody), one_row(reader, "resolution_rate", nobody),
                          one_row(reader, "sla_breach_rate", nobody))
    assert empty["support-kpi-tickets"] == ("0", "no tickets in view")
    assert empty["support-kpi-sla"] == ("–", "no tickets in view")


def test_help_text_states_the_rules():
    text = tab.help_text()
    assert "Critical 4 h, High 24 h, Medium 72 h, Low 168 h" in text
    assert "resolved or closed" in text
    assert "interaction type and review language filters do not apply" in text


def test_every_callback_id_is_in_the_layout():
    in_layout = layout_ids(tab.layout()) | {"filters"}  # the shell's store of the global filters
    used, callbacks = callback_ids(tab)
    assert used and used <= in_layout
    assert tab.TAB_ID == "support" and tab.LABEL == "Support"


@pytest.mark.parametrize(("days", "grain"), [(120, "week"), (121, "month")])
def test_weekly_up_to_the_overview_threshold(days, grain):
    start = date(2024, 1, 1)
    assert Filters(date_from=start, date_to=date.fromordinal(start.toordinal() + days)).time_grain() == grain


# ---------------------------------------------------------------- figure builders

def is_empty_state(figure: go.Figure) -> bool:
    return len(figure.data) == 0 and "No" in figure.layout.annotations[0].text


def test_ticket_volume_figure():
    frame = pd.DataFrame({"period": [date(2024, 3, 4)] * 2 + [date(2024, 3, 11)],
                          "priority_level": ["Low", "Critical", "Low"], "tickets": [2, 1, 3]})
    figure = figures.ticket_volume(frame, "week")
    assert [t.name for t in figure.data] == ["Critical", "Low"]  # urgency order
    assert list(figure.data[1].y) == [2, 3]
    assert figure.layout.barmode == "stack"
    assert is_empty_state(figures.ticket_volume(frame.iloc[0:0], "month"))


def test_tickets_by_priority_figure():
    frame = pd.DataFrame({"priority_level": ["Low", "Critical", "High"], "tickets": [5, 1, 2],
                          "avg_sentiment": [0.25, -0.5, None], "scored_tickets": [5, 1, 0]})
    figure = figures.tickets_by_priority(frame)
    bars, sentiment = figure.data
    assert list(bars.x) == ["Critical", "High", "Low"] and list(bars.y) == [1, 2, 5]
    assert list(sentiment.y) == [-0.5, None, 0.25] and sentiment.yaxis == "y2"
    assert list(figure.layout.xaxis.ticktext) == ["Critical<br>-0.50", "High<br>n/a", "Low<br>+0.25"]
    assert tuple(figure.layout.yaxis2.range) == (-1, 1)
    assert is_empty_state(figures.tickets_by_priority(frame.iloc[0:0]))


def test_tickets_by_category_figure():
    frame = pd.DataFrame({"ticket_category": ["billing", "account"], "tickets": [3, 1],
                          "avg_sentiment": [-0.2, 0.4]})
    figure = figures.tickets_by_category(frame)
    assert list(figure.data[0].y) == ["billing", "account"] and list(figure.data[0].x) == [3, 1]
    assert list(figure.data[0].text) == ["3 (75%)", "1 (25%)"]
    assert is_empty_state(figures.tickets_by_category(frame.iloc[0:0]))


def test_tickets_per_customer_figure():
    labels = ["0", "1", "2", "3–5", "6–10"]
    frame = pd.DataFrame({"bin_order": [1, 2, 3, 4, 5], "bin_label": labels, "min_tickets": [0, 1, 2, 3, 6],
                          "max_tickets": [0, 1, 2, 5, 10], "customers": [4, 0, 2, 0, 0]})
    figure = figures.tickets_per_customer(frame)
    assert list(figure.data[0].x) == ["0", "1", "2"]  # empty bins above the highest occupied one are left off
    assert list(figure.data[0].y) == [4, 0, 2]
    assert figure.data[0].marker.color[0] != figure.data[0].marker.color[2]  # "no tickets" stands apart
    assert is_empty_state(figures.tickets_per_customer(frame.assign(customers=0)))
    nobody_opened = figures.tickets_per_customer(frame.assign(customers=[7, 0, 0, 0, 0]))
    assert nobody_opened.data == () and "None of the 7 customers" in nobody_opened.layout.annotations[0].text
    assert is_empty_state(figures.tickets_per_customer(frame.iloc[0:0]))
