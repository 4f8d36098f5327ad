"""Customer tab (deep dive): a type-ahead search over the whole warehouse, the customer's key signals and summary,
a timeline of every record (dashapp/tabs/customer_timeline.py) and, for an account with users, its team and feature
usage (dashapp/tabs/customer_team.py). Rules and decisions: docs/customer.md.

The selected customer lives in the URL (`?tab=customer&customer=CUST-001`). The shell's sync callback is the only
writer of the `customer` store; this tab only asks for a change through the `customer-pick` store (the search
box's choice), so URL, store and search box never form a loop of callbacks. Signals are over the customer's whole
history; the date range and the record filters apply to the timeline; the customer filters decide nothing here
but a notice when the customer is outside them. Every number comes from sql/queries/customer/*.sql.
"""

from __future__ import annotations

from typing import Any

import dash
import dash_bootstrap_components as dbc
import pandas as pd
from dash import Dash, Input, Output, State, dcc, html

from dashapp.components import chart_body, register_report_item
from dashapp.figures import customer as figures
from dashapp.figures.common import is_missing
from dashapp.tabs import customer_team, customer_timeline
from dashapp.tabs.retention_health import MEASURE_NAMES
from dashapp.tabs.segment_explorer import search_pattern
from warehouse.filters import Filters
from warehouse.reader import WarehouseReader

TAB_ID = "customer"
LABEL = "Customer"
SEARCH_LIMIT = 20  # options in the search box: never the whole warehouse
SUGGESTIONS = 5    # customers offered when none is selected
SEARCH_ID = "customer-search"
DETAILS_ID = "customer-details"
OUTSIDE_FILTERS = ("This customer is outside the current customer filters (value segment, persona, churn risk, "
                   "upsell): shown anyway, but the other tabs leave them out.")


def layout() -> html.Div:
    return html.Div([
        dbc.Card(dbc.CardBody(dbc.Row([
            dbc.Col([
                dbc.Label("Customer", html_for=SEARCH_ID, id="customer-search-label", className="fw-semibold mb-1"),
                # the search box is created by the picker callback, with the selected customer in it
                html.Div(id="customer-picker", role="group", style={"minHeight": "38px"},
                         **{"aria-labelledby": "customer-search-label"}),
            ], lg=6),
            dbc.Col(html.P("Type part of a customer id or name: the best matches of the whole warehouse are listed "
                           f"(at most {SEARCH_LIMIT}; ids and names that start with the text first). The link in the "
                           "address bar opens this customer.", className="text-muted small mb-0"),
                    lg=6, className="d-flex align-items-end"),
        ])), className="shadow-sm mb-3"),
        html.Div(id="customer-notice", **{"aria-live": "polite"}),
        dcc.Loading(html.Div(id="customer-signals-body"), type="dot", delay_show=300),
        dbc.Button("Retry", id="customer-signals-retry", size="sm", color="secondary", outline=True,
                   className="d-none"),
        html.Div([customer_timeline.layout(), customer_team.layout()], id=DETAILS_ID, className="d-none"),
    ])


def picker(customer_id: str | None, options: list[dict[str, str]]) -> dcc.Dropdown:
    return dcc.Dropdown(id=SEARCH_ID, value=customer_id, options=options,
                        placeholder="Search a customer by id or name…", clearable=True, searchable=True,
                        search_order="original", maxHeight=360,
                        labels={"no_options_found": "No customer matches", "search": "Customer id or name"})


# ---------------------------------------------------------------- pure helpers (tested without a server)

def option(customer_id: str, name: object) -> dict[str, str]:
    """A search-box option: the id is the value; the label carries the name too, so that the box's own filtering
    (which looks at value and label) keeps every match the warehouse returned."""
    return {"value": customer_id, "label": f"{customer_id} · {name}" if _present(name) else customer_id}


