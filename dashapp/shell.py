"""The app shell: header with the data date and what is in view, the sidebar of global filters, active
filter chips, saved presets, the tabs, and the one callback that keeps URL, controls and filters in sync."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from functools import partial

import dash
import dash_bootstrap_components as dbc
from dash import ALL, Dash, Input, Output, State, ctx, dcc, html

from dashapp import export_panel, feedback, preferences, presets, refresh, schedule_dialog, share
from dashapp.figures.common import ORDER
from dashapp.state import (
    DEFAULT_PRESET,
    PRESETS,
    TABS,
    URL_KEYS,
    ViewState,
    parse_search,
    preset_dates,
    to_search,
)
from dashapp.tabs import TAB_MODULES
from etl.sources.contract import LANGUAGE_NAMES  # one list of language names for the whole app
from warehouse.filters import LIST_FILTERS, Filters
from warehouse.reader import WarehouseReader, WarehouseUnavailable

FILTER_LABELS = {"segment": "Value segment", "persona": "Persona", "risk": "Churn risk",
                 "upsell": "Upsell opportunity", "type": "Interaction type", "lang": "Review language"}


def chip_texts(filters: Filters) -> list[tuple[str, str | None, str | None, str | None]]:
    """The active-filter chips as (text, URL key, value, value label): the date range first (no key), then one per
    selected value. The shell shows them; PDF reports print the same texts."""
    dates = (f"{filters.date_from:%d %b %Y} – {filters.date_to:%d %b %Y}" if filters.date_from and filters.date_to
             else "All dates")  # the page always sends both; a hand-made request may not
    chips: list[tuple[str, str | None, str | None, str | None]] = [(dates, None, None, None)]
    for key, name in URL_KEYS.items():
        for value in getattr(filters, name):
            label = LANGUAGE_NAMES.get(value, value) if key == "lang" else value
            chips.append((f"{FILTER_LABELS[key]}: {label}", key, value, label))
    return chips


def filter_options(reader: WarehouseReader) -> dict[str, list[str]]:
    """Dimension -> its values in the warehouse, in their natural order where there is one."""
    frame = reader.query("filters/options")
    options: dict[str, list[str]] = {}
    for dimension, group in frame.groupby("dimension", sort=False):
        values = list(group["value"])
        order = ORDER.get(dimension)
        options[dimension] = sorted(values, key=lambda v: (order.index(v) if order and v in order else 99, v))
    return options


def customer_exists(reader: WarehouseReader, customer_id: str) -> bool:
    """Whether a customer id (the URL's `customer`) is in the warehouse: what parse_search asks of a link."""
    return not reader.query("customer/customer_label", customer_id=customer_id).empty


def layout(reader: WarehouseReader, user_menu: object = None) -> html.Div:
    """The page; `user_menu` (dashapp.auth.user_menu: who is signed in, sign-out) goes at the header's right end."""
    try:
        options = filter_options(reader)
        first, last = reader.date_bounds()
    except WarehouseUnavailable as exc:
        return dbc.Container(dbc.Alert([html.Strong("No data yet. "), str(exc)], color="warning", className="mt-4"))
    return html.Div([
        dcc.Location(id="url", refresh="callback-nav"),
        dcc.Store(id="filters"),
        # the Customer tab's customer (written here, from the URL) and a pick made in that tab (written there)
        dcc.Store(id="customer"),
        dcc.Store(id="customer-pick"),
        _header(last, reader, user_menu),
        dbc.Container([
            dbc.Row([
                dbc.Col(_sidebar(options, first, last), lg=3, xxl=2, className="sidebar py-3"),
                dbc.Col([
                    dbc.Alert(id="url-notice", is_open=False, dismissable=True, color="warning",
                              className="mt-3 mb-0"),
                    html.Div(id="filter-chips", className="d-flex flex-wrap gap-2 align-items-center my-3"),
                    _report_bar(),
                    dbc.Tabs([dbc.Tab(label=m.LABEL, tab_id=m.TAB_ID) for m in TAB_MODULES], id="tabs",
                             active_tab=TAB_MODULES[0].TAB_ID, className="mb-3"),
                    html.Div(id="tab-content"),
                ], lg=9, xxl=10, className="pb-4"),
            ]),
        ], fluid=True),
    ])


EXCEL_ROUTE = "/export/view.xlsx"  # dashapp/export_routes.py
PDF_MENU = {  # menu item id -> (kind of report, label); the kinds are reports.kinds.KINDS
    "report-pdf": ("tab", "This tab as filtered"),
    "report-full": ("full", "Full report: every tab, with contents"),
    "report-executive": ("executive", "Executive summary: KPIs, findings, actions"),
    "report-activity": ("activity", "Usage activity: last 30 days, a page per team"),
}


def _report_bar() -> html.Div:
    """The PDF reports of the view (menu), "Download Excel" (the data behind the tab), and the sharing dialogs;
    the spinner turns while a report is built (a few seconds)."""
    return html.Div([
        html.Span(id="report-error", className="small text-danger me-2", **{"aria-live": "polite"}),
        dcc.Loading(dcc.Download(id="report-download"), type="circle", delay_show=200),
        dbc.DropdownMenu([dbc.DropdownMenuItem(label, id=item_id) for item_id, (_kind, label) in PDF_MENU.items()],
                         label="Download PDF", id="report-menu", size="sm", color="secondary", className="ms-2",
                         align_end=True),
        # a plain link to the export route (set from the URL): a workbook can be tens of MB, too big for a callback
        dbc.Button("Download Excel", id="report-xlsx", size="sm", color="secondary", outline=True,
                   className="ms-2", href=EXCEL_ROUTE, external_link=True,
                   title="The data behind every card of this tab, one sheet per table"),
        export_panel.layout(),
        schedule_dialog.layout(),
        share.layout(),
        feedback.layout(),
        preferences.layout(),  # the dialog of the header's "Preferences"
    ], className="d-flex justify-content-end align-items-center mb-2")


def _header(last: date, reader: WarehouseReader, user_menu: object = None) -> dbc.Navbar:
    return dbc.Navbar(dbc.Container([
        html.Span([html.Span("Customer Insight", className="navbar-brand mb-0 h1"),
                   html.Span(f"data up to {last:%d %b %Y}", className="text-white-50 small ms-2")]),
        html.Div([html.Span(id="in-view-counts", className="text-white small me-3", **{"aria-live": "polite"}),
                  refresh.layout(reader), *([user_menu] if user_menu is not None else [])],
                 className="d-flex align-items-center"),
    ], fluid=True), color="dark", dark=True, className="py-2")


def _sidebar(options: dict[str, list[str]], first: date, last: date) -> html.Div:
    controls = [
        html.H2("Filters", className="h6 text-uppercase text-muted"),
        html.Div([
            dbc.Label("Date range", html_for="f-range", id="f-range-label", className="small fw-semibold mb-1"),
            dcc.Dropdown(id="f-range", options=[{"label": v, "value": k} for k, v in PRESETS.items()],
                         value=DEFAULT_PRESET, clearable=False, searchable=False, className="mb-2"),
            dcc.DatePickerRange(id="f-dates", min_date_allowed=first, max_date_allowed=last,
                                initial_visible_month=last, display_format="YYYY-MM-DD", start_date=first,
                                end_date=last, className="mb-3 small", minimum_nights=0),
        ], role="group", **{"aria-labelledby": "f-range-label"}),
    ]
    for key, name in URL_KEYS.items():
        dimension = LIST_FILTERS[name]
        values = options.get(dimension, [])
        labels = LANGUAGE_NAMES if dimension == "review_language" else {}
        # The dropdown's button names itself by its value ("All"), so a `for=` label does not reach screen
        # readers: the group around label and dropdown carries the name ("Churn risk, group; All, button").
        controls.append(html.Div([
            dbc.Label(FILTER_LABELS[key], html_for=f"f-{key}", id=f"f-{key}-label", className="small fw-semibold mb-1"),
            dcc.Dropdown(id=f"f-{key}", multi=True, placeholder="All",
                         options=[{"label": labels.get(v, v), "value": v} for v in values], className="mb-3"),
        ], role="group", **{"aria-labelledby": f"f-{key}-label"}))
    controls += [
        html.Div([
            dbc.Button("Clear all", id="f-clear", size="sm", color="secondary", outline=True),
            dbc.Button("Reset to default", id="f-reset", size="sm", color="secondary", outline=True),
        ], className="d-flex gap-2 mb-4"),
        *presets.sidebar(),  # saved views: dashapp/presets.py
    ]
    return html.Div(controls)


def _state_from_controls(tab: str, preset: str, start: str | None, end: str | None,
                         values: list[list[str] | None], customer: str | None) -> ViewState:
    # the controls' values as the page sends them; a hand-made request's others are dropped, never an error
    selections = {name: tuple(x for x in v if isinstance(x, str)) for name, v in zip(URL_KEYS.values(), values,
                                                                                     strict=True)
                  if isinstance(v, list) and any(isinstance(x, str) for x in v)}
    custom_from = _iso_date(start) if preset == "custom" else None
    custom_to = _iso_date(end) if preset == "custom" else None
    return ViewState(tab if tab in TABS else TAB_MODULES[0].TAB_ID, preset if preset in PRESETS else DEFAULT_PRESET,
                     custom_from, custom_to, selections, customer if isinstance(customer, str) and customer else None)


def _iso_date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value[:10]) if isinstance(value, str) and value else None
    except ValueError:
        return None


