"""Segmentation figures (personas, value segments, churn risk × upsell): pure functions from query results to
Plotly figures. The RFM and clustering figures live in dashapp/figures/rfm.py and dashapp/figures/clusters.py."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from dashapp.figures.common import PALETTE, empty_figure, styled

# One colour per persona, the same wherever a persona is drawn (Okabe-Ito; Neutral in grey).
PERSONA_COLOURS = {
    "Satisfied": "#009E73", "Improving": "#56B4E9", "Neutral": "#999999", "Mixed": "#E69F00",
    "Deteriorating": "#CC79A7", "Frustrated": "#D55E00",
}


def persona_distribution(frame: pd.DataFrame) -> go.Figure:
    """Horizontal bars: customers per persona in the query's order (sql/queries/segmentation/
    persona_distribution.sql), with count and share as labels."""
    if frame.empty or int(frame["customers"].sum()) == 0:
        return empty_figure()
    figure = go.Figure(go.Bar(
        y=frame["derived_persona"], x=frame["customers"], orientation="h",
        marker_color=[PERSONA_COLOURS.get(p, PALETTE[0]) for p in frame["derived_persona"]],
        text=[f"{n:,} ({s:.0%})" for n, s in zip(frame["customers"], frame["share"], strict=True)],
        textposition="auto", cliponaxis=False,
        hovertemplate="%{y}: %{x:,} customers<extra></extra>",
    ))
    figure.update_yaxes(autorange="reversed", title=None, automargin=True)
    figure.update_xaxes(title="customers")
    return styled(figure, height=300)


def value_segment_profile(frame: pd.DataFrame) -> go.Figure:
    """Three small panels side by side, one bar per value segment in each: average sentiment of the records in
    view, tickets per customer, average rating (sql/queries/segmentation/value_segment_profile.sql)."""
    if frame.empty or int(frame["customers"].sum()) == 0:
        return empty_figure()
    panels = [("avg_sentiment", "average sentiment", "{:+.2f}"), ("tickets_per_customer", "tickets per customer",
              "{:.1f}"), ("avg_rating", "average rating (1–5)", "{:.2f}")]
    figure = make_subplots(rows=1, cols=3, subplot_titles=[title for _, title, _ in panels],
                           horizontal_spacing=0.08)
    colours = {"High Value": PALETTE[0], "Medium Value": PALETTE[5], "Low Value": "#999999"}
    for col, (column, title, fmt) in enumerate(panels, start=1):
        values = frame[column]
        figure.add_trace(go.Bar(
            x=frame["value_segment"].str.replace(" Value", ""), y=values,
            marker_color=[colours.get(s, PALETTE[0]) for s in frame["value_segment"]],
            text=["–" if pd.isna(v) else fmt.format(v) for v in values], textposition="outside", cliponaxis=False,
            customdata=frame["customers"], showlegend=False,
            hovertemplate="%{x} Value<br>" + title + " %{y:.2f}<br>%{customdata:,} customers in view<extra></extra>",
        ), row=1, col=col)
    figure.update_yaxes(range=[-1, 1], zeroline=True, zerolinecolor="#adb5bd", row=1, col=1)
    top = frame["tickets_per_customer"].max()
    figure.update_yaxes(range=[0, 1.2 * (0 if pd.isna(top) else top) or 1], row=1, col=2)
    figure.update_yaxes(range=[0, 5.5], row=1, col=3)
    figure.update_annotations(font_size=12)
    figure = styled(figure, height=300)
    figure.update_layout(margin={"t": 36})
    return figure


def churn_upsell_heatmap(frame: pd.DataFrame) -> go.Figure:
    """Churn risk (rows) × upsell opportunity (columns), customers per cell with count and share of the
    customers in view (sql/queries/segmentation/churn_upsell_matrix.sql, nine cells, High first)."""
    total = int(frame["customers"].sum()) if not frame.empty else 0
    if total == 0:
        return empty_figure()
    risks = list(dict.fromkeys(frame["churn_risk"]))
    upsells = list(dict.fromkeys(frame["upsell_opportunity"]))
    grid = frame.pivot(index="churn_risk", columns="upsell_opportunity", values="customers").reindex(
        index=risks, columns=upsells)
    text = [[f"{int(n):,}<br>{n / total:.0%}" for n in row] for row in grid.to_numpy()]
    figure = go.Figure(go.Heatmap(
        z=grid.to_numpy(), x=[f"{u} upsell" for u in upsells], y=[f"{r} churn risk" for r in risks],
        text=text, texttemplate="%{text}", colorscale="Blues", showscale=False, xgap=3, ygap=3,
        hovertemplate="%{y} · %{x}<br>%{z:,} customers<extra></extra>",
    ))
    figure.update_yaxes(autorange="reversed", title=None)
    figure.update_xaxes(side="top", title=None)
    figure = styled(figure, height=300)
    figure.update_layout(margin={"t": 40, "l": 120})
    return figure