def search_params(text: str | None) -> dict[str, Any] | None:
    """Bound parameters of customer/search_customers for a typed text, or None when nothing was typed. The LIKE
    patterns are escaped as in the segment explorer (search_pattern), so % and _ match themselves."""
    contains = search_pattern(text)
    if contains is None:
        return None
    return {"search": contains, "prefix": contains[1:], "term": (text or "").strip().lower()[:100],
            "limit": SEARCH_LIMIT}


def search_options(frame: pd.DataFrame, selected: dict[str, str] | None) -> list[dict[str, str]]:
    """The search results (or, before anything is typed, the suggestions) as options, plus the selected customer's
    option when the results lack it: the box clears a value that is missing from its options."""
    options = [option(row["customer_id"], row["customer_name"]) for row in frame.to_dict("records")]
    if selected and selected["value"] not in {o["value"] for o in options}:
        options.insert(0, selected)
    return options


def _present(value: object) -> bool:
    return not is_missing(value) and value != ""


def _number(value: object, spec: str, missing: str = "–") -> str:
    return format(float(value), spec) if _present(value) else missing


def probability(value: float) -> str:
    """A churn probability in whole percent; below 1 % says so rather than '0%' (the model is never that sure)."""
    return "<1%" if value < 0.005 else f"{value:.0%}"


def _level_card(label: str, value: object, colours: dict[str, str], detail: str = "",
                card_id: str | None = None, level: object = None) -> dbc.Card:
    """A signal card: the label, the value in the colour of its level (the value itself, or `level`; a bar on the
    left in the same colour) and a detail line. The text always says the level: colour is never the only cue."""
    text = str(value) if _present(value) else "–"
    key = str(level) if _present(level) else text
    colour = colours.get(key, "#dee2e6")
    return dbc.Card(dbc.CardBody([
        html.Div(label, className="text-muted small text-uppercase fw-semibold"),
        html.Div(text, className="fs-4 fw-semibold", style={"color": _darker(colour) if key in colours else None}),
        html.Div(detail, className="small text-muted"),
    ], className="py-2"), className="h-100 shadow-sm signal-card", style={"borderLeft": f"6px solid {colour}"},
        **({"id": card_id} if card_id else {}))


def _darker(colour: str) -> str:
    """Text in a band colour is hard to read on white for the light ones (yellow, sky blue): darken them."""
    return {"#E69F00": "#9A6700", "#56B4E9": "#1F6F9E", "#999999": "#595959", "#F0E442": "#8A7F00"}.get(colour, colour)


def signals(row: dict) -> list[tuple[str, object, dict[str, str], str, str | None, object]]:
    """The eight key signals of one customer_signals row, in card order: (label, value, colours of its levels,
    detail, card id, level when the colour is not the value's own). The cards and the account report show them."""
    trend = row.get("sentiment_trend")
    arrow = "" if not _present(trend) else (" ▲" if trend > 0 else " ▼" if trend < 0 else " ■")
    health_detail = []
    if _present(row.get("health_change")):
        health_detail.append(f"{row['health_change']:+.1f} in 30 days")
    if _present(row.get("weakest_measure")):
        health_detail.append(f"weakest: {MEASURE_NAMES.get(row['weakest_measure'], row['weakest_measure'])}")
    churn_model = "not scored by the churn model" if not _present(row.get("churn_probability")) else \
        f"churn model: {probability(row['churn_probability'])} ({row['churn_band']})"
    return [
        ("Persona", row.get("derived_persona"), figures.PERSONA_COLOURS,
         f"overall sentiment {row['overall_sentiment']}" if _present(row.get("overall_sentiment")) else "", None, None),
        ("Churn risk", row.get("churn_risk"), figures.RISK_COLOURS, churn_model, "customer-card-churn", None),
        ("Upsell opportunity", row.get("upsell_opportunity"), figures.UPSELL_COLOURS, "", None, None),
        ("Health score", _number(row.get("health_score"), ".1f"), figures.HEALTH_COLOURS,
         " · ".join(health_detail) or "not enough data to score", "customer-card-health", row.get("health_band")),
        ("Average sentiment", _number(row.get("avg_sentiment"), "+.2f", "no scored text"), figures.SENTIMENT_COLOURS,
         f"trend {_number(trend, '+.2f')}{arrow} (last − first record)" if _present(trend) else "", None,
         row.get("overall_sentiment")),
        ("Value segment", row.get("value_segment"), figures.VALUE_COLOURS,
         f"lifetime value {_number(row.get('lifetime_value'), ',.2f')}", None, None),
        ("Tickets", f"{int(row.get('ticket_count') or 0):,}", {}, f"{int(row.get('open_tickets') or 0):,} open", None,
         None),
        ("Average rating", _number(row.get("avg_rating"), ".2f", "no reviews") +
         (" / 5" if _present(row.get("avg_rating")) else ""), {}, "", None, None),
    ]


