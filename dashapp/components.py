"""Building blocks shared by the tabs: chart cards whose body is a figure or an error with a retry, KPI cards."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import dash_bootstrap_components as dbc
import plotly.graph_objects as go
from dash import Dash, Input, Output, dcc, html

from warehouse.filters import Filters

log = logging.getLogger(__name__)
GRAPH_CONFIG = {"displaylogo": False, "responsive": True,
                # sendChartToCloud ("Share chart...") would upload a chart of customer data to Plotly's cloud
                "modeBarButtonsToRemove": ["lasso2d", "select2d", "autoScale2d", "sendChartToCloud"]}
# Chart or KPI id -> what a report needs to rebuild that card with the very query and figure functions the tab
# uses (no number computed a second way). Filled as a side effect of the helpers below: chart_card/kpi_card give
# "title"/"help"/"label", register_chart/register_report_item give "build(filters)", register_kpis "texts(filters)".
# The builds close over the reader of the last registration: reports.build registers the tabs afresh, under a
# lock, with the reader it is given.
REPORT_ITEMS: dict[str, dict[str, Any]] = {}


def _record(item_id: str, **entries: Any) -> None:
    REPORT_ITEMS.setdefault(item_id, {}).update(entries)


def register_report_item(chart_id: str, build: Callable[[Filters], object], title: str | None = None) -> None:
    """Only record how a report rebuilds a card, for cards whose own callback has more inputs than the filters
    (a source selector, a pager): the report shows their default state. `title` for cards not made by chart_card."""
    _record(chart_id, kind="chart", build=build, **({"title": title} if title else {}))


def chart_card(chart_id: str, title: str, help_text: str | None = None, controls: object = None) -> dbc.Card:
    """A titled card. Its body `<chart_id>-body` is filled by the tab's callback with `chart_body(...)`;
    the retry button `<chart_id>-retry` is an Input of that callback."""
    _record(chart_id, kind="chart", title=title, help=help_text)
    header = [html.H3(title, className="h6 mb-0 flex-grow-1")]
    if controls is not None:
        header.append(html.Div(controls, className="ms-2"))
    return dbc.Card([
        dbc.CardHeader(html.Div(header, className="d-flex align-items-center")),
        dbc.CardBody([
            html.P(help_text, className="text-muted small mb-2") if help_text else None,
            dcc.Loading(html.Div(id=f"{chart_id}-body", style={"minHeight": "200px"}), type="dot", delay_show=300),
            dbc.Button("Retry", id=f"{chart_id}-retry", size="sm", color="secondary", outline=True,
                       className="d-none"),
        ]),
    ], className="h-100 shadow-sm")


def chart_body(chart_id: str, build: Callable[[], go.Figure | object]) -> tuple[object, str]:
    """Run a figure builder; on failure show a clear message and reveal the retry button.

    Returns (body children, retry button class). The rest of the page keeps working either way."""
    try:
        result = build()
    except Exception as exc:  # a failed query must not take the page down
        log.exception("chart %s failed", chart_id)
        message = dbc.Alert([html.Strong("This chart could not be loaded. "),
                             html.Span(f"{type(exc).__name__}: {exc}"[:300]),
                             html.Div("Press Retry to try again.", className="small mt-1")],
                            color="danger", className="mb-2")
        return message, "mt-1"
    if isinstance(result, go.Figure):
        return dcc.Graph(id=chart_id, figure=result, config=GRAPH_CONFIG), "d-none"
    return result, "d-none"


def kpi_card(kpi_id: str, label: str) -> dbc.Card:
    _record(kpi_id, kind="kpi", label=label)
    return dbc.Card(dbc.CardBody([
        html.Div(label, className="text-muted small text-uppercase fw-semibold"),
        html.Div(id=f"{kpi_id}-value", className="fs-3 fw-semibold", children="–"),
        html.Div(id=f"{kpi_id}-delta", className="small", children=""),
    ]), className="h-100 shadow-sm")


def kpi_outputs(kpi_ids: list[str]) -> list[Output]:
    """The value, delta text and delta colour of each KPI card, in order: the outputs of a KPI callback."""
    return [output for kpi_id in kpi_ids for output in (
        Output(f"{kpi_id}-value", "children"), Output(f"{kpi_id}-delta", "children"),
        Output(f"{kpi_id}-delta", "className"))]


def register_chart(app: Dash, chart_id: str, build: Callable[[Filters], object]) -> None:
    """The usual chart callback: the global filters (or the card's Retry button) in, `build(filters)` through
    chart_body out, so a failure shows its message and the Retry button."""
    register_report_item(chart_id, build)

    @app.callback(Output(f"{chart_id}-body", "children"), Output(f"{chart_id}-retry", "className"),
                  Input("filters", "data"), Input(f"{chart_id}-retry", "n_clicks"))
    def update(filters_data: dict, _retry: int | None) -> tuple:
        return chart_body(chart_id, lambda: build(Filters.from_dict(filters_data)))


def register_kpis(app: Dash, kpi_ids: list[str],
                  texts: Callable[[Filters], dict[str, tuple[str, ...]]]) -> None:
    """A KPI callback: `texts(filters)` gives (value, detail) per card, or (value, detail, colour class) for a
    delta that is good or bad; a failed query shows a clear message on every card instead of taking the page
    down."""
    for kpi_id in kpi_ids:
        _record(kpi_id, kind="kpi", texts=texts)

    @app.callback(kpi_outputs(kpi_ids), Input("filters", "data"))
    def update(filters_data: dict) -> list:
        try:
            values = texts(Filters.from_dict(filters_data))
        except Exception as exc:  # a failed query must not take the page down
            log.exception("KPI cards %s failed", kpi_ids)
            error = f"could not be loaded ({type(exc).__name__}); change a filter to retry"
            return [part for _ in kpi_ids for part in ("–", error, "small text-danger")]
        return [part for kpi_id in kpi_ids for part in _kpi_parts(values[kpi_id])]


def _kpi_parts(text: tuple[str, ...]) -> tuple[str, str, str]:
    value, detail, *colour = text
    return value, detail, f"small {colour[0] if colour else 'text-muted'}"
