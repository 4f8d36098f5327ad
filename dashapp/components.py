"""Building blocks shared by the tabs: chart cards whose body is a figure or an error with a retry, KPI cards."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
from typing import Any

import dash_bootstrap_components as dbc
import pandas as pd
import plotly.graph_objects as go
from dash import Dash, Input, Output, dcc, html

from dashapp.figures.common import localize_numbers
from warehouse.filters import Filters

log = logging.getLogger(__name__)
GRAPH_CONFIG = {"displaylogo": False, "responsive": True,
                # sendChartToCloud ("Share chart...") would upload a chart of customer data to Plotly's cloud
                "modeBarButtonsToRemove": ["lasso2d", "select2d", "autoScale2d", "sendChartToCloud"]}
# Chart or KPI id -> what a report needs to rebuild that card with the very query and figure functions the tab
# uses (no number computed a second way). Filled as a side effect of the helpers below: chart_card/kpi_card give
# "title"/"help"/"label", register_chart/register_report_item give "build(filters)", register_kpis and
# register_report_kpis "texts(filters)"; "per_customer" and "paged" say which keywords the build takes.
# The builds close over the reader of the last registration: reports.build registers the tabs afresh, under a
# lock, with the reader it is given.
REPORT_ITEMS: dict[str, dict[str, Any]] = {}


def _record(item_id: str, **entries: Any) -> None:
    REPORT_ITEMS.setdefault(item_id, {}).update(entries)


def register_report_item(chart_id: str, build: Callable[..., object], title: str | None = None, *,
                         help_text: str | None = None, per_customer: bool = False, paged: bool = False) -> None:
    """Only record how a report rebuilds a card, for cards whose own callback has more inputs than the filters
    (a source selector, a pager, a feature picker, an algorithm): the report shows their default state. `title`
    and `help_text` for cards not made by chart_card.

    per_customer: a card about the Customer tab's customer; the report calls `build(filters, customer=<id>)`.
    paged: a table the PDF prints only in part (a server-side grid); the PDF calls `build(filters, all_rows=False)`
    and prints what it returns (the first rows, saying which ones), the Excel/CSV export calls
    `build(filters, all_rows=True)`, which reads every row: the frames it reads are the export's data."""
    _record(chart_id, kind="chart", build=build, per_customer=per_customer, paged=paged,
            **({"title": title} if title else {}), **({"help": help_text} if help_text else {}))


def register_report_kpis(kpi_ids: list[str], texts: Callable[[Filters], dict[str, tuple[str, ...]]]) -> None:
    """Only record how a report fills KPI cards, for cards whose own callback does not take the filters (the
    clustering's metrics wait for the fit): `texts(filters)` gives (value, detail[, colour]) per card."""
    _record_kpis(kpi_ids, localized(texts))


def _record_kpis(kpi_ids: list[str], texts: Callable[[Filters], dict[str, tuple[str, ...]]]) -> None:
    for kpi_id in kpi_ids:  # one function for the group: a report calls it once for all its cards
        _record(kpi_id, kind="kpi", texts=texts)


def localized(texts: Callable[[Filters], dict[str, tuple[str, ...]]]) -> Callable[[Filters], dict[str, tuple]]:
    """`texts` with the numbers of each card's value and detail in the user's number format: the one place KPI
    numbers are formatted for the user, on screen (register_kpis) and in PDFs (reports read REPORT_ITEMS). The tabs
    write them in the default format ("1,234.5"); the colour class passes as it is."""

    def in_user_format(filters: Filters) -> dict[str, tuple]:
        return {kpi_id: (localize_numbers(value), localize_numbers(detail), *rest)
                for kpi_id, (value, detail, *rest) in texts(filters).items()}

    return in_user_format


def export_frame(reader: object, name: str, frame: pd.DataFrame) -> None:
    """Hand a frame computed in Python from query results (a clustering's profile, the team profiles) to a report's
    data export as data behind the card being built. Only the recording reader of reports.content keeps it (the
    Excel/CSV export); the dashboard's reader has no `export` and this does nothing."""
    export = getattr(reader, "export", None)
    if export is not None:
        export(name, frame)


def not_exported(reader: object) -> contextlib.AbstractContextManager:
    """A block whose queries are not the data behind a card: the inputs of a stored computation (run only when
    the store misses), so that an export lists the same frames whether the result was computed or loaded."""
    paused = getattr(reader, "paused", None)
    return paused() if paused is not None else contextlib.nullcontext()


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
    texts = localized(texts)
    _record_kpis(kpi_ids, texts)

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


# ---------------------------------------------------------------- tables for reports (paper)

def report_table(columns: dict[str, str], rows: list[dict[str, Any]], class_name: str = "",
                 column_classes: dict[str, str] | None = None) -> html.Table:
    """A plain table of `rows` for a PDF report (column id -> header): reports.html prints it as it is, its header
    repeated on every page it runs over. `column_classes` name the cells of a column (widths in report.css)."""
    classes = column_classes or {}
    return html.Table([
        html.Thead(html.Tr([html.Th(header, className=classes.get(column)) for column, header in columns.items()])),
        html.Tbody([html.Tr([html.Td("" if row.get(column) is None else str(row[column]), className=classes.get(column))
                             for column in columns]) for row in rows]),
    ], className=f"data {class_name}".strip())


def rows_note(shown: int, total: int, noun: str, order: str) -> str:
    """Which rows of a long table a report prints: every one, or the first `shown` (the export has them all)."""
    if shown >= total:
        return f"All {total:,} {noun}, {order}."
    return f"The first {shown:,} of {total:,} {noun}, {order}; the Excel export of this tab has all {total:,}."


def format_like_d3(value: object, spec: str) -> str:
    """A number formatted with a d3-format spec as the grids format it in the browser (dashapp.grids.number_column),
    for tables on paper: Python's format() means the same for the specs the grids use (",.0f", "+.2f", ".0%"),
    d3's integer type "d" is ".0f" of a float, and d3 writes negatives with a minus sign (−)."""
    if value is None:
        return "–"
    python_spec = spec[:-1] + ".0f" if spec.endswith("d") else spec
    return format(float(value), python_spec).replace("-", "−")
