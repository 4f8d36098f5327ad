"""The "Health and churn" part of the Retention tab: health bands with their 30-day change, the health
distribution, health by segment, the customers whose health fell most; the churn model's status and
hold-out quality (AUC and Brier against the constant baseline, calibration), churn bands, the customers most
at risk with the model's reasons, and the recommended actions.

Health (docs/health.md) and churn scores (docs/churn.md) are as of the newest data: the customer filters
choose whom to count, the date range does not apply. Every number comes from sql/queries/{health,churn}/*.sql.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import dash_ag_grid as dag
import dash_bootstrap_components as dbc
import pandas as pd
from dash import Dash, html

from config.rules import load_rules
from dashapp.components import chart_card, kpi_card, register_chart, register_kpis
from dashapp.figures import health as figures
from dashapp.figures.common import is_missing, percent_text
from dashapp.grids import number_column
from warehouse.filters import Filters
from warehouse.reader import WarehouseReader

CHARTS = ("health-distribution", "health-segments", "health-movers", "churn-bands", "churn-calibration",
          "churn-top-risks", "churn-actions")
KPIS = {
    "health-kpi-green": "Healthy (green)",
    "health-kpi-red": "Unhealthy (red)",
    "churn-kpi-high": "High churn probability",
    "churn-kpi-model": "Churn model quality",
}
TABLE_ROWS = 25  # customers listed in the movers and top-risk tables
MEASURE_NAMES = {
    "sentiment_level": "sentiment level", "sentiment_trend": "sentiment trend", "tickets": "ticket load",
    "rating": "rating", "usage_recency": "usage recency", "usage_frequency": "usage frequency",
    "adoption": "product adoption",
}


def band_thresholds() -> tuple[float, float]:
    health = load_rules()["health"]
    return float(health["green_min_score"]), float(health["yellow_min_score"])


def layout() -> html.Div:
    green, yellow = band_thresholds()
    return html.Div([
        html.H2("Health and churn", className="h5 mt-2 mb-2"),
        html.P(f"Health 0–100 per customer from seven weighted measures (sentiment level and trend, ticket load, "
               f"rating, usage recency and frequency, product adoption; weights and formulas in the glossary, "
               f"docs/health.md): green from {green:.0f}, yellow from {yellow:.0f}, red below; the change is against "
               f"the score 30 days earlier. The churn probability comes from a model trained on this warehouse's "
               f"own history and checked on a later period it did not see (docs/churn.md). Both are as of the "
               f"newest data: the customer filters apply, the date range does not.",
               className="text-muted small mb-3"),
        dbc.Row([dbc.Col(kpi_card(kpi_id, label), md=6, xl=3, className="mb-3") for kpi_id, label in KPIS.items()]),
        dbc.Row([
            dbc.Col(chart_card("health-distribution", "Health distribution",
                               "Customers in view per 10-point score band, coloured by health band; the dotted line "
                               "is the same customers 30 days earlier."), lg=6, className="mb-3"),
            dbc.Col(chart_card("health-segments", "Health by segment",
                               "Average health per value segment and persona, with its change over 30 days."),
                    lg=6, className="mb-3"),
        ]),
        dbc.Row([dbc.Col(chart_card("health-movers", "Largest falls in health",
                                    f"The {TABLE_ROWS} customers in view whose health fell most in 30 days, with the "
                                    "measure that costs them most points."), className="mb-3")]),
        dbc.Row([
            dbc.Col(chart_card("churn-bands", "Churn probability",
                               "Customers in view per churn band: High / Medium / Low by the model's probability of "
                               "no activity in the next horizon; Inactive = already without activity for that "
                               "long; Not scored = too new or no model."), lg=6, className="mb-3"),
            dbc.Col(chart_card("churn-calibration", "Model calibration (hold-out)",
                               "Predicted probability against the churn rate observed on the hold-out period: the "
                               "closer to the diagonal, the more a predicted 30 % means 30 %."),
                    lg=6, className="mb-3"),
        ]),
        dbc.Row([dbc.Col(chart_card("churn-top-risks", "Customers most at risk",
                                    f"The {TABLE_ROWS} customers in view with the highest churn probability, the "
                                    "model's reasons and the recommended action."), className="mb-3")]),
        dbc.Row([dbc.Col(chart_card("churn-actions", "Recommended actions",
                                    "Customers in view per recommended action (rules per churn band and value "
                                    "segment in the glossary), most urgent first."), className="mb-3")]),
    ])




def kpi_texts(bands: pd.DataFrame, churn: pd.DataFrame, evaluation: dict[str, Any]) -> dict[str, tuple[str, str]]:
    """(value, detail) per KPI card from health_bands, churn_summary and churn_evaluation."""
    texts: dict[str, tuple[str, str]] = {}
    by_band = bands.set_index("health_band") if not bands.empty else pd.DataFrame()
    for kpi_id, band in (("health-kpi-green", "green"), ("health-kpi-red", "red")):
        if by_band.empty or band not in by_band.index or not int(by_band["customers"].sum()):
            texts[kpi_id] = ("–", "no scored customer in view")
            continue
        row = by_band.loc[band]
        change = 0 if is_missing(row["customers_change"]) else int(row["customers_change"])
        texts[kpi_id] = (percent_text(row["share_of_customers"]),
                         f"{_customers(int(row['customers']))}, {change:+,} in 30 days")
    high = churn[churn["churn_band"] == "High"] if not churn.empty else churn
    if high.empty:
        texts["churn-kpi-high"] = ("–", "no customer in view")
    else:
        row = high.iloc[0]
        texts["churn-kpi-high"] = (percent_text(row["share"]), f"{_customers(int(row['customers']))} at "
                                   f"probability ≥ {load_rules()['churn_model']['band_high_min']:.0%}")
    status = str(evaluation.get("status") or "no model")
    if status != "ok" or is_missing(evaluation.get("auc")):
        texts["churn-kpi-model"] = ("–", status)
    else:
        texts["churn-kpi-model"] = (
            f"AUC {evaluation['auc']:.2f}",
            f"baseline 0.50; Brier {evaluation['brier']:.3f} vs {evaluation['baseline_brier']:.3f}; "
            f"{int(evaluation['n_eval']):,} customers held out")
    return texts


def _table(frame: pd.DataFrame, columns: list[tuple[str, str, dict]], empty: str) -> object:
    """A small client-side AG Grid (sortable) of a query's rows, or a message when there are none."""
    if frame.empty:
        return html.P(empty, className="text-muted")
    fields = [field for field, _, _ in columns]
    rows = [{k: (None if is_missing(v) else v) for k, v in r.items()} for r in frame[fields].to_dict("records")]
    defs = [{"field": field, "headerName": header, "sortable": True, **extra} for field, header, extra in columns]
    # short columns have fixed widths, text columns flex into the rest of the card (fits 1366 px screens)
    return dag.AgGrid(rowData=rows, columnDefs=defs, className="ag-theme-quartz",
                      defaultColDef={"resizable": True, "wrapHeaderText": True, "autoHeaderHeight": True},
                      dashGridOptions={"domLayout": "autoHeight", "enableCellTextSelection": True,
                                       "tooltipShowDelay": 300},
                      style={"width": "100%"})


