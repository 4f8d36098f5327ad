"""Sentiment tab: average sentiment over time by source (with a source selector), the distribution of scores
per source, volatility vs trend per customer, average sentiment by interaction type."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import dash_bootstrap_components as dbc
import plotly.graph_objects as go
from dash import Dash, Input, Output, html

from dashapp.components import chart_body, chart_card, register_chart, register_report_item
from dashapp.figures import sentiment as figures
from dashapp.figures.common import empty_figure
from dashapp.tabs.overview import MONTHLY_AFTER_DAYS
from warehouse.filters import Filters
from warehouse.reader import WarehouseReader

TAB_ID = "sentiment"
LABEL = "Sentiment"
SCATTER_MAX_POINTS = 5000  # customers drawn in the volatility vs trend chart (a fixed sample beyond that)


def layout() -> html.Div:
    sources = html.Div(
        dbc.Checklist(id="sentiment-sources", inline=True, value=list(figures.SOURCES),
                      options=[{"label": label, "value": source} for source, label in figures.SOURCES.items()],
                      persistence=True, persistence_type="session", className="small mb-0"),
        role="group", **{"aria-label": "Sources shown in the chart"},
    )
    return html.Div([
        dbc.Row([dbc.Col(chart_card(
            "sentiment-over-time", "Average sentiment over time by source",
            "Average sentiment score (−1 to 1) of the interactions, reviews and tickets in view, per week for "
            f"ranges up to {MONTHLY_AFTER_DAYS} days, else per month. Hover a point for the number of records "
            "behind it.",
            controls=sources), className="mb-3")]),
        dbc.Row([
            dbc.Col(chart_card(
                "sentiment-distribution", "Distribution of sentiment by source",
                "Share of each source's records in view per score band of 0.1."), md=6, className="mb-3"),
            dbc.Col(chart_card(
                "sentiment-by-type", "Average sentiment by interaction type",
                "Interactions in view only (the review-language filter does not apply); n = interactions."),
                md=6, className="mb-3"),
        ]),
        dbc.Row([dbc.Col(chart_card(
            "sentiment-scatter", "Sentiment volatility vs trend per customer",
            "One point per customer with a scored record in view: volatility = highest − lowest score, "
            "trend = last − first score, over the customer's whole history; colour = overall sentiment. "
            f"Hover a point for the customer id. At most {SCATTER_MAX_POINTS:,} customers are drawn: beyond "
            "that a fixed sample (the same customers for the same filters), with the total above the chart."),
            className="mb-3")]),
    ])


def grain_for(filters: Filters, bounds: tuple[date, date]) -> str:
    """The one time-grain rule (Filters.time_grain), with open date ends taken as the data's own bounds."""
    return replace(filters, date_from=filters.date_from or bounds[0], date_to=filters.date_to or bounds[1]).time_grain()


def over_time_figure(reader: WarehouseReader, filters_data: dict | None, sources: list[str] | None) -> go.Figure:
    if not sources:
        return empty_figure(figures.NO_SOURCE_MESSAGE)
    filters = Filters.from_dict(filters_data)
    grain = grain_for(filters, reader.date_bounds())
    frame = reader.query("sentiment/sentiment_over_time_by_source", filters, grain=grain,
                         source_types=sorted(sources))
    return figures.sentiment_over_time(frame, grain)


def distribution_figure(reader: WarehouseReader, filters_data: dict | None) -> go.Figure:
    return figures.sentiment_distribution(
        reader.query("sentiment/sentiment_distribution_by_source", Filters.from_dict(filters_data)))


def scatter_figure(reader: WarehouseReader, filters_data: dict | None) -> go.Figure:
    return figures.volatility_vs_trend(reader.query(
        "sentiment/sentiment_volatility_vs_trend", Filters.from_dict(filters_data), max_points=SCATTER_MAX_POINTS))


def by_type_figure(reader: WarehouseReader, filters_data: dict | None) -> go.Figure:
    return figures.sentiment_by_interaction_type(
        reader.query("sentiment/sentiment_by_interaction_type", Filters.from_dict(filters_data)))


def register(app: Dash, reader: WarehouseReader) -> None:
    @app.callback(Output("sentiment-over-time-body", "children"), Output("sentiment-over-time-retry", "className"),
                  Input("filters", "data"), Input("sentiment-sources", "value"),
                  Input("sentiment-over-time-retry", "n_clicks"))
    def update_over_time(filters_data: dict, sources: list[str] | None, _retry: int | None) -> tuple:
        return chart_body("sentiment-over-time", lambda: over_time_figure(reader, filters_data, sources))

    # the report shows every source (the selector's default)
    register_report_item("sentiment-over-time", lambda f: over_time_figure(reader, f.to_dict(), list(figures.SOURCES)))
    register_chart(app, "sentiment-distribution", lambda f: distribution_figure(reader, f.to_dict()))
    register_chart(app, "sentiment-by-type", lambda f: by_type_figure(reader, f.to_dict()))
    register_chart(app, "sentiment-scatter", lambda f: scatter_figure(reader, f.to_dict()))