def signal_cards(row: dict) -> list[dbc.Col]:
    """The eight key-signal cards of one customer_signals row."""
    cards = []
    for label, value, colours, detail, card_id, level in signals(row):
        if label != "Health score":
            cards.append(_level_card(label, value, colours, detail, card_id, level))
            continue
        band = level  # the score with its band as a badge
        cards.append(dbc.Card(dbc.CardBody([
            html.Div(label, className="text-muted small text-uppercase fw-semibold"),
            html.Div([html.Span(value, className="me-2"),
                      html.Span(band, className="badge", style={"backgroundColor": colours[band],
                                                                 # white on the yellow band is hard to read
                                                                 "color": "#212529" if band == "yellow" else "#fff"})
                      if band in colours else None], className="fs-4 fw-semibold"),
            html.Div(detail, className="small text-muted"),
        ], className="py-2"), className="h-100 shadow-sm signal-card", id=card_id,
            style={"borderLeft": f"6px solid {colours.get(band, '#dee2e6')}"}))
    return [dbc.Col(card, xs=6, md=3, className="mb-3") for card in cards]


def signals_table(row: dict) -> html.Table:
    """The signals on paper: one row each, the value in its level's colour (and always in words)."""
    rows = []
    for label, value, colours, detail, _card_id, level in signals(row):
        text = str(value) if _present(value) else "–"
        if label == "Health score" and _present(level):
            text = f"{text} ({level})"
        key = str(level) if _present(level) else text
        style = {"color": _darker(colours[key]), "fontWeight": "bold"} if key in colours else {"fontWeight": "bold"}
        rows.append(html.Tr([html.Th(label), html.Td(text, style=style), html.Td(detail)]))
    return html.Table([html.Thead(html.Tr([html.Th("Signal"), html.Th("Value"), html.Th("Detail")])),
                       html.Tbody(rows)], className="data signals")


def header(row: dict) -> html.Div:
    facts = [("CSM", row.get("csm_owner")), ("customer since", _date(row.get("sign_up_date"))),
             ("plan", row.get("plan")), ("country", row.get("country")),
             ("products owned", None if not _present(row.get("products_owned")) else int(row["products_owned"]))]
    return html.Div([
        html.H2([row["customer_name"] if _present(row.get("customer_name")) else row["customer_id"],
                 html.Small(row["customer_id"], className="text-muted ms-2 fs-6")
                 if _present(row.get("customer_name")) else None], className="h4 mb-1", id="customer-name"),
        html.Div(" · ".join(f"{k} {v}" for k, v in facts if _present(v)), className="small text-muted mb-3"),
    ])