def movers_table(frame: pd.DataFrame) -> object:
    data = frame.assign(weakest=frame["weakest_measure"].map(MEASURE_NAMES).fillna("–")) if not frame.empty else frame
    return _table(data, [
        ("customer_id", "Customer", {"pinned": "left", "width": 145, "cellRenderer": "CustomerLink"}),
        ("customer_name", "Name", {"width": 180}),
        ("value_segment", "Value segment", {"width": 125}),
        ("previous_health_score", "Health 30 days ago", {**number_column(".1f"), "width": 105}),
        ("health_score", "Health now", {**number_column(".1f"), "width": 90}),
        ("health_change", "Change", {**number_column("+.1f"), "width": 85}),
        ("health_band", "Band", {"width": 80}),
        ("weakest", "Weakest measure", {"flex": 1, "minWidth": 140}),
    ], "No customer in view lost health in the last 30 days.")


_WRAPPED = {"wrapText": True, "autoHeight": True, "cellStyle": {"lineHeight": "1.4", "padding": "6px"}}


def top_risks_table(frame: pd.DataFrame) -> object:
    if not frame.empty:
        frame = frame.assign(reasons=[
            "; ".join(str(r) for r in reasons if not is_missing(r))
            for reasons in frame[["reason_1", "reason_2", "reason_3"]].itertuples(index=False)])
    return _table(frame, [
        ("customer_id", "Customer", {"pinned": "left", "width": 145, "cellRenderer": "CustomerLink"}),
        ("customer_name", "Name", {"width": 160, "tooltipField": "value_segment"}),
        ("churn_probability", "Churn risk", {**number_column(".0%"), "width": 90}),
        # long texts wrap in the cell instead of being cut
        ("reasons", "Why (the model's strongest reasons)", {"flex": 3, "minWidth": 200, **_WRAPPED}),
        ("recommended_action", "Recommended action", {"flex": 2, "minWidth": 160, **_WRAPPED}),
        ("action_due_days", "Within (days)", {**number_column(",d"), "width": 85}),
        ("csm_owner", "CSM", {"width": 120}),
    ], "No scored customer in view (see the model status above).")


def actions_table(frame: pd.DataFrame) -> object:
    return _table(frame, [
        ("recommended_action", "Action", {"flex": 1, "minWidth": 300}),
        ("action_due_days", "Within (days)", {**number_column(",d"), "width": 120}),
        ("customers", "Customers", {**number_column(",d"), "width": 120}),
        ("high_value_customers", "Of which High Value", {**number_column(",d"), "width": 150}),
    ], "No customer in view has a recommended action.")


def register(app: Dash, reader: WarehouseReader) -> None:
    def texts(filters: Filters) -> dict[str, tuple[str, str]]:
        evaluation = reader.query("churn/churn_evaluation")
        return kpi_texts(reader.query("health/health_bands", filters), reader.query("churn/churn_summary", filters),
                         evaluation.iloc[0].to_dict() if len(evaluation) else {})

    register_kpis(app, list(KPIS), texts)

    def chart(chart_id: str, build: Callable[[Filters], object]) -> None:
        register_chart(app, chart_id, build)

    chart("health-distribution", lambda f: figures.health_distribution(
        reader.query("health/health_distribution", f), band_thresholds()))
    chart("health-segments", lambda f: figures.health_by_segment(reader.query("health/health_by_segment", f)))
    chart("health-movers", lambda f: movers_table(reader.query("health/health_movers", f, limit=TABLE_ROWS)))
    chart("churn-bands", lambda f: figures.churn_bands(reader.query("churn/churn_summary", f)))
    chart("churn-calibration", lambda _f: figures.churn_calibration(reader.query("churn/churn_calibration")))
    chart("churn-top-risks", lambda f: top_risks_table(reader.query("churn/churn_top_risks", f, limit=TABLE_ROWS)))
    chart("churn-actions", lambda f: actions_table(reader.query("churn/churn_actions", f)))


def _customers(count: int) -> str:
    return f"{count:,} customer{'' if count == 1 else 's'}"
