"""Retention tab: KPI cards (month-1, month-3 and month-12 retention, the largest monthly fall), the monthly
cohort heatmap by sign-up month and the retention curves with the drop-offs marked and named.

The date range picks whole cohorts (sign-up months that overlap it); every cohort is followed up to the
warehouse's as-of month. The customer filters select the cohorts' customers; the interaction type and review
language filters do not apply. Every number comes from sql/queries/retention/*.sql (docs/retention.md).
"""

from __future__ import annotations

import logging

import dash_bootstrap_components as dbc
import pandas as pd
from dash import Dash, Input, Output, dcc, html

from dashapp.components import GRAPH_CONFIG, chart_body, chart_card, kpi_card, register_kpis, register_report_item
from dashapp.figures import retention as figures
from dashapp.tabs import retention_health
from warehouse.filters import Filters
from warehouse.reader import WarehouseReader

log = logging.getLogger(__name__)

TAB_ID = "retention"
LABEL = "Retention"
# KPI id -> month since sign-up whose weighted retention it shows (a row of retention/retention_curve)
KPI_MONTHS = {"retention-kpi-month-1": 1, "retention-kpi-month-3": 3, "retention-kpi-month-12": 12}
KPIS = {**{kpi_id: f"Month-{month} retention" for kpi_id, month in KPI_MONTHS.items()},
        "retention-kpi-fall": "Largest monthly fall"}


def help_text() -> str:
    min_pp, min_customers = figures.drop_off_rules()
    return (
        "A cohort is the customers who signed up in the same month. The date range picks whole cohorts: those "
        "whose sign-up month overlaps it (a range from the 15th takes that month's whole cohort); each cohort is "
        "then followed to the newest data month, whatever the end of the range. A customer is active in a month "
        "with any interaction, product usage event or order in it (reviews, tickets and refunds are not activity). "
        "Month 0 is the sign-up month itself. The customer filters choose the cohorts' customers; the interaction "
        "type and review language filters do not apply to this tab. The newest month, while still in progress, is "
        f"marked {figures.IN_PROGRESS_MARK} and left out of the curves and averages, as are months before the "
        "activity data starts. Averages are weighted by cohort size. A drop-off is a fall of "
        f"{min_pp:g} percentage points or more from one month to the next, measured over the same cohorts and at "
        f"least {min_customers:,} customers."
    )


def layout() -> html.Div:
    return html.Div([
        dbc.Row([dbc.Col(kpi_card(kpi_id, label), md=6, xl=3, className="mb-3") for kpi_id, label in KPIS.items()]),
        html.P(help_text(), className="text-muted small mb-3", id="retention-help"),
        dbc.Row([dbc.Col(chart_card(
            "retention-heatmap", "Monthly retention by sign-up cohort",
            "Each row is a cohort (sign-up month · customers); each cell the share of its customers active that "
            "many months after signing up, with their number. Blank: not reached yet, or before the activity "
            "data starts. Hover a cell for the details; on wide grids the cells show the percentage only."),
            className="mb-3")]),
        dbc.Row([dbc.Col(chart_card(
            "retention-curves", "Retention curves",
            "One thin line per cohort and, in bold, their average weighted by cohort size. Drop-offs are marked "
            "on the average curve and named under the chart."),
            className="mb-3")]),
        retention_health.layout(),
    ])


# ---------------------------------------------------------------- pure helpers (tested without a server)

def kpi_texts(curve: pd.DataFrame) -> dict[str, tuple[str, str]]:
    """Value and detail line per KPI card, from retention/retention_curve."""
    if curve.empty:
        return {kpi_id: ("–", "no cohort with a complete month in view") for kpi_id in KPIS}
    by_month = curve.set_index("months_since_signup")
    texts: dict[str, tuple[str, str]] = {}
    for kpi_id, month in KPI_MONTHS.items():
        if month not in by_month.index:
            texts[kpi_id] = ("–", f"no cohort in view has completed month {month} yet")
            continue
        row = by_month.loc[month]
        cohorts, customers = int(row["cohorts"]), int(row["customers"])
        texts[kpi_id] = (f"{row['retention_pct']:.1f} %",
                         f"{cohorts:,} cohort{'s' if cohorts != 1 else ''}, {customers:,} customers, weighted")
    texts["retention-kpi-fall"] = _fall_text(curve)
    return texts


