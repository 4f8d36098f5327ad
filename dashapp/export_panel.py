"""The "Export data" dialog of the report bar: the data behind the view in view (the tab's Excel workbook, each card's
data as CSV) and raw records (interactions, usage events, tickets, reviews, orders) for chosen teams, users and a
period. Every download is a plain link to a route of dashapp/export_routes.py, so big files never pass through a
Dash callback; the callbacks here only build the links and fill the pickers.

Use: `export_panel.layout()` in the report bar, `export_panel.register(app, reader)` once (it adds the routes).
The reports modules are imported inside the functions: they import dashapp.shell, which may import this module."""

from __future__ import annotations

from dataclasses import replace
from urllib.parse import parse_qsl, urlencode

import dash
import dash_bootstrap_components as dbc
from dash import Dash, Input, Output, State, ctx, dcc, html

from dashapp.tabs import customer as customer_tab
from dashapp.tabs.segment_explorer import search_pattern
from warehouse.filters import Filters
from warehouse.reader import WarehouseReader

OPEN_ID, MODAL_ID, CLOSE_ID = "export-open", "export-modal", "export-close"
VIEW_ID = "export-view"
DATASET_ID, FORMAT_ID, TEAMS_ID, USERS_ID, PERIOD_ID = ("export-dataset", "export-format", "export-teams",
                                                        "export-users", "export-period")
LINK_ID, SUMMARY_ID = "export-raw-link", "export-raw-summary"
USER_OPTIONS = 20


def layout() -> html.Div:
    return html.Div([
        dbc.Button("Export data", id=OPEN_ID, size="sm", color="secondary", outline=True, className="ms-2"),
        dbc.Modal([
            dbc.ModalHeader(dbc.ModalTitle("Export data")),
            dbc.ModalBody([
                html.H3("This view", className="h6"),
                html.P("The tab as filtered now. Tables hold every row that matches the filters, not only the page "
                       "on screen.", className="small text-muted mb-2"),
                dcc.Loading(html.Div(id=VIEW_ID, className="mb-3"), type="dot"),
                html.Hr(),
                html.H3("Raw records", className="h6"),
                html.P("Records as loaded, for the sidebar's filters (the customer filters choose the teams), the "
                       "teams, users and period below.", className="small text-muted mb-2"),
                _raw_form(),
            ]),
            dbc.ModalFooter(dbc.Button("Close", id=CLOSE_ID, color="secondary", outline=True)),
        ], id=MODAL_ID, size="lg", is_open=False),  # not scrollable: it would clip the pickers' lists
    ], className="d-inline-block")


def _raw_form() -> html.Div:
    from reports.exports import DATASETS

    def field(label: str, control: object, control_id: str, width: int = 12) -> dbc.Col:
        return dbc.Col([dbc.Label(label, html_for=control_id, className="small fw-semibold mb-1"), control],
                       md=width, className="mb-2")

    return html.Div([
        dbc.Row([
            field("Records", dbc.Select(id=DATASET_ID, value="interactions", size="sm",
                                        options=[{"label": d.label, "value": d.name} for d in DATASETS.values()]),
                  DATASET_ID, 5),
            field("Period", dcc.DatePickerRange(id=PERIOD_ID, display_format="YYYY-MM-DD", minimum_nights=0,
                                                className="small"), PERIOD_ID, 7),
        ]),
        dbc.Row([
            field("Teams", dcc.Dropdown(id=TEAMS_ID, multi=True, options=[],
                                        placeholder="All teams in view – type a customer id or name to choose"),
                  TEAMS_ID, 6),
            field("Users", dcc.Dropdown(id=USERS_ID, multi=True, options=[], disabled=True,
                                        placeholder="Usage events only"), USERS_ID, 6),
        ]),
        html.Div(id=SUMMARY_ID, className="small text-muted mb-2", **{"aria-live": "polite"}),
        html.Div([
            dbc.RadioItems(id=FORMAT_ID, value="csv", inline=True, className="me-3",
                           options=[{"label": "CSV", "value": "csv"}, {"label": "Excel", "value": "xlsx"}]),
            html.A("Download", id=LINK_ID, href="", className="btn btn-primary btn-sm", role="button"),
        ], className="d-flex align-items-center"),
    ])


# ---------------------------------------------------------------- pure helpers (tested without a server)

def export_href(prefix: str, stem: str, suffix: str, search: str | None, **own: list[str] | str | None) -> str:
    """The route's URL: the dashboard's query string (without the export's own keys) and the export's keys."""
    kept = [(k, v) for k, v in parse_qsl(_query(search), max_num_fields=500)
            if k not in ("team", "user", "period_from", "period_to", "card")]
    for key, values in own.items():
        for value in values if isinstance(values, list) else [values]:
            if value:
                kept.append((key, value))
    return f"{prefix}export/{stem}.{suffix}" + (f"?{urlencode(kept)}" if kept else "")


