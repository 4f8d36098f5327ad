"""The timeline of the Customer tab: every interaction, review, ticket, order and day of product usage of the
selected customer, as a chart (x = date, one lane per source, colour = sentiment, the text in the tooltip) and as a
list (open tickets first, then newest first; long texts expandable; paged in SQL; narrowed to some sources).

Both read sql/queries/customer/customer_timeline.sql. The date range applies to every source, the interaction type
filter to interactions and the review language filter to reviews, as on every tab; the note above the list says how
many of the customer's records those filters leave out (docs/customer.md).
"""

from __future__ import annotations

import math

import dash
import dash_bootstrap_components as dbc
import pandas as pd
from dash import MATCH, Dash, Input, Output, State, ctx, html

from dashapp.components import chart_body, chart_card, register_report_item
from dashapp.figures import customer as figures
from dashapp.tabs.product import TOGGLE_TEXT_JS
from warehouse.filters import Filters
from warehouse.reader import WarehouseReader

CHART_ID = "customer-timeline"
LIST_ID = "customer-records"
CHART_POINTS = 2000  # records drawn at most (open tickets and the newest); the list pages through all of them
PAGE_SIZE = 20
REPORT_RECORDS = 5000  # records an account report prints at most (a few hundred is usual at scale M)
PREVIEW_CHARS = 160  # longer texts are cut at a word and can be expanded
SOURCE_OPTIONS = [{"label": name, "value": source} for source, name in figures.LANES.items()]


def layout() -> html.Div:
    pager = dbc.Pagination(id=f"{LIST_ID}-page", max_value=1, active_page=1, fully_expanded=False,
                           previous_next=True, first_last=True, size="sm", class_name="mb-0")
    sources = dbc.Checklist(id=f"{LIST_ID}-sources", options=SOURCE_OPTIONS, value=list(figures.LANES),
                            inline=True, className="small", input_class_name="me-1")
    return html.Div([
        dbc.Row([dbc.Col(chart_card(
            CHART_ID, "Timeline",
            "Every interaction, review, ticket, order and day of product usage in the date range, one lane per "
            "source; colour = the record's sentiment (orders and usage have none), diamonds = open tickets. Hover "
            "a point to read its text."), className="mb-3")]),
        dbc.Row([dbc.Col(dbc.Card([
            dbc.CardHeader(html.Div([html.H3("Records", className="h6 mb-0 flex-grow-1"), pager],
                                    className="d-flex align-items-center gap-2")),
            dbc.CardBody([
                html.Div([html.Span("Show: ", className="small fw-semibold me-2", id=f"{LIST_ID}-sources-label"),
                          sources], className="d-flex flex-wrap align-items-center mb-2", role="group",
                         **{"aria-labelledby": f"{LIST_ID}-sources-label"}),
                html.Div(id=f"{LIST_ID}-body", **{"aria-live": "polite"}),
                dbc.Button("Retry", id=f"{LIST_ID}-retry", size="sm", color="secondary", outline=True,
                           className="d-none"),
            ]),
        ], className="shadow-sm"), className="mb-3")]),
    ])


# ---------------------------------------------------------------- pure helpers (tested without a server)

def counts(frame: pd.DataFrame) -> tuple[int, int, int]:
    """(records_total, records_in_view, rows_matching) of a customer_timeline result (every row carries them)."""
    if frame.empty:
        return 0, 0, 0
    first = frame.iloc[0]
    return int(first["records_total"]), int(first["records_in_view"]), int(first["rows_matching"])


def outside_note(total: int, in_view: int) -> str:
    """What the date range and the record filters leave out of this customer's records."""
    if total == 0:
        return "This customer has no interactions, reviews, tickets, orders or product usage yet."
    outside = total - in_view
    if outside == 0:
        return f"All {total:,} of the customer's records are in the date range."
    return (f"{in_view:,} of the customer's {total:,} records are in view; {outside:,} are outside the date range or "
            "the interaction type / review language filters. Widen the date range to see them.")


