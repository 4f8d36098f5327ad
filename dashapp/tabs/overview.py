"""Overview tab: KPI cards with the delta against the previous period, sentiment trend, customers by
overall sentiment and by churn risk."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import Dash, html

from config.rules import load_rules
from dashapp.components import chart_card, kpi_card, register_chart, register_kpis
from dashapp.figures import overview as figures
from dashapp.figures.common import is_missing
from dashapp.tabs.glossary import glossary_link
from warehouse.filters import Filters
from warehouse.reader import WarehouseReader

TAB_ID = "overview"
LABEL = "Overview"
# KPI id -> (label, column of overview/kpis, format, higher is better)
KPIS = {
    "overview-kpi-sentiment": ("Average sentiment", "avg_sentiment", "{:+.2f}", True),
    "overview-kpi-interactions": ("Interactions", "total_interactions", "{:,.0f}", True),
    "overview-kpi-churn": ("Customers at high churn risk", "pct_high_churn_risk", "{:.1f} %", False),
    "overview-kpi-rating": ("Average product rating", "avg_rating", "{:.2f} / 5", True),
}
# Longer ranges are shown per month, shorter ones per week (config/rules.toml [dashboard]).
MONTHLY_AFTER_DAYS: int = load_rules()["dashboard"]["monthly_after_days"]


def layout() -> html.Div:
    return html.Div([
        dbc.Row([dbc.Col(kpi_card(kpi_id, label), md=3, className="mb-3")
                 for kpi_id, (label, *_rest) in KPIS.items()]),
        dbc.Row([dbc.Col(chart_card("overview-trend", "Sentiment trend",
                                    "Average sentiment of interactions, reviews and tickets in view."),
                         className="mb-3")]),
        dbc.Row([
            dbc.Col(chart_card("overview-overall", "Customers by overall sentiment"), md=6, className="mb-3"),
            dbc.Col(chart_card("overview-churn", "Customers by churn risk"), md=6, className="mb-3"),
        ]),
        # the labels' rules are written out once, with the config's values, in the glossary
        html.P([glossary_link("Overall sentiment", "overall-sentiment"), " and ",
                glossary_link("churn risk", "churn-risk"), " are labels computed over each customer's whole history "
                "(rules in the glossary): these two charts count the customers in view, whatever the date range."],
               className="text-muted small mb-3"),
    ])


def kpi_texts(current: dict, previous: dict) -> dict[str, tuple[str, str, str]]:
    """Value, delta text and delta colour class per KPI card."""
    out = {}
    for kpi_id, (_label, column, fmt, higher_is_better) in KPIS.items():
        now, before = current.get(column), previous.get(column)
        if is_missing(now):
            out[kpi_id] = ("–", "no data in this period", "text-muted")
            continue
        value = fmt.format(now)
        if is_missing(before):
            out[kpi_id] = (value, "no data in the previous period", "text-muted")
            continue
        change = now - before
        better = change > 0 if higher_is_better else change < 0
        colour = "text-muted" if change == 0 else ("text-success" if better else "text-danger")
        arrow = "▲" if change > 0 else "▼" if change < 0 else "■"
        delta = fmt.format(abs(change)).replace("+", "")
        out[kpi_id] = (value, f"{arrow} {delta} vs previous period", colour)
    return out




def register(app: Dash, reader: WarehouseReader) -> None:
    def texts(filters: Filters) -> dict[str, tuple[str, str, str]]:
        current = reader.query("overview/kpis", filters).iloc[0].to_dict()
        previous = reader.query("overview/kpis", filters.previous_period(*reader.date_bounds())).iloc[0].to_dict()
        if not previous["active_customers"]:  # e.g. "all time": nothing before it to compare with
            previous = {}
        return kpi_texts(current, previous)

    register_kpis(app, list(KPIS), texts)
    register_chart(app, "overview-trend", lambda f: figures.sentiment_trend(
        reader.query("overview/sentiment_trend", f, grain=f.time_grain()), f.time_grain()))
    register_chart(app, "overview-overall", lambda f: figures.customers_by_label(
        reader.query("overview/customers_by_overall_sentiment", f), "overall_sentiment", "customers"))
    register_chart(app, "overview-churn", lambda f: figures.customers_by_label(
        reader.query("overview/customers_by_churn_risk", f), "churn_risk", "customers"))
