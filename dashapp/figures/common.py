"""Shared look of every chart: a colour-blind-safe palette (Okabe-Ito), fonts, empty-state figures."""

from __future__ import annotations

import math

import pandas as pd
import plotly.graph_objects as go

# Okabe & Ito (2008): distinguishable with the common colour-vision deficiencies.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000"]
# Fixed colours for labels that mean the same thing on every tab.
LABEL_COLOURS = {
    "Positive": "#009E73", "Neutral": "#999999", "Negative": "#D55E00",
    "High": "#D55E00", "Medium": "#E69F00", "Low": "#0072B2",
    "Critical": "#CC79A7",
    "interaction": "#0072B2", "review": "#E69F00", "ticket": "#D55E00",
}
ORDER = {
    "churn_risk": ["High", "Medium", "Low"],
    "upsell_opportunity": ["High", "Medium", "Low"],
    "overall_sentiment": ["Positive", "Neutral", "Negative"],
    "priority_level": ["Critical", "High", "Medium", "Low"],
    "value_segment": ["High Value", "Medium Value", "Low Value"],
}
def is_missing(value: object) -> bool:
    """None, pandas' NA / NaT, or a float NaN (numpy floats included): a value the query did not have. One test
    for every card, table and export, since a DataFrame cell can hold any of them."""
    return value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and math.isnan(value))


def percent_text(fraction: float) -> str:
    """A share as every KPI card writes it: one decimal and a space before the sign ("12.0 %")."""
    return f"{fraction * 100:.1f} %"


FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif"


def styled(figure: go.Figure, height: int = 320) -> go.Figure:
    figure.update_layout(
        template="plotly_white", height=height, margin={"l": 48, "r": 16, "t": 16, "b": 40},
        font={"family": FONT, "size": 13}, colorway=PALETTE, legend={"orientation": "h", "y": -0.2},
        hoverlabel={"font_family": FONT},
    )
    return figure


def empty_figure(message: str = "No data for these filters. Widen the date range or clear a filter.",
                 height: int = 320) -> go.Figure:
    """A figure with a message instead of an empty axis."""
    figure = go.Figure()
    figure.add_annotation(text=message, showarrow=False, x=0.5, y=0.5, xref="paper", yref="paper",
                          font={"size": 14, "color": "#6c757d"})
    figure.update_xaxes(visible=False)
    figure.update_yaxes(visible=False)
    return styled(figure, height)
