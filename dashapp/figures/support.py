"""Support figures: pure functions from the sql/queries/support results to Plotly figures."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from dashapp.figures.common import LABEL_COLOURS, ORDER, PALETTE, empty_figure, styled

NO_TICKETS = "No support tickets for these filters.<br>Widen the date range or clear a filter."
UNCLASSIFIED_COLOUR = "#999999"


def _priority_order(values: pd.Series) -> list[str]:
    """Priorities in urgency order (Critical first), anything unexpected after them."""
    present = list(dict.fromkeys(values))
    known = [v for v in ORDER["priority_level"] if v in present]
    return known + sorted(v for v in present if v not in known)


def ticket_volume(frame: pd.DataFrame, grain: str) -> go.Figure:
    """Stacked bars of tickets per week or month, one colour per priority (support/ticket_volume)."""
    if frame.empty:
        return empty_figure(NO_TICKETS)
    period_format = "%b %Y" if grain == "month" else "week of %d %b %Y"
    figure = go.Figure()
    for priority in _priority_order(frame["priority_level"]):
        data = frame[frame["priority_level"] == priority]
        figure.add_trace(go.Bar(
            x=data["period"], y=data["tickets"], name=priority,
            marker_color=LABEL_COLOURS.get(priority, UNCLASSIFIED_COLOUR),
            hovertemplate=f"%{{x|{period_format}}}<br>{priority}: %{{y:,}} tickets<extra></extra>",
        ))
    figure.update_layout(barmode="stack", legend_title_text="Priority", legend_traceorder="normal")
    figure.update_yaxes(title=f"tickets per {grain}", rangemode="tozero")
    figure.update_xaxes(title=None)
    return styled(figure)


def tickets_by_priority(frame: pd.DataFrame) -> go.Figure:
    """Bars of tickets per priority; the priority's average sentiment as diamonds on a second axis and under
    the priority's name (support/tickets_by_priority)."""
    if frame.empty:
        return empty_figure(NO_TICKETS)
    data = frame.set_index("priority_level").reindex(_priority_order(frame["priority_level"])).reset_index()
    total = data["tickets"].sum()
    sentiment = [None if pd.isna(v) else float(v) for v in data["avg_sentiment"]]
    sentiment_text = ["n/a" if v is None else f"{v:+.2f}" for v in sentiment]
    figure = go.Figure()
    figure.add_trace(go.Bar(
        x=data["priority_level"], y=data["tickets"], name="tickets",
        marker_color=[LABEL_COLOURS.get(v, UNCLASSIFIED_COLOUR) for v in data["priority_level"]],
        text=[f"{n:,}<br>{n / total:.0%}" for n in data["tickets"]], textposition="auto", textangle=0,
        hovertemplate="%{x}: %{y:,} tickets<extra></extra>",
    ))
    figure.add_trace(go.Scatter(
        x=data["priority_level"], y=sentiment, yaxis="y2", name="average sentiment", mode="markers",
        marker={"symbol": "diamond", "size": 14, "color": "#000000", "line": {"color": "#ffffff", "width": 1.5}},
        customdata=sentiment_text, hovertemplate="%{x}: average sentiment %{customdata}<extra></extra>",
    ))
    figure.update_xaxes(tickmode="array", tickvals=list(data["priority_level"]), tickangle=0, tickfont={"size": 12},
                        ticktext=[f"{level}<br>{text}"
                                  for level, text in zip(data["priority_level"], sentiment_text, strict=True)])
    figure.update_layout(
        yaxis={"title": "tickets", "rangemode": "tozero"},
        yaxis2={"title": "average sentiment (−1 to 1)", "overlaying": "y", "side": "right", "range": [-1, 1],
                "tickmode": "array", "tickvals": [-1, -0.5, 0, 0.5, 1], "zeroline": False, "showgrid": False},
        bargap=0.3, showlegend=False,
    )
    figure = styled(figure)
    figure.update_layout(margin={"r": 56, "b": 56})
    return figure


def tickets_by_category(frame: pd.DataFrame) -> go.Figure:
    """Horizontal bars of tickets per category, most first, average sentiment in the tooltip
    (support/tickets_by_category)."""
    if frame.empty:
        return empty_figure(NO_TICKETS)
    total = frame["tickets"].sum()
    sentiment = ["n/a" if pd.isna(v) else f"{v:+.2f}" for v in frame["avg_sentiment"]]
    figure = go.Figure(go.Bar(
        y=frame["ticket_category"], x=frame["tickets"], orientation="h", marker_color=PALETTE[0],
        text=[f"{n:,} ({n / total:.0%})" for n in frame["tickets"]], textposition="auto",
        customdata=sentiment,
        hovertemplate="%{y}: %{x:,} tickets<br>average sentiment %{customdata}<extra></extra>",
    ))
    figure.update_yaxes(autorange="reversed", title=None)
    figure.update_xaxes(title="tickets")
    return styled(figure, height=max(260, 60 + 34 * len(frame)))


def tickets_per_customer(frame: pd.DataFrame) -> go.Figure:
    """Histogram of customers in view by how many tickets they raised (support/tickets_per_customer).
    Empty bins above the highest occupied one are left off."""
    if frame.empty or frame["customers"].sum() == 0:
        return empty_figure("No customers for these filters.<br>Clear a filter.")
    if frame.loc[frame["min_tickets"] > 0, "customers"].sum() == 0:
        return empty_figure(f"None of the {frame['customers'].sum():,} customers in view opened a ticket in this "
                            "date range.<br>Widen the date range.")
    occupied = frame.index[frame["customers"] > 0]
    data = frame.loc[: occupied.max()]
    total = data["customers"].sum()
    figure = go.Figure(go.Bar(
        x=data["bin_label"], y=data["customers"],
        marker_color=[UNCLASSIFIED_COLOUR if low == 0 else PALETTE[0] for low in data["min_tickets"]],
        text=[f"{n:,}" for n in data["customers"]], textposition="auto",
        customdata=[f"{n / total:.0%}" for n in data["customers"]],
        hovertemplate="%{x} tickets: %{y:,} customers (%{customdata})<extra></extra>",
    ))
    figure.update_xaxes(title="tickets per customer in the date range", type="category")
    figure.update_yaxes(title="customers", rangemode="tozero")
    figure.update_layout(bargap=0.1)
    return styled(figure)