def _query(search: str | None) -> str:
    """The query string of a URL, of "?a=b" or of "a=b" (as reports.view.search_of)."""
    text = search or ""
    return text.split("?", 1)[1] if "?" in text else ("" if "://" in text else text)


def keep_selected(options: list[dict[str, str]], previous: list[dict] | None,
                  selected: list[str] | None) -> list[dict]:
    """New options plus the options of the values already chosen: a multi dropdown drops values it has no option
    for."""
    values = {o["value"] for o in options}
    selected = selected if isinstance(selected, list) else []  # a multi dropdown's value: a list, or None
    kept = [o for o in previous or [] if o.get("value") in selected and o.get("value") not in values]
    return kept + options


def user_option(row: dict) -> dict[str, str]:
    name = row.get("user_name")
    named = f" · {name}" if isinstance(name, str) and name else ""
    return {"value": row["user_id"], "label": f"{row['user_id']}{named} ({row['customer_id']})"}


def view_links(reader: WarehouseReader, search: str, prefix: str) -> html.Div:
    """The workbook link and a CSV link per card of the tab in view (each query of a card reading several)."""
    from reports.content import build_tab_data
    from reports.exports import FULL_TABLES
    from reports.view import ReportError, view_from_search

    try:
        view = view_from_search(reader, search)
        data = build_tab_data(reader, view.tab, view.filters, customer=view.customer)
    except ReportError as exc:  # e.g. the Customer tab without a customer
        return html.Div(f"Nothing to export from this tab: {exc}", className="text-muted small")
    rows = []
    for card in data.cards:
        if card.error:
            rows.append(html.Li([card.title, html.Span(f" – {card.error}", className="text-danger")]))
            continue
        links: list = []
        for number, (query, frame) in enumerate(card.frames, start=1):
            card_key = card.card_id if len(card.frames) == 1 else f"{card.card_id}:{number}"
            rows_text = "every matching row" if card.card_id in FULL_TABLES else \
                f"{len(frame):,} row{'' if len(frame) == 1 else 's'}"
            label = "CSV" if len(card.frames) == 1 else f"CSV {query.rsplit('/', 1)[-1]}"
            links += [" ", html.A(label, href=export_href(prefix, "card", "csv", search, card=card_key),
                                  className="export-card-link"), html.Span(f" ({rows_text})", className="text-muted")]
        rows.append(html.Li([html.Span(card.title, className="fw-semibold"), " –", *links]))
    from dashapp.state import TABS

    workbook = html.A(f"Excel workbook of the {TABS[view.tab]} tab", href=export_href(prefix, "view", "xlsx", search),
                      className="btn btn-outline-primary btn-sm mb-2", id="export-view-xlsx", role="button")
    return html.Div([workbook, html.Div("One card's data as CSV:", className="small fw-semibold"),
                     html.Ul(rows, className="small mb-0", id="export-card-links")])


def summary(filters: Filters, dataset: str, fmt: str, teams: list[str] | None) -> list:
    from dashapp.shell import chip_texts
    from reports.excel import MAX_ROWS
    from reports.exports import DATASETS

    spec = DATASETS.get(dataset, DATASETS["interactions"])
    chips = [text for text, *_rest in chip_texts(filters)[1:]]
    parts = [html.Div(f"Applies: {spec.applies}.")]
    parts.append(html.Div("Sidebar filters: " + ("; ".join(chips) if chips else "none") + "."))
    if teams and chips:
        parts.append(html.Div("A chosen team outside the sidebar's customer filters has no rows in the file."))
    if fmt == "xlsx":
        parts.append(html.Div(f"Excel holds at most {MAX_ROWS:,} rows; CSV has no limit and starts at once."))
    return parts


# ---------------------------------------------------------------- callbacks

