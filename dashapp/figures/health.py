"""Health-score and churn-model figures: pure functions from the results of sql/queries/health/*.sql and
sql/queries/churn/*.sql to Plotly figures."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from dashapp.figures.common import PALETTE, empty_figure, styled

BAND_COLOURS = {"green": "#009E73", "yellow": "#E69F00", "red": "#D55E00"}
CHURN_COLOURS = {"High": "#D55E00", "Medium": "#E69F00", "Low": "#0072B2", "Inactive": "#555555",
                 "Not scored": "#BBBBBB"}


def _bin_band(start: float, thresholds: tuple[float, float]) -> str:
    green, yellow = thresholds
    return "green" if start >= green else "yellow" if start >= yellow else "red"


def health_distribution(frame: pd.DataFrame, thresholds: tuple[float, float]) -> go.Figure:
    """Customers per 10-point health bin, coloured by the band the bin falls in, with the previous period's
    counts as an outline (health_distribution.sql). thresholds = (green from, yellow from)."""
    if frame.empty or int(frame["customers"].sum()) == 0:
        return empty_figure()
    labels = [f"{int(a)}–{int(b)}" for a, b in zip(frame["bin_start"], frame["bin_end"], strict=True)]
    figure = go.Figure()
    figure.add_trace(go.Bar(
        x=labels, y=frame["customers"], name="now",
        marker_color=[BAND_COLOURS[_bin_band(s, thresholds)] for s in frame["bin_start"]],
        customdata=frame["share_of_customers"],
        hovertemplate="score %{x}: %{y:,} customers (%{customdata:.1%})<extra></extra>",
    ))
    figure.add_trace(go.Scatter(
        x=labels, y=frame["previous_customers"], name="30 days earlier", mode="lines+markers",
        line={"color": "#333333", "width": 1.5, "dash": "dot", "shape": "hvh"}, marker={"size": 5},
        hovertemplate="score %{x}: %{y:,} customers 30 days earlier<extra></extra>",
    ))
    figure.update_xaxes(title="health score")
    figure.update_yaxes(title="customers")
    figure = styled(figure, height=300)
    figure.update_layout(legend={"orientation": "h", "y": 1.12, "x": 0})
    return figure


def health_by_segment(frame: pd.DataFrame) -> go.Figure:
    """Average health per value segment and per persona (health_by_segment.sql, long format), as horizontal
    bars with the 30-day change in the labels."""
    data = frame[frame["scored_customers"] > 0] if not frame.empty else frame
    if data.empty:
        return empty_figure()
    names = [f"{'Value' if d == 'value_segment' else 'Persona'}: {v.replace(' Value', '')}"
             for d, v in zip(data["dimension"], data["dimension_value"], strict=True)]
    change = data["avg_health_change"].fillna(0)
    figure = go.Figure(go.Bar(
        y=names, x=data["avg_health_score"], orientation="h",
        marker_color=[PALETTE[0] if d == "value_segment" else PALETTE[5] for d in data["dimension"]],
        text=[f"{s:.0f} ({c:+.1f})" for s, c in zip(data["avg_health_score"], change, strict=True)],
        textposition="auto", customdata=data[["scored_customers", "red_customers"]].to_numpy(dtype=float),
        hovertemplate="%{y}<br>average health %{x:.1f}<br>%{customdata[0]:,} customers, %{customdata[1]:,} "
                      "red<extra></extra>",
    ))
    figure.update_yaxes(autorange="reversed", title=None, automargin=True)
    figure.update_xaxes(title="average health (30-day change)", range=[0, 100])
    return styled(figure, height=max(260, 26 * len(data) + 80))


def churn_bands(frame: pd.DataFrame) -> go.Figure:
    """Customers in view per churn band (churn_summary.sql), including Inactive and Not scored."""
    if frame.empty or int(frame["customers"].sum()) == 0:
        return empty_figure()
    figure = go.Figure(go.Bar(
        y=frame["churn_band"], x=frame["customers"], orientation="h",
        marker_color=[CHURN_COLOURS.get(b, PALETTE[0]) for b in frame["churn_band"]],
        text=[f"{n:,} ({s:.0%})" for n, s in zip(frame["customers"], frame["share"], strict=True)],
        textposition="auto", cliponaxis=False, customdata=frame["avg_probability"],
        hovertemplate="%{y}: %{x:,} customers<br>average probability %{customdata:.1%}<extra></extra>",
    ))
    figure.update_yaxes(autorange="reversed", title=None, automargin=True)
    figure.update_xaxes(title="customers")
    return styled(figure, height=260)


def churn_calibration(frame: pd.DataFrame) -> go.Figure:
    """Predicted vs observed churn rate per probability bin on the hold-out (churn_calibration.sql): points on
    the diagonal are well calibrated; marker size = customers in the bin."""
    if frame.empty:
        return empty_figure("No churn model: see the model status above.")
    top = float(max(frame["mean_predicted"].max(), frame["observed_rate"].max(), 0.05)) * 1.1
    size = 6 + 10 * (frame["customers"] / frame["customers"].max()) ** 0.5
    figure = go.Figure()
    figure.add_trace(go.Scatter(x=[0, top], y=[0, top], mode="lines", name="perfect calibration",
                                line={"color": "#adb5bd", "dash": "dot", "width": 1}, hoverinfo="skip"))
    figure.add_trace(go.Scatter(
        x=frame["mean_predicted"], y=frame["observed_rate"], mode="lines+markers", name="model (hold-out)",
        line={"color": PALETTE[0]}, marker={"size": size, "color": PALETTE[0], "opacity": 0.8}, cliponaxis=False,
        customdata=frame["customers"],
        hovertemplate="predicted %{x:.1%}, observed %{y:.1%}<br>%{customdata:,} customers<extra></extra>",
    ))
    figure.update_xaxes(title="predicted churn probability", tickformat=".0%", range=[0, top])
    figure.update_yaxes(title="observed churn rate", tickformat=".0%", range=[0, top])
    figure = styled(figure, height=300)
    figure.update_layout(legend={"orientation": "h", "y": -0.3, "x": 0})
    return figure
