"""RFM, value-tier and revenue-concentration figures: pure functions from the query results of
sql/queries/segmentation/{rfm_segments,value_tiers,pareto_curve,rfm_customers}.sql to Plotly figures."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from dashapp.figures.common import PALETTE, empty_figure, styled

# Best to worst, one colour each (Okabe-Ito: greens/blues for the good, orange/vermilion/grey for the bad).
SEGMENT_COLOURS = {
    "Champions": "#009E73", "Loyal": "#0072B2", "Potential Loyalists": "#56B4E9", "New": "#CC79A7",
    "At Risk": "#E69F00", "Can't Lose": "#D55E00", "Hibernating": "#999999", "Lost": "#555555",
}
TIER_COLOURS = {"Platinum": "#0072B2", "Gold": "#E69F00", "Silver": "#999999", "Bronze": "#D55E00"}


def value_label(basis: str | None) -> str:
    """What "value" / "monetary" means in this warehouse (the queries' value_basis or basis column)."""
    return {"orders": "net revenue", "net_revenue": "net revenue", "lifetime_value": "lifetime value",
            "usage": "usage events", "usage_events": "usage events"}.get(basis or "", basis or "value")


def rfm_segments(frame: pd.DataFrame) -> go.Figure:
    """Horizontal bars: customers per RFM segment in the query's best-to-worst order, with share; the average
    recency, frequency and monetary value of the segment in the tooltip."""
    if frame.empty or int(frame["customers"].sum()) == 0:
        return empty_figure()
    money = value_label(frame["basis"].iloc[0])
    figure = go.Figure(go.Bar(
        y=frame["rfm_segment"], x=frame["customers"], orientation="h",
        marker_color=[SEGMENT_COLOURS.get(s, PALETTE[0]) for s in frame["rfm_segment"]],
        text=[f"{n:,} ({s:.0%})" for n, s in zip(frame["customers"], frame["share_of_customers"], strict=True)],
        textposition="auto", cliponaxis=False,
        customdata=frame[["avg_recency_days", "avg_frequency", "avg_monetary", "customers_without_activity"]]
        .astype(float).to_numpy(),
        hovertemplate="<b>%{y}</b>: %{x:,} customers<br>average recency %{customdata[0]:,.0f} days<br>"
                      "average frequency %{customdata[1]:,.1f}<br>average " + money + " %{customdata[2]:,.0f}<br>"
                      "%{customdata[3]:,} without any activity<extra></extra>",
    ))
    figure.update_yaxes(autorange="reversed", title=None, automargin=True)
    figure.update_xaxes(title="customers")
    return styled(figure, height=320)


def value_tiers(frame: pd.DataFrame) -> go.Figure:
    """Per tier, two bars: its share of the customers in view and its share of their value (the gap is the
    concentration)."""
    if frame.empty or int(frame["customers"].sum()) == 0:
        return empty_figure()
    money = value_label(frame["value_basis"].iloc[0])
    figure = go.Figure()
    for column, name, colour in (("share_of_customers", "share of customers", "#999999"),
                                 ("share_of_value", f"share of {money}", PALETTE[0])):
        values = frame[column].fillna(0)
        figure.add_trace(go.Bar(
            x=frame["value_tier"], y=values, name=name, marker_color=colour,
            text=[f"{v:.0%}" for v in values], textposition="outside", cliponaxis=False,
            customdata=frame[["customers", "min_value", "max_value"]].astype(float).to_numpy(),
            hovertemplate="<b>%{x}</b>: %{y:.1%} of the " + name.replace("share of ", "") +
                          "<br>%{customdata[0]:,} customers, " + money +
                          " %{customdata[1]:,.0f} – %{customdata[2]:,.0f}<extra></extra>",
        ))
    figure.update_yaxes(title=None, tickformat=".0%", range=[0, 1.1])
    figure = styled(figure, height=320)
    figure.update_layout(barmode="group", legend={"orientation": "h", "y": 1.12, "x": 0})
    return figure


def pareto_curve(frame: pd.DataFrame) -> go.Figure:
    """Cumulative share of value against cumulative share of customers (best first), with the line of perfect
    equality and markers at the top 1 %, 10 % and 20 %."""
    if frame.empty:
        return empty_figure("No customer in view has a positive value.")
    money = value_label(frame["value_basis"].iloc[0])
    figure = go.Figure()
    figure.add_trace(go.Scatter(x=[0, 1], y=[0, 1], mode="lines", name="perfect equality",
                                line={"color": "#adb5bd", "dash": "dot", "width": 1}, hoverinfo="skip"))
    figure.add_trace(go.Scatter(
        x=frame["customer_share"], y=frame["value_share"], mode="lines", name=f"share of {money}",
        line={"color": PALETTE[0], "width": 2.5}, fill="tonexty", fillcolor="rgba(0,114,178,0.08)",
        hovertemplate="top %{x:.1%} of customers hold %{y:.1%} of the " + money + "<extra></extra>",
    ))
    figure.update_xaxes(title="share of customers (highest value first)", tickformat=".0%", range=[0, 1])
    figure.update_yaxes(title=f"share of {money}", tickformat=".0%", range=[0, 1.02])
    figure = styled(figure, height=320)
    figure.update_layout(legend={"orientation": "h", "y": -0.25, "x": 0})
    return figure


def rfm_scatter_3d(frame: pd.DataFrame) -> go.Figure:
    """Customers in the recency × frequency × monetary space, coloured by RFM segment (a fixed sample)."""
    active = frame[frame["has_activity"].astype(bool)] if not frame.empty else frame
    if active.empty:
        return empty_figure("No customer in view has any activity to score.")
    money = value_label(active["basis"].iloc[0])
    figure = go.Figure()
    for segment, colour in SEGMENT_COLOURS.items():
        rows = active[active["rfm_segment"] == segment]
        if rows.empty:
            continue
        figure.add_trace(go.Scatter3d(
            x=rows["recency_days"], y=rows["frequency"], z=rows["monetary"], mode="markers", name=segment,
            marker={"size": 3, "color": colour, "opacity": 0.75}, text=rows["customer_id"].to_numpy(dtype=object),
            hovertemplate="<b>%{text}</b> (" + segment + ")<br>recency %{x:,} days<br>frequency %{y:,}<br>"
                          + money + " %{z:,.0f}<extra></extra>",
        ))
    shown, total = len(frame), int(frame["customers_in_view"].iloc[0])
    note = (f"{total:,} customers" if shown >= total else f"A fixed sample of {shown:,} of the {total:,} customers")
    figure = styled(figure, height=480)
    figure.update_layout(
        # the camera further out than the default, so the axis titles are not cut at the card's edge
        scene={"xaxis": {"title": "recency (days)"}, "yaxis": {"title": "frequency"}, "zaxis": {"title": money},
               "camera": {"eye": {"x": 1.9, "y": 1.9, "z": 1.1}}},
        margin={"l": 0, "r": 0, "t": 30, "b": 0}, legend={"orientation": "v", "x": 1.0, "y": 0.9},
        title={"text": note, "font": {"size": 12, "color": "#6c757d"}, "x": 0, "xanchor": "left"},
    )
    return figure
