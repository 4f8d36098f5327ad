"""The segment explorer of the Segmentation tab: every customer in view in an AG Grid that loads its rows from
the warehouse as the user scrolls (infinite row model), sorted by any column header and searched by customer id
or name, with the customer's signals and summary. 100k customers never travel to the browser at once.

Rows come from sql/queries/segmentation/segment_explorer_page.sql; the sort column is checked against
COLUMNS before it reaches SQL (as a bound value choosing a CASE branch, never as SQL text)."""

from __future__ import annotations

import logging
from typing import Any

import dash_ag_grid as dag
import dash_bootstrap_components as dbc
import pandas as pd
from dash import Dash, Input, Output, State, dcc, html

from dashapp.components import format_like_d3, register_report_item, report_table, rows_note
from dashapp.figures.common import is_missing
from dashapp.grids import grid_sort, infinite_grid, number_column, register_grid_refresh, requested_block
from warehouse.filters import Filters
from warehouse.reader import WarehouseReader

log = logging.getLogger(__name__)

GRID_ID = "segment-explorer-grid"
BLOCK_SIZE = 100  # rows per request as the user scrolls
# column id -> (header, kind). Every column is sortable on the server; "text" columns sort alphabetically,
# "number" columns numerically, "level" columns High > Medium > Low.
COLUMNS: dict[str, tuple[str, str]] = {
    "customer_id": ("Customer", "text"),
    "customer_name": ("Name", "text"),
    "value_segment": ("Value segment", "text"),
    "lifetime_value": ("Lifetime value", "number"),
    "derived_persona": ("Persona", "text"),
    "churn_risk": ("Churn risk", "level"),
    "upsell_opportunity": ("Upsell", "level"),
    "overall_sentiment": ("Sentiment", "text"),
    "avg_sentiment": ("Avg sentiment", "number"),
    "sentiment_trend": ("Trend", "number"),
    "ticket_count": ("Tickets", "number"),
    "avg_rating": ("Avg rating", "number"),
}
DEFAULT_SORT = ("lifetime_value", "desc")
HELP = "Every customer the sidebar filters keep, with their signals over their whole history."
REPORT_ROWS = 50  # customers printed in a PDF report (the Excel export has all of them)
_NUMBER_FORMATS = {  # d3-format strings applied in the browser
    "lifetime_value": ",.0f", "avg_sentiment": "+.2f", "sentiment_trend": "+.2f", "ticket_count": ",d",
    "avg_rating": ".2f",
}


def column_defs() -> list[dict[str, Any]]:
    defs: list[dict[str, Any]] = []
    for column_id, (header, kind) in COLUMNS.items():
        definition: dict[str, Any] = {"field": column_id, "headerName": header, "sortable": True}
        if kind == "number":
            definition.update(number_column(_NUMBER_FORMATS[column_id]))
        if column_id == "customer_id":  # a link to the Customer tab (dashapp/assets/30-customer.js)
            definition.update(pinned="left", width=140, cellRenderer="CustomerLink")
        if column_id == "customer_name":
            definition.update(tooltipField="customer_summary", width=220)
        defs.append(definition)
    defs.append({"field": "customer_summary", "headerName": "Summary", "sortable": False, "flex": 1,
                 "minWidth": 320, "tooltipField": "customer_summary"})
    return defs


def explorer_card() -> dbc.Card:
    return dbc.Card([
        dbc.CardHeader(html.Div([
            html.H3("Segment explorer", className="h6 mb-0 flex-grow-1"),
            dbc.Label("Search customers by id or name", html_for="segment-explorer-search",
                      className="visually-hidden"),
            dbc.Input(id="segment-explorer-search", type="search", placeholder="Search customer id or name…",
                      debounce=True, size="sm", style={"maxWidth": "260px"}),
        ], className="d-flex align-items-center gap-2")),
        dbc.CardBody([
            html.P(f"{HELP} Sort by any column header; hover a name or summary to read the customer summary.",
                   className="text-muted small mb-2"),
            html.Div(id="segment-explorer-count", className="small mb-2", **{"aria-live": "polite"}),
            dcc.Store(id="segment-explorer-refresh"),
            grid(),
        ]),
    ], className="shadow-sm")