def records_table(frame: pd.DataFrame, offset: int, full_text: bool = False) -> object:
    """The list's page from row `offset`; `full_text` for paper: whole texts instead of expandable previews."""
    rows = frame[frame["source_type"].notna()] if not frame.empty else frame
    total, in_view, matching = counts(frame)
    note = html.P(outside_note(total, in_view), className="small text-muted mb-2", id=f"{LIST_ID}-note")
    if rows.empty:
        message = "No records of the chosen sources in view." if in_view else "No records in view."
        return html.Div([note, html.P(message, className="text-muted py-3 text-center mb-0")])
    shown = f"Records {offset + 1:,}–{offset + len(rows):,} of {matching:,}, open tickets first, then newest first."
    header = html.Thead(html.Tr([html.Th(name, scope="col") for name in ("Date", "Source", "What", "Sentiment",
                                                                           "Text")]))
    body = html.Tbody([_record_row(row, full_text)
                       for row in rows.astype(object).where(rows.notna(), None).to_dict("records")])
    return html.Div([
        note, html.P(shown, className="small mb-2"),
        html.Div(html.Table([header, body], className="table table-sm table-hover align-top small mb-0 records"),
                 className="table-responsive"),
    ])


def _record_row(row: dict, full_text: bool = False) -> html.Tr:
    when = pd.Timestamp(row["record_time"])
    label = figures.sentiment_label(row.get("sentiment_score"))
    colour = figures.SENTIMENT_COLOURS[label]
    sentiment = html.Span([html.Span("●", style={"color": colour}, className="me-1", **{"aria-hidden": "true"}),
                           f"{row['sentiment_score']:+.2f} {label}" if label != figures.NO_SENTIMENT else "–"],
                          className="text-nowrap")
    source = [figures.LANES[row["source_type"]].removesuffix("s") if row["source_type"] != "usage" else "Usage"]
    if row.get("is_open_ticket"):
        source.append(html.Span("open", className="badge text-bg-warning ms-1"))
    key = f"{row['source_type']}-{row['record_id']}"

    def shown(value: object, value_key: str) -> object:
        return str(value) if full_text else _expandable(value, value_key)

    text = [shown(row.get("body"), key)] if row.get("body") else [html.Span("–", className="text-muted")]
    english = row.get("body_english")
    if row["source_type"] == "review" and english and english != row.get("body"):
        text.append(html.Div([html.Span("English: ", className="fw-semibold"), shown(english, f"{key}-en")],
                             className="mt-1"))
    if row.get("requested_remedy"):
        text.append(html.Div([html.Span("Requested: ", className="fw-semibold"), row["requested_remedy"]],
                             className="mt-1"))
    if row["source_type"] == "usage":
        text = [html.Span("Actions per feature: ", className="fw-semibold"), *text]
    time_format = "%d %b %Y" if row["source_type"] == "usage" else "%d %b %Y %H:%M"
    return html.Tr([
        html.Td(when.strftime(time_format), className="text-nowrap"),
        html.Td(source, className="text-nowrap"),
        html.Td(figures.record_headline(row), style={"minWidth": "10rem"}),
        html.Td(sentiment),
        html.Td(text, style={"minWidth": "18rem"}),
    ], className="table-warning" if row.get("is_open_ticket") else None)


def _expandable(text: object, key: str) -> object:
    """The text when short; otherwise a preview cut at a word, the whole text (hidden) and a Show more button."""
    text = str(text)
    if len(text) <= PREVIEW_CHARS:
        return text
    cut = text[:PREVIEW_CHARS].rsplit(" ", 1)[0].rstrip(" ,.;:") or text[:PREVIEW_CHARS]
    return html.Span([
        html.Span(cut + "…", id={"type": "customer-record-preview", "index": key}),
        html.Span(text, id={"type": "customer-record-full", "index": key}, className="d-none"),
        html.Button("Show more", id={"type": "customer-record-toggle", "index": key}, n_clicks=0, type="button",
                    className="btn btn-link btn-sm p-0 ms-1 align-baseline", **{"aria-expanded": "false"}),
    ])


# ---------------------------------------------------------------- callbacks

def timeline_frame(reader: WarehouseReader, customer_id: str, filters: Filters, sources: list[str] | None = None,
                   page_size: int | None = CHART_POINTS, offset: int = 0) -> pd.DataFrame:
    """customer/customer_timeline for one customer (page_size None: every row). "All time" (filters/date_bounds)
    spans every source the timeline shows, orders and usage included, so no range needs to be open-ended."""
    return reader.query("customer/customer_timeline", filters, customer_id=customer_id, sources=sources,
                        page_size=page_size, offset=offset)