def summary_card(row: dict) -> dbc.Card:
    reasons = [row.get(f"reason_{i}") for i in (1, 2, 3)]
    reasons = [r for r in reasons if _present(r)]
    churn = []
    if _present(row.get("churn_probability")):
        churn = [html.Div([html.Strong("Churn model: "), f"{probability(row['churn_probability'])} probability of no "
                           f"activity in the next horizon ({row['churn_band']})" +
                           (f" — {'; '.join(reasons)}" if reasons else "") + "."], className="small mb-1")]
    elif _present(row.get("churn_band")):
        churn = [html.Div([html.Strong("Churn model: "), str(row["churn_band"])], className="small mb-1")]
    if _present(row.get("recommended_action")):
        due = f" (within {int(row['action_due_days'])} days)" if _present(row.get("action_due_days")) else ""
        churn.append(html.Div([html.Strong("Recommended action: "), f"{row['recommended_action']}{due}"],
                              className="small"))
    summary = row.get("customer_summary")
    return dbc.Card([
        dbc.CardHeader(html.H3("Summary", className="h6 mb-0")),
        dbc.CardBody([
            html.P(summary if _present(summary) else "No summary: this customer has no texts yet.",
                   id="customer-summary", className="mb-2" if churn else "mb-0"),
            *churn,
        ]),
    ], className="shadow-sm mb-3")


def empty_state(suggestions: pd.DataFrame, search: str | None) -> html.Div:
    """No customer selected: how to pick one, and a few customers to start from (the most at risk in view)."""
    from dashapp.state import customer_link  # not at the top: dashapp.state imports the tabs to list them

    items = []
    for row in suggestions.to_dict("records"):
        risk = f"{probability(row['churn_probability'])} churn probability" if _present(row.get("churn_probability")) \
            else f"{row['churn_risk']} churn risk" if _present(row.get("churn_risk")) else ""
        name = f" · {row['customer_name']}" if _present(row.get("customer_name")) else ""
        items.append(html.Li([dcc.Link(f"{row['customer_id']}{name}", href=customer_link(search, row["customer_id"])),
                              html.Span(f" — {risk}, {row['value_segment']}", className="text-muted")]))
    return dbc.Card(dbc.CardBody([
        html.H2("Search a customer by id or name", className="h5"),
        html.P("Their signals, summary, every interaction, review, ticket, order and day of product usage, and "
               "their team appear here.", className="text-muted"),
        html.Div([html.Div("Customers most at risk in view:", className="fw-semibold small mb-1"),
                  html.Ul(items, className="mb-0", id="customer-suggestions")] if items else
                 html.P("No customer is in view: clear a filter.", className="text-muted mb-0")),
    ]), className="shadow-sm mb-3")


def _date(value: object) -> str | None:
    return None if not _present(value) or value is pd.NaT else f"{pd.Timestamp(value):%d %b %Y}"


def _records(frame: pd.DataFrame) -> list[dict]:
    return frame.astype(object).where(frame.notna(), None).to_dict("records")


def signals_row(reader: WarehouseReader, filters: Filters, customer_id: str) -> dict | None:
    """The customer's customer_signals row, or None for an id that is not in the warehouse."""
    frame = reader.query("customer/customer_signals", filters, customer_id=customer_id)
    return None if frame.empty else _records(frame)[0]


def account(reader: WarehouseReader, filters: Filters, customer_id: str) -> object:
    """The account report's first card: who the customer is, the signals as a table, the summary with the churn
    model's reasons and the recommended action."""
    row = signals_row(reader, filters, customer_id)
    if row is None:
        return html.P(f"Customer '{customer_id}' is not in the warehouse.")
    return html.Div([header(row), html.P(OUTSIDE_FILTERS, className="small text-muted") if not row["in_view"] else None,
                     signals_table(row), summary_card(row)])


def report_label(reader: WarehouseReader, customer_id: str) -> str | None:
    """The title of a report on the customer (reports.content): the account's name and id; None when unknown."""
    label = reader.query("customer/customer_label", customer_id=customer_id)
    if label.empty:
        return None
    name = label["customer_name"].iloc[0]
    return f"Account report: {name} ({customer_id})" if _present(name) else f"Account report: {customer_id}"


# ---------------------------------------------------------------- callbacks