def _fall_text(curve: pd.DataFrame) -> tuple[str, str]:
    min_pp, min_customers = figures.drop_off_rules()
    largest = curve[curve["is_largest_fall"]]
    if largest.empty:
        judged = curve[(curve["step_customers"] >= min_customers) & curve["change_pp"].notna()]
        if judged.empty:
            return "–", f"no step from one month to the next has the {min_customers:,} customers needed to judge"
        return "–", "retention does not fall from one month to the next"
    drops = int(curve["is_drop_off"].sum())
    row = largest.iloc[0]
    month = int(row["months_since_signup"])
    verdict = (f"{drops} drop-off{'s' if drops != 1 else ''} of {min_pp:g} pp or more" if drops
               else f"under the {min_pp:g} pp drop-off threshold")
    return f"{row['change_pp']:.1f} pp".replace("-", "−"), f"month {month - 1} → {month} · {verdict}"


def drop_off_months(curve: pd.DataFrame) -> list[int]:
    return [int(m) for m in curve.loc[curve["is_drop_off"], "months_since_signup"]] if not curve.empty else []


def query(reader: WarehouseReader, name: str, filters: Filters) -> pd.DataFrame:
    """Run retention/<name> for the filters. :data_start is the first day of the data (where "All time"
    starts): a range starting there also takes the cohorts that signed up before the activity data begins."""
    return reader.query(f"retention/{name}", filters, data_start=reader.date_bounds()[0])


def heatmap(reader: WarehouseReader, filters: Filters) -> object:
    """The cohort heatmap card (the dashboard's and the report's)."""
    return figures.cohort_heatmap(query(reader, "cohort_retention", filters),
                                  drop_off_months(query(reader, "retention_curve", filters)))


def curves(reader: WarehouseReader, filters: Filters) -> object:
    """The retention curves card: the chart, and the drop-offs in words under it (where they are marked)."""
    curve = query(reader, "retention_curve", filters)
    figure = figures.retention_curves(query(reader, "cohort_retention", filters), curve)
    return html.Div([dcc.Graph(id="retention-curves", figure=figure, config=GRAPH_CONFIG),
                     html.P(figures.drop_off_summary(curve), id="retention-drop-off-text",
                            className="small mb-0 mt-2", **{"aria-live": "polite"})])


# ---------------------------------------------------------------- callbacks

def register(app: Dash, reader: WarehouseReader) -> None:
    retention_health.register(app, reader)

    register_kpis(app, list(KPIS), lambda f: kpi_texts(query(reader, "retention_curve", f)))
    # the two cards have callbacks of their own (one Graph id per card, for the e2e tests); reports build them alike
    register_report_item("retention-heatmap", lambda f: heatmap(reader, f))
    register_report_item("retention-curves", lambda f: curves(reader, f))

    @app.callback(Output("retention-heatmap-body", "children"), Output("retention-heatmap-retry", "className"),
                  Input("filters", "data"), Input("retention-heatmap-retry", "n_clicks"))
    def update_heatmap(filters_data: dict, _retry: int | None) -> tuple:
        return chart_body("retention-heatmap", lambda: heatmap(reader, Filters.from_dict(filters_data)))

    @app.callback(Output("retention-curves-body", "children"), Output("retention-curves-retry", "className"),
                  Input("filters", "data"), Input("retention-curves-retry", "n_clicks"))
    def update_curves(filters_data: dict, _retry: int | None) -> tuple:
        return chart_body("retention-curves", lambda: curves(reader, Filters.from_dict(filters_data)))
