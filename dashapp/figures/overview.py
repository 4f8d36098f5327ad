"""Overview figures: pure functions from query results to Plotly figures."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from dashapp.figures.common import LABEL_COLOURS, ORDER, empty_figure, styled


def sentiment_trend(frame: pd.DataFrame, grain: str) -> go.Figure:
    if frame.empty:
        return empty_figure()
    figure = go.Figure(go.Scatter(
        x=frame["period"], y=frame["avg_sentiment"], mode="lines+markers", line={"width": 2},
        customdata=frame["records"],
        hovertemplate=f"%{{x|{'%b %Y' if grain == 'month' else 'week of %d %b %Y'}}}<br>"
                      "average sentiment %{y:.2f}<br>%{customdata:,} records<extra></extra>",
    ))
    figure.add_hline(y=0, line={"color": "#adb5bd", "width": 1, "dash": "dot"})
    figure.update_yaxes(title="average sentiment (−1 to 1)", range=[-1, 1], zeroline=False)
    return styled(figure)


def customers_by_label(frame: pd.DataFrame, column: str, title: str) -> go.Figure:
    """Horizontal bars of customers per label, in the label's natural order (e.g. High, Medium, Low)."""
    if frame.empty:
        return empty_figure()
    order = [v for v in ORDER.get(column, []) if v in set(frame[column])] or list(frame[column])
    data = frame.set_index(column).reindex(order).reset_index()
    total = data["customers"].sum()
    figure = go.Figure(go.Bar(
        y=data[column], x=data["customers"], orientation="h",
        marker_color=[LABEL_COLOURS.get(v, "#0072B2") for v in data[column]],
        text=[f"{n:,} ({n / total:.0%})" for n in data["customers"]], textposition="auto",
        hovertemplate="%{y}: %{x:,} customers<extra></extra>",
    ))
    figure.update_yaxes(autorange="reversed", title=None)
    figure.update_xaxes(title=title)
    return styled(figure, height=260)