def register(app: Dash, reader: WarehouseReader) -> None:
    def suggestions(filters_data: dict | None) -> pd.DataFrame:
        return reader.query("customer/suggested_customers", Filters.from_dict(filters_data), limit=SUGGESTIONS)

    # The search box is (re-)created here, with the selected customer as its value, whenever the selection changes
    # elsewhere (a link, Back/Forward, the tab shown again). Dash calls `pick` for a box that appears, whatever
    # prevent_initial_call says (its output is not inside the new content): since the new box holds the selected
    # customer already, `pick` sees no change and asks for none. A box in the static layout, empty, would instead
    # clear the selection every time the tab is shown.
    # Before anything is typed the box lists the suggestions: an empty list would also leave the keyboard focus on
    # the box instead of its search field when it opens.
    @app.callback(Output("customer-picker", "children"), Input("customer", "data"),
                  State("customer-picker", "children"), State("filters", "data"))
    def show_picker(customer_id: str | None, current: object, filters_data: dict | None):
        shown = current.get("props", {}).get("value") if isinstance(current, dict) else None
        # The user's own pick is already in the box: re-creating it would take the keyboard focus away.
        if current and customer_id == shown:
            return dash.no_update
        selected = None
        if customer_id:
            label = reader.query("customer/customer_label", customer_id=customer_id)
            selected = option(customer_id, label["customer_name"].iloc[0] if len(label) else None)
        return picker(customer_id, search_options(suggestions(filters_data), selected))

    @app.callback(Output(SEARCH_ID, "options"), Input(SEARCH_ID, "search_value"), State(SEARCH_ID, "value"),
                  State(SEARCH_ID, "options"), State("filters", "data"), prevent_initial_call=True)
    def search(text: str | None, value: str | None, options: list[dict] | None, filters_data: dict | None):
        selected = next((o for o in options or [] if o.get("value") == value), None) if value else None
        params = search_params(text)
        frame = suggestions(filters_data) if params is None else reader.query("customer/search_customers", **params)
        return search_options(frame, selected)

    # The choice goes to the shell's sync callback (URL and `customer` store) through `customer-pick`; a value that
    # is already the selected customer (a box just created with it) is no choice.
    @app.callback(Output("customer-pick", "data"), Input(SEARCH_ID, "value"), State("customer", "data"),
                  prevent_initial_call=True)
    def pick(value: str | None, selected: str | None):
        return dash.no_update if (value or None) == (selected or None) else value

    @app.callback(Output("customer-signals-body", "children"), Output("customer-signals-retry", "className"),
                  Output(DETAILS_ID, "className"), Output("customer-notice", "children"),
                  Input("customer", "data"), Input("filters", "data"), Input("customer-signals-retry", "n_clicks"),
                  State("url", "search"))
    def show_signals(customer_id: str | None, filters_data: dict, _retry: int | None, search: str | None):
        filters = Filters.from_dict(filters_data)
        found: dict[str, Any] = {}

        def build() -> object:
            if not customer_id:
                return empty_state(suggestions(filters_data), search)
            found["row"] = row = signals_row(reader, filters, customer_id)
            if row is None:
                return dbc.Alert(f"Customer '{customer_id}' is not in the warehouse (it may have been removed by "
                                 "the latest load). Search another one above.", color="warning")
            return html.Div([header(row), dbc.Row(signal_cards(row)), summary_card(row)])

        body, retry_class = chart_body("customer-signals", build)
        row = found.get("row")
        notice = None
        if row is not None and not row["in_view"]:
            notice = dbc.Alert(OUTSIDE_FILTERS, color="info", className="py-2 small", id="customer-outside-filters")
        return body, retry_class, "" if row is not None else "d-none", notice

    register_report_item("customer-signals", lambda f, customer: account(reader, f, customer), "Account",
                         help_text="Signals and summary over the customer's whole history; the date range applies to "
                                   "the timeline only.", per_customer=True)

    customer_timeline.register(app, reader)
    customer_team.register(app, reader)