def grid() -> dag.AgGrid:
    return infinite_grid(GRID_ID, column_defs(), BLOCK_SIZE, {"height": "480px"}, tooltipShowDelay=300)


def sort_params(sort_model: list[dict] | None) -> tuple[str, str]:
    """The grid's sort from the whitelist COLUMNS; anything else gives the default order (highest lifetime value
    first)."""
    return grid_sort(sort_model, COLUMNS, DEFAULT_SORT)


def search_pattern(text: str | None) -> str | None:
    """A LIKE pattern for :search (escape character '!'), or None for no search. Wildcards typed by the user
    match themselves."""
    term = (text or "").strip().lower()[:100]
    if not term:
        return None
    escaped = term.replace("!", "!!").replace("%", "!%").replace("_", "!_")
    return f"%{escaped}%"


def grid_rows(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as JSON-ready dicts (NaN/NA -> None)."""
    records = frame.drop(columns=["customers_in_view"], errors="ignore").to_dict("records")
    return [{k: (None if is_missing(v) else v) for k, v in record.items()} for record in records]



def report_table_card(reader: WarehouseReader, filters: Filters, all_rows: bool = False) -> html.Div:
    """The explorer in a report: the first REPORT_ROWS customers in the grid's default order (highest lifetime value
    first), from the grid's own query; with all_rows (the Excel/CSV export) the query reads every customer in view.
    The summaries are left out on paper (a 100-word text per row): the export has them."""
    frame = reader.query("segmentation/segment_explorer_page", filters, sort_column=DEFAULT_SORT[0],
                         sort_direction=DEFAULT_SORT[1], search=None,
                         page_size=None if all_rows else REPORT_ROWS, offset=0)
    total = int(frame["customers_in_view"].iloc[0]) if len(frame) else 0
    rows = grid_rows(frame.head(REPORT_ROWS))
    for row in rows:  # as the grid formats them in the browser
        for column, spec in _NUMBER_FORMATS.items():
            row[column] = format_like_d3(row.get(column), spec)  # "–" for none, as the grid shows it
    note = rows_note(len(rows), total, "customers in view", "highest lifetime value first")
    return html.Div([
        html.P(f"{note} Customer summaries: in the Excel export.", className="small"),
        report_table({column: header for column, (header, _kind) in COLUMNS.items()}, rows, "explorer",
                     {column: "num" for column in _NUMBER_FORMATS}),
    ])


def register(app: Dash, reader: WarehouseReader) -> None:
    register_report_item(GRID_ID, lambda f, all_rows: report_table_card(reader, f, all_rows), "Segment explorer",
                         help_text=HELP, paged=True)
    register_grid_refresh(app, GRID_ID, "segment-explorer-refresh", Input("filters", "data"),
                          Input("segment-explorer-search", "value"))

    @app.callback(Output(GRID_ID, "getRowsResponse"), Output("segment-explorer-count", "children"),
                  Input(GRID_ID, "getRowsRequest"), State("filters", "data"), State("segment-explorer-search", "value"),
                  prevent_initial_call=True)
    def rows(request: dict | None, filters_data: dict, search: str | None) -> tuple:
        start, size = requested_block(request, BLOCK_SIZE)
        column, direction = sort_params((request or {}).get("sortModel"))
        try:
            frame = reader.query("segmentation/segment_explorer_page", Filters.from_dict(filters_data),
                                 sort_column=column, sort_direction=direction, search=search_pattern(search),
                                 page_size=size, offset=start)
        except Exception as exc:  # a failed query must not take the page down
            log.exception("segment explorer failed")
            return {"rowData": [], "rowCount": 0}, html.Span(
                f"The customers could not be loaded ({type(exc).__name__}). Change a filter to retry.",
                className="text-danger")
        total = int(frame["customers_in_view"].iloc[0]) if len(frame) else (start if start else 0)
        found = f"{total:,} customer{'s' if total != 1 else ''}" + (" match the search" if search else " in view")
        return {"rowData": grid_rows(frame), "rowCount": total}, found