def register(app: Dash, reader: WarehouseReader) -> None:
    keys = list(URL_KEYS)
    known_customer = partial(customer_exists, reader)

    # The one writer of the URL, the controls, the filters and the selected customer: every change, wherever it
    # starts (a link, Back/Forward, a control, a pick in the Customer tab), goes through here.
    @app.callback(
        Output("url", "search"), Output("tabs", "active_tab"), Output("f-range", "value"),
        Output("f-dates", "start_date"), Output("f-dates", "end_date"),
        *[Output(f"f-{k}", "value") for k in keys],
        Output("filters", "data"), Output("url-notice", "children"), Output("url-notice", "is_open"),
        Output("customer", "data"), Output("preset-select", "value"),
        Input("url", "search"), Input("tabs", "active_tab"), Input("f-range", "value"),
        Input("f-dates", "start_date"), Input("f-dates", "end_date"),
        *[Input(f"f-{k}", "value") for k in keys],
        Input("f-clear", "n_clicks"), Input("f-reset", "n_clicks"), Input("preset-select", "value"),
        Input("customer-pick", "data"),
        State("filters", "data"), State("customer", "data"),
    )
    def sync(search, tab, preset, start, end, *rest):
        values, (_clear, _reset, chosen_preset, picked, current, customer) = \
            list(rest[:len(keys)]), rest[len(keys):]
        trigger = ctx.triggered_id
        options = filter_options(reader)
        bounds = reader.date_bounds()
        notices: list[str] = []
        if trigger is None or trigger == "url":
            state, notices = parse_search(search, options, known_customer)
        elif trigger == "preset-select":
            saved = presets.view_search(chosen_preset)  # None: no preset, or not one this user may apply
            if saved is None:
                return (dash.no_update,) * (10 + len(keys))  # every output unchanged
            state, notices = parse_search(saved, options, known_customer)
        elif trigger == "f-reset":  # the filters go back to the defaults (the user's date range); the customer stays
            state = ViewState(tab=tab, preset=preferences.default_range(), customer=customer)
        else:
            if trigger == "f-dates":
                preset = "custom"
            state = _state_from_controls(tab, preset, start, end, values,
                                         picked if trigger == "customer-pick" else customer)
            if trigger == "f-clear":
                state = replace(state, selections={})
        filters = state.filters(bounds)
        new_search = dash.no_update if trigger in (None, "url") else to_search(state)
        # Setting the active tab to the same value would rebuild the tab's layout: only send a real change.
        new_tab = state.tab if state.tab != tab else dash.no_update
        # Unchanged filters are not sent again: a new store value re-runs every chart of the page, and on a tab
        # switch those callbacks would race with the old tab's layout being removed (console errors).
        new_filters = filters.to_dict()
        return (
            new_search, new_tab, state.preset, filters.date_from.isoformat(), filters.date_to.isoformat(),
            *[list(state.selections.get(name, ())) for name in URL_KEYS.values()],
            dash.no_update if new_filters == current else new_filters, _notice(notices), bool(notices),
            state.customer if state.customer != customer else dash.no_update,
            # a saved view, once applied, leaves the box empty: the same view can be applied again after a change
            None if trigger == "preset-select" else dash.no_update,
        )

    @app.callback(Output("tab-content", "children"), Input("tabs", "active_tab"))
    def show_tab(tab: str):
        module = next((m for m in TAB_MODULES if tab == m.TAB_ID), TAB_MODULES[0])
        return module.layout()

    @app.callback(Output("filter-chips", "children"), Output("in-view-counts", "children"),
                  Input("filters", "data"))
    def show_chips(filters_data: dict):
        filters = Filters.from_dict(filters_data)
        counts = reader.query("filters/in_view_counts", filters).iloc[0]
        (dates, *_), *filter_chips = chip_texts(filters)
        chips = [dbc.Badge(dates, color="light", text_color="dark", className="border")]
        for text, key, value, label in filter_chips:
            chips.append(dbc.Badge([f"{text} ",
                                    # a real button: reachable with Tab, pressed with Enter or Space
                                    html.Button("×", id={"type": "chip-remove", "key": key, "value": value},
                                                type="button", className="chip-remove ms-1",
                                                title=f"Remove {label}", **{"aria-label": f"remove {label}"})],
                                   color="primary", className="chip"))
        text = f"{int(counts['customers']):,} customers · {int(counts['records']):,} records in view"
        return chips, text

    @app.callback(*[Output(f"f-{k}", "value", allow_duplicate=True) for k in keys],
                  Input({"type": "chip-remove", "key": ALL, "value": ALL}, "n_clicks"),
                  *[State(f"f-{k}", "value") for k in keys], prevent_initial_call=True)
    def remove_chip(clicks, *values):
        if not ctx.triggered_id or not any(clicks):
            return (dash.no_update,) * len(keys)
        key, value = ctx.triggered_id["key"], ctx.triggered_id["value"]
        return tuple([v for v in (current or []) if not (k == key and v == value)]
                     if k == key else dash.no_update for k, current in zip(keys, values, strict=True))

    @app.callback(Output("report-download", "data"), Output("report-error", "children"),
                  *[Input(item_id, "n_clicks") for item_id in PDF_MENU], State("url", "search"),
                  prevent_initial_call=True)
    def download(*clicks_and_search):
        search = clicks_and_search[-1]
        # WeasyPrint and kaleido load on first use, not at start-up
        from reports.kinds import pdf_from_search
        from reports.view import ReportError

        try:
            made = pdf_from_search(reader, search or "", PDF_MENU[ctx.triggered_id][0])
        except ReportError as exc:
            return dash.no_update, f"The PDF could not be made: {exc}"
        return dcc.send_bytes(made.pdf, f"customer-insight-{made.tab_id}-{date.today():%Y-%m-%d}.pdf"), ""

    @app.callback(Output("report-xlsx", "href"), Input("url", "search"))
    def excel_link(search):
        return f"{EXCEL_ROUTE}{search or ''}"


def _notice(notices: list[str]) -> object:
    if not notices:
        return None
    return [html.Strong("Some parts of this link were ignored: "), html.Ul([html.Li(n) for n in notices],
                                                                             className="mb-0")]


__all__ = ["TABS", "layout", "preset_dates", "register"]
