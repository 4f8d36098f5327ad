"""Segmentation tab: persona distribution, value segments (average sentiment, tickets per customer, rating),
churn risk × upsell opportunity, RFM and value (dashapp/tabs/segmentation_rfm.py) and the segment explorer
(dashapp/tabs/segment_explorer.py).

Personas, churn risk and upsell are customer labels computed over each customer's whole history, so those
charts follow the customer filters only; the value-segment profile counts the records in the date range.
Every number comes from sql/queries/segmentation/*.sql.
"""

from __future__ import annotations

from collections.abc import Callable

import dash_bootstrap_components as dbc
from dash import Dash, html

from dashapp.components import chart_card, register_chart
from dashapp.figures import segmentation as figures
from dashapp.tabs import segment_explorer, segmentation_clusters, segmentation_rfm
from warehouse.filters import Filters
from warehouse.reader import WarehouseReader

TAB_ID = "segmentation"
LABEL = "Segmentation"
CHARTS = ("segmentation-personas", "segmentation-value", "segmentation-risk-upsell")


def layout() -> html.Div:
    return html.Div([
        html.P("Personas, churn risk and upsell opportunity are labels computed over each customer's whole "
               "history (rules: DESIGN.md §3 and the glossary), so those charts follow the customer filters and "
               "not the date range. The value-segment profile counts the interactions, reviews and tickets in the "
               "date range.", className="text-muted small mb-3"),
        dbc.Row([
            dbc.Col(chart_card("segmentation-personas", "Customers by persona",
                               "Customers in view per derived persona, with their share."), lg=5, className="mb-3"),
            dbc.Col(chart_card("segmentation-risk-upsell", "Churn risk × upsell opportunity",
                               "Customers in view per combination, with the share of all customers in view. "
                               "High risk with high upsell: worth a call before an offer."), lg=7, className="mb-3"),
        ]),
        dbc.Row([
            dbc.Col(chart_card("segmentation-value", "Value segments",
                               "Per value segment (lifetime value, DESIGN.md §3): average sentiment of its records in "
                               "view, tickets opened in the date range per customer, and average review rating."),
                    className="mb-3"),
        ]),
        segmentation_rfm.layout(),
        segmentation_clusters.layout(),
        dbc.Row([dbc.Col(segment_explorer.explorer_card(), className="mb-3")]),
    ])


def register(app: Dash, reader: WarehouseReader) -> None:
    def chart(chart_id: str, build: Callable[[Filters], object]) -> None:
        register_chart(app, chart_id, build)

    chart("segmentation-personas", lambda f: figures.persona_distribution(
        reader.query("segmentation/persona_distribution", f)))
    chart("segmentation-value", lambda f: figures.value_segment_profile(
        reader.query("segmentation/value_segment_profile", f)))
    chart("segmentation-risk-upsell", lambda f: figures.churn_upsell_heatmap(
        reader.query("segmentation/churn_upsell_matrix", f)))
    segmentation_rfm.register(app, reader)
    segmentation_clusters.register(app, reader)
    segment_explorer.register(app, reader)
