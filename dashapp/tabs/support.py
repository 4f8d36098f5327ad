"""Support tab: ticket KPI cards (tickets, resolution rate, SLA breach rate, unresolved tickets past their SLA),
ticket volume over time, tickets by priority with their average sentiment, tickets by category, the
tickets-per-customer histogram and a server-side sorted and paged ticket table.

Tickets in view: ticket_date within the global date range and the customer kept by the global customer filters
(value segment, persona, churn risk, upsell). The interaction type and review language filters do not apply to
tickets. Every number comes from sql/queries/support/*.sql.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from typing import Any

import dash_bootstrap_components as dbc
import pandas as pd
from dash import Dash, Input, Output, ctx, dash_table, html

from config.rules import load_rules
from dashapp.components import (
    chart_body,
    chart_card,
    kpi_card,
    register_chart,
    register_kpis,
    register_report_item,
)
from dashapp.figures import support as figures
from dashapp.figures.common import FONT, is_missing
from dashapp.tabs.glossary import glossary_link
from dashapp.tabs.overview import MONTHLY_AFTER_DAYS
from warehouse.filters import Filters
from warehouse.reader import WarehouseReader

log = logging.getLogger(__name__)

TAB_ID = "support"
LABEL = "Support"
KPIS = {
    "support-kpi-tickets": "Tickets",
    "support-kpi-resolution": "Resolution rate",
    "support-kpi-sla": "SLA breach rate",
    "support-kpi-overdue": "Unresolved past SLA",
}
TABLE_ID = "support-tickets-table"
PAGE_SIZE = 10
REPORT_TICKETS = 50  # newest tickets printed in a PDF report
DESCRIPTION_CHARS = 90  # longer descriptions are cut in the cell; the tooltip shows the whole text
# Ticket table columns: id -> header. Every one is sortable; the id is the only thing sent to SQL as :sort_column.
TABLE_COLUMNS = {
    "ticket_date": "Date",
    "ticket_id": "Ticket",
    "customer_id": "Customer",
    "ticket_category": "Category",
    "priority_level": "Priority",
    "ticket_status": "Status",
    "ticket_description": "Description",
    "expected_resolution_timeframe": "Expected timeframe",
    "requested_remedy": "Requested remedy",
}
DEFAULT_SORT = ("ticket_date", "desc")
NOT_STATED = "none stated"


def _rules_text() -> tuple[str, str]:
    support = load_rules()["support"]
    sla = ", ".join(f"{level} {support[f'sla_hours_{level.lower()}']} h" for level in
                    ("Critical", "High", "Medium", "Low"))
    return sla, " or ".join(support["resolved_statuses"])


def help_text() -> str:
    sla, resolved = _rules_text()
    return (f"Resolution rate = tickets with status {resolved} ÷ all tickets in view. SLA breach rate: a ticket "
            f"breaches its SLA ({sla} after it was opened) when it was resolved later than that, or, still "
            f"unresolved, when the SLA had run out by the end of the newest data date (not today). Resolved tickets "
            f"without a resolved date are not measured. Tickets are counted by ticket date and by the customer "
            f"filters; the interaction type and review language filters do not apply to this tab.")


def layout() -> html.Div:
    return html.Div([
        dbc.Row([dbc.Col(kpi_card(kpi_id, label), md=6, xl=3, className="mb-3") for kpi_id, label in KPIS.items()]),
        html.P([help_text(), " Definitions in the glossary: ",
                glossary_link("resolution rate", "resolution-rate"), ", ",
                glossary_link("SLA breach rate", "sla-breach-rate"), ", ",
                glossary_link("priority levels", "priority-level"), "."],
               className="text-muted small mb-3", id="support-help"),
        dbc.Row([
            dbc.Col(chart_card("support-volume", "Ticket volume",
                               f"Tickets opened per week (date ranges up to {MONTHLY_AFTER_DAYS} days) or per "
                               "month, by priority."), lg=7, className="mb-3"),
            dbc.Col(chart_card("support-priority", "Tickets by priority",
                               "Bars: tickets per priority. Diamonds and the figures under the bars: their average "
                               "sentiment (right axis, −1 to 1)."),
                    lg=5, className="mb-3"),
        ]),
        dbc.Row([
            dbc.Col(chart_card("support-category", "Tickets by category",
                               "Average sentiment per category in the tooltip."), lg=6, className="mb-3"),
            dbc.Col(chart_card("support-per-customer", "Tickets per customer",
                               "Customers in view by the number of tickets they opened in the date range "
                               "(grey: none)."), lg=6, className="mb-3"),
        ]),
        dbc.Row([dbc.Col(_ticket_table_card(), className="mb-3")]),
    ])


def _ticket_table_card() -> dbc.Card:
    table = dash_table.DataTable(
        id=TABLE_ID,
        columns=[{"name": name, "id": column_id} for column_id, name in TABLE_COLUMNS.items()],
        data=[],
        page_action="custom", page_current=0, page_size=PAGE_SIZE, page_count=1,
        sort_action="custom", sort_mode="single",
        sort_by=[{"column_id": DEFAULT_SORT[0], "direction": DEFAULT_SORT[1]}],
        tooltip_delay=300, tooltip_duration=None,
        style_table={"overflowX": "auto"},
        style_cell={"fontFamily": FONT, "fontSize": "13px", "textAlign": "left", "padding": "6px 8px",
                    "whiteSpace": "normal", "height": "auto", "verticalAlign": "top",
                    # long ids break instead of pushing the last columns out of the card at 1366 px
                    "overflowWrap": "anywhere"},
        style_header={"fontWeight": "600", "backgroundColor": "#f8f9fa"},
        style_cell_conditional=[
            {"if": {"column_id": "ticket_description"}, "minWidth": "240px", "width": "30%"},
            {"if": {"column_id": "ticket_date"}, "minWidth": "92px"},
        ],
        style_data_conditional=[
            {"if": {"filter_query": '{priority_level} = "Critical"', "column_id": "priority_level"},
             "color": "#A6508A", "fontWeight": "600"},
            {"if": {"filter_query": '{priority_level} = "High"', "column_id": "priority_level"},
             "color": "#B34700", "fontWeight": "600"},
            {"if": {"filter_query": f'{{requested_remedy}} = "{NOT_STATED}"', "column_id": "requested_remedy"},
             "color": "#6c757d", "fontStyle": "italic"},
        ],
        css=[{"selector": ".dash-table-tooltip", "rule": "max-width: 480px; white-space: normal; font-size: 13px;"}],
    )
    return dbc.Card([
        dbc.CardHeader(html.H3("Tickets", className="h6 mb-0")),
        dbc.CardBody([
            html.P("Sort by any column header; hover over a description to read all of it.",
                   className="text-muted small mb-2"),
            html.Div(id="support-tickets-body", className="small mb-2", **{"aria-live": "polite"}),
            dbc.Button("Retry", id="support-tickets-retry", size="sm", color="secondary", outline=True,
                       className="d-none"),
            table,
        ]),
    ], className="h-100 shadow-sm")


# ---------------------------------------------------------------- pure helpers (tested without a server)

def kpi_texts(totals: dict, resolution: dict, sla: dict) -> dict[str, tuple[str, str]]:
    """Value and detail line per KPI card, from one row each of support/ticket_totals, resolution_rate and
    sla_breach_rate."""
    tickets = int(totals.get("tickets") or 0)
    if tickets == 0:
        return {kpi_id: ("0" if kpi_id == "support-kpi-tickets" else "–", "no tickets in view") for kpi_id in KPIS}
    avg = totals.get("avg_sentiment")
    sentiment = "" if is_missing(avg) else f" · average sentiment {avg:+.2f}"
    measured = int(sla["measured_tickets"])
    not_measured = int(sla["tickets"]) - measured
    sla_detail = f"{int(sla['breached_tickets']):,} of {measured:,} tickets breached"
    if not_measured:
        sla_detail += f" ({not_measured:,} not measured)"
    return {
        "support-kpi-tickets": (f"{tickets:,}", f"from {int(totals['customers_with_tickets']):,} customers{sentiment}"),
        "support-kpi-resolution": (_percent(resolution.get("resolution_rate_pct")),
                                   f"{int(resolution['resolved_tickets']):,} of {int(resolution['tickets']):,} "
                                   "tickets resolved or closed"),
        "support-kpi-sla": (_percent(sla.get("sla_breach_rate_pct")), sla_detail),
        "support-kpi-overdue": (f"{int(sla['breached_unresolved_tickets']):,}",
                                f"of {int(sla['unresolved_tickets']):,} unresolved tickets"),
    }


def sort_params(sort_by: list[dict] | None) -> tuple[str, str]:
    """The table's sort state as (:sort_column, :sort_direction), both from a whitelist: anything else gives the
    default (newest first). These are bound parameters that pick a CASE branch in support/ticket_page.sql."""
    if sort_by:
        column, direction = sort_by[0].get("column_id"), sort_by[0].get("direction")
        if column in TABLE_COLUMNS and direction in ("asc", "desc"):
            return column, direction
    return DEFAULT_SORT


def table_rows(frame: pd.DataFrame) -> tuple[list[dict], list[dict]]:
    """DataTable rows (descriptions cut to DESCRIPTION_CHARS) and their tooltips (the whole description)."""
    rows, tooltips = [], []
    for record in frame.to_dict("records"):
        description = "" if is_missing(record.get("ticket_description")) else str(record["ticket_description"])
        row = {column: _cell(record.get(column)) for column in TABLE_COLUMNS}
        row["ticket_description"] = _truncate(description)
        if row["requested_remedy"] == "":
            row["requested_remedy"] = NOT_STATED
        rows.append(row)
        tooltips.append({"ticket_description": {"value": description, "type": "text"}}
                        if len(description) > DESCRIPTION_CHARS else {})
    return rows, tooltips


def page_summary(total: int, page: int, page_size: int = PAGE_SIZE) -> str:
    if total == 0:
        return "No tickets for these filters. Widen the date range or clear a filter."
    first = page * page_size + 1
    last = min(total, first + page_size - 1)
    return f"Tickets {first:,}–{last:,} of {total:,}"


def _cell(value: Any) -> str:
    if is_missing(value):
        return ""
    if isinstance(value, pd.Timestamp):
        return f"{value:%Y-%m-%d %H:%M}"
    return str(value)


def _truncate(text: str) -> str:
    return text if len(text) <= DESCRIPTION_CHARS else text[: DESCRIPTION_CHARS - 1].rstrip() + "…"


def _percent(value: object) -> str:
    return "–" if is_missing(value) else f"{value:.1f} %"




def report_table(reader: WarehouseReader, filters: Filters) -> html.Div:
    """The newest REPORT_TICKETS tickets for a report, through the same query and row formatting as the table."""
    frame = reader.query("support/ticket_page", filters, sort_column=DEFAULT_SORT[0], sort_direction=DEFAULT_SORT[1],
                         page_size=REPORT_TICKETS, offset=0)
    total = int(frame["tickets_in_view"].iloc[0]) if len(frame) else 0
    rows, _tooltips = table_rows(frame)
    return html.Div([html.P(page_summary(total, 0, REPORT_TICKETS)), dash_table.DataTable(
        columns=[{"name": name, "id": column_id} for column_id, name in TABLE_COLUMNS.items()], data=rows)])


# ---------------------------------------------------------------- callbacks

def register(app: Dash, reader: WarehouseReader) -> None:
    register_kpis(app, list(KPIS), lambda f: kpi_texts(reader.query("support/ticket_totals", f).iloc[0].to_dict(),
                                                   reader.query("support/resolution_rate", f).iloc[0].to_dict(),
                                                   reader.query("support/sla_breach_rate", f).iloc[0].to_dict()))

    def chart(chart_id: str, build: Callable[[Filters], object]) -> None:
        register_chart(app, chart_id, build)

    chart("support-volume", lambda f: figures.ticket_volume(
        reader.query("support/ticket_volume", f, grain=f.time_grain()), f.time_grain()))
    chart("support-priority", lambda f: figures.tickets_by_priority(reader.query("support/tickets_by_priority", f)))
    chart("support-category", lambda f: figures.tickets_by_category(reader.query("support/tickets_by_category", f)))
    chart("support-per-customer", lambda f: figures.tickets_per_customer(
        reader.query("support/tickets_per_customer", f)))
    register_report_item("support-tickets", lambda f: report_table(reader, f), title="Tickets")

    @app.callback(Output(TABLE_ID, "data"), Output(TABLE_ID, "tooltip_data"), Output(TABLE_ID, "page_count"),
                  Output(TABLE_ID, "page_current"), Output("support-tickets-body", "children"),
                  Output("support-tickets-retry", "className"),
                  Input("filters", "data"), Input(TABLE_ID, "page_current"), Input(TABLE_ID, "sort_by"),
                  Input("support-tickets-retry", "n_clicks"))
    def update_table(filters_data: dict, page_current: int | None, sort_by: list[dict] | None,
                     _retry: int | None) -> tuple:
        # paging and retry keep the page; a new filter or sort order starts again at the first page
        keep_page = {f"{TABLE_ID}.page_current", "support-tickets-retry.n_clicks"}
        page = max(0, int(page_current or 0)) if keep_page & set(ctx.triggered_prop_ids or {}) else 0
        column, direction = sort_params(sort_by)
        result: dict[str, pd.DataFrame] = {}

        def build() -> html.Span:
            result["frame"] = reader.query("support/ticket_page", Filters.from_dict(filters_data), sort_column=column,
                                           sort_direction=direction, page_size=PAGE_SIZE, offset=page * PAGE_SIZE)
            frame = result["frame"]
            return html.Span(page_summary(int(frame["tickets_in_view"].iloc[0]) if len(frame) else 0, page))

        body, retry_class = chart_body("support-tickets", build)
        if "frame" not in result:
            return [], [], 1, page, body, retry_class
        frame = result["frame"]
        total = int(frame["tickets_in_view"].iloc[0]) if len(frame) else 0
        rows, tooltips = table_rows(frame)
        return rows, tooltips, max(1, math.ceil(total / PAGE_SIZE)), page, body, retry_class