def register(app: Dash, reader: WarehouseReader) -> None:
    from dashapp.export_routes import register_routes
    from reports.exports import DATASETS

    register_routes(app.server, reader)
    prefix = app.get_relative_path("/")

    @app.callback(Output(MODAL_ID, "is_open"), Input(OPEN_ID, "n_clicks"), Input(CLOSE_ID, "n_clicks"),
                  State(MODAL_ID, "is_open"), prevent_initial_call=True)
    def toggle(_open: int | None, _close: int | None, is_open: bool) -> bool:
        return ctx.triggered_id == OPEN_ID and not is_open

    # Opening the dialog fills "This view" for the URL in view and sets the period to the sidebar's date range.
    @app.callback(Output(VIEW_ID, "children"), Output(PERIOD_ID, "start_date"), Output(PERIOD_ID, "end_date"),
                  Output(TEAMS_ID, "value"), Output(TEAMS_ID, "options"),
                  Input(MODAL_ID, "is_open"), State("url", "search"), State("filters", "data"),
                  State(TEAMS_ID, "value"), State(TEAMS_ID, "options"), prevent_initial_call=True)
    def opened(is_open: bool, search: str | None, filters_data: dict | None, teams: list[str] | None,
               options: list[dict] | None):
        if not is_open:
            return (dash.no_update,) * 5
        filters = Filters.from_dict(filters_data)
        start, end = filters.date_from, filters.date_to
        # On the Customer tab the customer in view is the team to export, unless teams were chosen already.
        keys = dict(parse_qsl(_query(search)))
        customer = keys.get("customer")
        if not teams and customer and keys.get("tab") == "customer":
            label = reader.query("customer/customer_label", customer_id=customer)
            if len(label):
                teams = [customer]
                options = [customer_tab.option(customer, label["customer_name"].iloc[0])]
        return (view_links(reader, search or "", prefix), start and start.isoformat(), end and end.isoformat(),
                teams or [], options or [])

    @app.callback(Output(TEAMS_ID, "options", allow_duplicate=True), Input(TEAMS_ID, "search_value"),
                  State(TEAMS_ID, "value"), State(TEAMS_ID, "options"), prevent_initial_call=True)
    def search_teams(text: str | None, selected: list[str] | None, options: list[dict] | None):
        params = customer_tab.search_params(text)  # the Customer tab's own search, over the whole warehouse
        if params is None:
            return dash.no_update
        frame = reader.query("customer/search_customers", **params)
        found = [customer_tab.option(r["customer_id"], r["customer_name"]) for r in frame.to_dict("records")]
        return keep_selected(found, options, selected)

    @app.callback(Output(USERS_ID, "options"), Output(USERS_ID, "value"), Output(USERS_ID, "disabled"),
                  Output(USERS_ID, "placeholder"),
                  Input(USERS_ID, "search_value"), Input(TEAMS_ID, "value"), Input(DATASET_ID, "value"),
                  State(USERS_ID, "value"), State(USERS_ID, "options"))
    def users(text: str | None, teams: list[str] | None, dataset: str | None, selected: list[str] | None,
              options: list[dict] | None):
        if not DATASETS.get(dataset or "", DATASETS["interactions"]).has_users:
            return [], [], True, "Usage events only: other records have no user"
        teams = teams or None
        if selected and ctx.triggered_id == TEAMS_ID:  # users of teams no longer chosen are dropped
            still = reader.query("exports/users", team_ids=teams, user_ids=selected, search=None,
                                 limit=len(selected) * 10)
            selected = [u for u in selected if u in set(still["user_id"])]
        pattern = search_pattern(text)
        found = []
        if pattern or teams:
            frame = reader.query("exports/users", team_ids=teams, user_ids=None, search=pattern, limit=USER_OPTIONS)
            found = [user_option(r) for r in frame.to_dict("records")]
        placeholder = ("All users of the chosen teams – type to choose" if teams else
                       "All users – type a user id or name")
        return keep_selected(found, options, selected), selected or [], False, placeholder

    @app.callback(Output(LINK_ID, "href"), Output(LINK_ID, "children"), Output(SUMMARY_ID, "children"),
                  Input(DATASET_ID, "value"), Input(FORMAT_ID, "value"), Input(TEAMS_ID, "value"),
                  Input(USERS_ID, "value"), Input(PERIOD_ID, "start_date"), Input(PERIOD_ID, "end_date"),
                  Input("url", "search"), State("filters", "data"))
    def link(dataset: str | None, fmt: str | None, teams: list[str] | None, users: list[str] | None,
             start: str | None, end: str | None, search: str | None, filters_data: dict | None):
        dataset = dataset if dataset in DATASETS else "interactions"
        fmt = fmt if fmt in ("csv", "xlsx") else "csv"
        href = export_href(prefix, dataset, fmt, search, team=teams or [],
                           user=(users or []) if DATASETS[dataset].has_users else [],
                           period_from=(start or "")[:10], period_to=(end or "")[:10])
        text = f"Download {DATASETS[dataset].label.lower()} ({'Excel' if fmt == 'xlsx' else 'CSV'})"
        filters = Filters.from_dict(filters_data)
        if filters.date_from is None or filters.date_to is None:  # before the shell filled the store
            first, last = reader.date_bounds()
            filters = replace(filters, date_from=filters.date_from or first, date_to=filters.date_to or last)
        return href, text, summary(filters, dataset, fmt, teams)