def chart(reader: WarehouseReader, customer_id: str, filters: Filters) -> object:
    frame = timeline_frame(reader, customer_id, filters, None, CHART_POINTS, 0)
    return figures.timeline(frame, counts(frame)[1])


def report_records(reader: WarehouseReader, customer_id: str, filters: Filters, all_rows: bool) -> object:
    """The complete list for the account report: every record in view, whole texts, open tickets first, then
    newest first (REPORT_RECORDS at most on paper; the Excel export, all_rows, reads every one)."""
    frame = timeline_frame(reader, customer_id, filters, None, None if all_rows else REPORT_RECORDS, 0)
    table = records_table(frame.head(REPORT_RECORDS), 0, full_text=True)
    matching = counts(frame)[2]
    if matching <= REPORT_RECORDS:
        return table
    return html.Div([html.P(f"The first {REPORT_RECORDS:,} of {matching:,} records are printed; the Excel export of "
                            "this tab has all of them.", className="small"), table])


def register(app: Dash, reader: WarehouseReader) -> None:
    register_report_item(CHART_ID, lambda f, customer: chart(reader, customer, f), per_customer=True)
    register_report_item(LIST_ID, lambda f, customer, all_rows: report_records(reader, customer, f, all_rows),
                         "Records", help_text="Every record of the timeline in view, with its whole text.",
                         per_customer=True, paged=True)

    def timeline(customer_id: str, filters_data: dict, sources: list[str] | None, size: int,
                 offset: int) -> pd.DataFrame:
        return timeline_frame(reader, customer_id, Filters.from_dict(filters_data), sources, size, offset)

    @app.callback(Output(f"{CHART_ID}-body", "children"), Output(f"{CHART_ID}-retry", "className"),
                  Input("customer", "data"), Input("filters", "data"), Input(f"{CHART_ID}-retry", "n_clicks"))
    def show_chart(customer_id: str | None, filters_data: dict, _retry: int | None):
        if not customer_id:
            return None, "d-none"

        return chart_body(CHART_ID, lambda: chart(reader, customer_id, Filters.from_dict(filters_data)))

    @app.callback(Output(f"{LIST_ID}-body", "children"), Output(f"{LIST_ID}-retry", "className"),
                  Output(f"{LIST_ID}-page", "max_value"), Output(f"{LIST_ID}-page", "active_page"),
                  Input("customer", "data"), Input("filters", "data"), Input(f"{LIST_ID}-sources", "value"),
                  Input(f"{LIST_ID}-page", "active_page"), Input(f"{LIST_ID}-retry", "n_clicks"),
                  State(f"{LIST_ID}-page", "max_value"))
    def show_list(customer_id: str | None, filters_data: dict, sources: list[str] | None, page: int | None,
                  _retry: int | None, pages: int | None):
        if not customer_id:
            return None, "d-none", 1, 1
        # a new customer, new filters or other sources start again at the first page
        keep_page = ctx.triggered_id in (f"{LIST_ID}-page", f"{LIST_ID}-retry")
        page = max(1, int(page or 1)) if keep_page else 1
        chosen = [s for s in (sources or []) if s in figures.LANES]
        result: dict[str, int] = {}

        def build():
            if not chosen:
                return html.P("Choose at least one source to list.", className="text-muted mb-0")
            frame = timeline(customer_id, filters_data, chosen, PAGE_SIZE, (page - 1) * PAGE_SIZE)
            result["pages"] = max(1, math.ceil(counts(frame)[2] / PAGE_SIZE))
            return records_table(frame, (page - 1) * PAGE_SIZE)

        body, retry_class = chart_body(LIST_ID, build)
        new_pages = result.get("pages", pages if isinstance(pages, int) and pages > 0 else 1)
        return (body, retry_class, new_pages if new_pages != pages else dash.no_update,
                min(page, new_pages) if not keep_page else dash.no_update)

    app.clientside_callback(
        TOGGLE_TEXT_JS,
        Output({"type": "customer-record-preview", "index": MATCH}, "className"),
        Output({"type": "customer-record-full", "index": MATCH}, "className"),
        Output({"type": "customer-record-toggle", "index": MATCH}, "children"),
        Output({"type": "customer-record-toggle", "index": MATCH}, "aria-expanded"),
        Input({"type": "customer-record-toggle", "index": MATCH}, "n_clicks"),
        prevent_initial_call=True,
    )
