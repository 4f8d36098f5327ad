"""The RFM part of the Segmentation tab: RFM segments, value tiers, revenue concentration (top 1/10/20 % shares,
Gini, a Pareto curve) and a 3-D recency × frequency × monetary scatter.

RFM is all time, as of the warehouse date (docs/segments.md): the customer filters choose whom to count and
never re-rank anyone; the date range does not apply. Every number comes from sql/queries/segmentation/*.sql."""

from __future__ import annotations

from collections.abc import Callable

import dash_bootstrap_components as dbc
from dash import Dash, html

from config.rules import load_rules
from dashapp.components import chart_card, kpi_card, register_chart, register_kpis
from dashapp.figures import rfm as figures
from dashapp.figures.common import is_missing, percent_text
from dashapp.tabs.glossary import glossary_link
from warehouse.filters import Filters
from warehouse.reader import WarehouseReader

CHARTS = ("rfm-segments", "rfm-tiers", "rfm-pareto", "rfm-scatter")
KPIS = {
    "rfm-kpi-top1": "Top 1 % of customers",
    "rfm-kpi-top10": "Top 10 % of customers",
    "rfm-kpi-top20": "Top 20 % of customers",
    "rfm-kpi-gini": "Gini coefficient",
}
PARETO_POINTS = 200       # points of the Pareto curve (downsampled in SQL)
SCATTER_MAX_POINTS = 2000  # customers drawn in the 3-D scatter (a fixed sample beyond that)


def _tiers_text() -> str:
    rfm = load_rules()["rfm"]
    return (f"Platinum the top {rfm['tier_platinum_top_pct']} %, Gold down to {rfm['tier_gold_top_pct']} %, "
            f"Silver down to {rfm['tier_silver_top_pct']} %, Bronze the rest")


def layout() -> html.Div:
    return html.Div([
        html.H2("RFM and value", className="h5 mt-2 mb-2"),
        html.P(["Recency, frequency and monetary value per customer, from orders when the warehouse has any, "
                "otherwise from product usage (days with usage, usage events); scores 1–5 are quintiles over all "
                "customers, segments follow the ", glossary_link("rules in the glossary", "rfm-segment"),
                " (docs/segments.md). All time, as of the newest data: the customer filters choose whom to count, "
                "the date range does not apply."],
               className="text-muted small mb-3"),
        dbc.Row([dbc.Col(kpi_card(kpi_id, label), md=6, xl=3, className="mb-3") for kpi_id, label in KPIS.items()]),
        dbc.Row([
            dbc.Col(chart_card("rfm-segments", "RFM segments",
                               "Customers in view per segment, best first; averages in the tooltip."),
                    lg=6, className="mb-3"),
            dbc.Col(chart_card("rfm-tiers", "Value tiers",
                               f"Tiers by value over all customers ({_tiers_text()}): each tier's share of the "
                               "customers in view and of their value."), lg=6, className="mb-3"),
        ]),
        dbc.Row([
            dbc.Col(chart_card("rfm-pareto", "Revenue concentration",
                               "Customers sorted by value, highest first: the share of the value the top x % "
                               "hold. The further above the diagonal, the more concentrated."),
                    lg=5, className="mb-3"),
            dbc.Col(chart_card("rfm-scatter", "Recency × frequency × monetary",
                               f"One point per customer with activity, coloured by segment; drag to rotate. At most "
                               f"{SCATTER_MAX_POINTS:,} customers (a fixed sample beyond that)."),
                    lg=7, className="mb-3"),
        ]),
    ])


def kpi_texts(row: dict) -> dict[str, tuple[str, str]]:
    """(value, detail) per KPI card from the revenue_concentration row."""
    basis = figures.value_label(row.get("value_basis"))
    if not row.get("customers_with_value"):
        return {kpi_id: ("–", f"no customer in view has a positive {basis}") for kpi_id in KPIS}
    texts = {}
    for kpi_id, pct in (("rfm-kpi-top1", 1), ("rfm-kpi-top10", 10), ("rfm-kpi-top20", 20)):
        share, count = row[f"top_{pct}pct_share"], int(row[f"top_{pct}pct_customers"])
        texts[kpi_id] = (percent_text(share), f"of the {basis}, held by {count:,} customer{'s' if count != 1 else ''}")
    gini = row["gini"]
    texts["rfm-kpi-gini"] = ("–" if is_missing(gini)
                             else f"{gini:.2f}",
                             f"0 = everyone equal, 1 = one customer holds all; "
                             f"{int(row['customers_with_value']):,} customers with {basis}")
    return texts


def register(app: Dash, reader: WarehouseReader) -> None:
    register_kpis(app, list(KPIS), lambda f: kpi_texts(
        reader.query("segmentation/revenue_concentration", f).iloc[0].to_dict()))

    def chart(chart_id: str, build: Callable[[Filters], object]) -> None:
        register_chart(app, chart_id, build)

    chart("rfm-segments", lambda f: figures.rfm_segments(reader.query("segmentation/rfm_segments", f)))
    chart("rfm-tiers", lambda f: figures.value_tiers(reader.query("segmentation/value_tiers", f)))
    chart("rfm-pareto", lambda f: figures.pareto_curve(
        reader.query("segmentation/pareto_curve", f, max_points=PARETO_POINTS)))
    chart("rfm-scatter", lambda f: figures.rfm_scatter_3d(
        reader.query("segmentation/rfm_customers", f, max_points=SCATTER_MAX_POINTS)))
