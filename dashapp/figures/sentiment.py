"""Sentiment figures: pure functions from query results (sql/queries/sentiment/*.sql) to Plotly figures."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from dashapp.figures.common import LABEL_COLOURS, ORDER, PALETTE, empty_figure, styled

SOURCES = {"interaction": "Interactions", "review": "Reviews", "ticket": "Tickets"}
BINS = 20  # sentiment_distribution_by_source: bins of width 0.1 over -1..1
NO_SOURCE_MESSAGE = "No source selected. Tick interactions, reviews or tickets above."


def sentiment_over_time(frame: pd.DataFrame, grain: str) -> go.Figure:
    """One line per source: average sentiment per week or month (query sentiment_over_time_by_source)."""
    if frame.empty:
        return empty_figure()
    period_format = "%b %Y" if grain == "month" else "week of %d %b %Y"
    figure = go.Figure()
    for source, label in SOURCES.items():
        rows = frame[frame["source_type"] == source]
        if rows.empty:
            continue
        figure.add_trace(go.Scatter(
            x=rows["period"], y=rows["avg_sentiment"], name=label, mode="lines+markers",
            line={"width": 2, "color": LABEL_COLOURS[source]}, marker={"size": 5},
            customdata=rows["records"],
            hovertemplate="average %{y:+.2f} (%{customdata:,} records)",
        ))
    figure.add_hline(y=0, line={"color": "#adb5bd", "width": 1, "dash": "dot"})
    figure.update_yaxes(title="average sentiment (−1 to 1)", range=[-1, 1], zeroline=False)
    figure.update_xaxes(title=None, hoverformat=period_format)  # the unified hover's heading
    periods = frame["period"].drop_duplicates()
    if len(periods) == 1:  # one period: a labelled tick, not an axis of milliseconds around it
        period, half = pd.Timestamp(periods.iloc[0]), pd.Timedelta(days=16 if grain == "month" else 4)
        figure.update_xaxes(range=[period - half, period + half], tickvals=[period],
                            ticktext=[period.strftime("%b %Y" if grain == "month" else "week of %d %b %Y")])
    figure = styled(figure)
    figure.update_layout(hovermode="x unified", showlegend=True,
                         legend={"orientation": "h", "y": 1.02, "yanchor": "bottom", "x": 0},
                         margin={"t": 36})
    return figure


X_PADDING = 0.08  # of the distribution's sentiment axis, on each side


def sentiment_distribution(frame: pd.DataFrame) -> go.Figure:
    """One histogram per source, stacked, sharing the sentiment axis; bars are the share of that source's
    records in each bin so that sources of different sizes compare (query sentiment_distribution_by_source)."""
    if frame.empty:
        return empty_figure()
    sources = [s for s in SOURCES if s in set(frame["source_type"])]
    figure = make_subplots(rows=len(sources), cols=1, shared_xaxes=True, vertical_spacing=0.08,
                           subplot_titles=[f"{SOURCES[s]}: {_plural(_first(frame, s, 'source_records'), 'record')}"
                                           for s in sources])
    all_bins = pd.DataFrame({"bin": range(BINS)})
    for row, source in enumerate(sources, start=1):
        # every bin on the axis, empty ones as 0 (display only: the counts come from the query)
        data = all_bins.merge(frame[frame["source_type"] == source], on="bin", how="left")
        data["records"] = data["records"].fillna(0).astype(int)
        data["share"] = data["share"].fillna(0.0)
        starts = -1 + 0.1 * data["bin"]
        figure.add_trace(go.Bar(
            x=starts + 0.05, y=100 * data["share"], width=0.095, name=SOURCES[source], showlegend=False,
            marker_color=LABEL_COLOURS[source],
            customdata=list(zip(starts, starts + 0.1, data["records"], strict=True)),
            hovertemplate=f"{SOURCES[source]}: %{{customdata[0]:+.1f}} to %{{customdata[1]:+.1f}}<br>"
                          "%{customdata[2]:,} records (%{y:.1f} %)<extra></extra>",
        ), row=row, col=1)
        figure.update_yaxes(ticksuffix=" %", rangemode="tozero", nticks=3, row=row, col=1)
    # a little room beyond -1..1: at the axes' corner the "-1.0" tick and the bottom "0 %" tick touched otherwise
    figure.update_xaxes(range=[-1 - X_PADDING, 1 + X_PADDING], dtick=0.5, tickformat="+.1f")
    figure.update_xaxes(title="sentiment score", row=len(sources), col=1)
    figure.update_annotations(font={"size": 12}, x=0, xanchor="left")
    return styled(figure, height=140 + 120 * len(sources))


def _plural(count: int, noun: str) -> str:
    return f"{count:,} {noun}{'' if count == 1 else 's'}"


def _first(frame: pd.DataFrame, source: str, column: str) -> int:
    return int(frame.loc[frame["source_type"] == source, column].iloc[0])


def volatility_vs_trend(frame: pd.DataFrame) -> go.Figure:
    """Customers as points: sentiment volatility (x) against trend (y), coloured by overall sentiment, the
    customer id in the tooltip (query sentiment_volatility_vs_trend; WebGL for thousands of points)."""
    if frame.empty:
        return empty_figure()
    labels = [v for v in ORDER["overall_sentiment"] if v in set(frame["overall_sentiment"])]
    labels += sorted(set(frame["overall_sentiment"].dropna()) - set(labels))
    figure = go.Figure()
    size = 6 if len(frame) > 500 else 8
    for i, label in enumerate(labels):
        rows = frame[frame["overall_sentiment"] == label]
        figure.add_trace(go.Scattergl(
            x=rows["sentiment_volatility"], y=rows["sentiment_trend"], mode="markers", name=label,
            marker={"size": size, "opacity": 0.6, "color": LABEL_COLOURS.get(label, PALETTE[i % len(PALETTE)])},
            # ids as text and the numbers as one float array: plotly validates arrays far faster than a list
            # of tuples (thousands of points)
            text=rows["customer_id"].to_numpy(dtype=object),
            customdata=rows[["avg_sentiment", "sentiment_count"]].to_numpy(dtype=float),
            hovertemplate="<b>%{text}</b> (" + label + ")<br>volatility %{x:.2f}<br>trend %{y:+.2f}<br>"
                          "average %{customdata[0]:+.2f} over %{customdata[1]:,} records<extra></extra>",
        ))
    shown, total = len(frame), int(frame["customers_in_view"].iloc[0])
    note = (_plural(shown, "customer") if shown >= total
            else f"A fixed sample of {shown:,} of the {total:,} customers in view")
    figure.add_hline(y=0, line={"color": "#adb5bd", "width": 1, "dash": "dot"})
    figure.update_xaxes(title="volatility: highest − lowest score", range=[-0.05, 2.05], zeroline=False)
    figure.update_yaxes(title="trend: last − first score", range=[-2.1, 2.1], zeroline=False)
    figure = styled(figure, height=420)
    figure.update_layout(
        title={"text": note, "font": {"size": 12, "color": "#6c757d"}, "x": 0, "xanchor": "left",
               "xref": "paper", "y": 0.99, "yanchor": "top"},
        # beside the plot, not above it: the mode bar appears top right on hover
        legend={"orientation": "v", "y": 1.0, "yanchor": "top", "x": 1.01, "xanchor": "left",
                "title": {"text": "overall<br>sentiment"}},
        margin={"t": 40},
    )
    return figure


def sentiment_by_interaction_type(frame: pd.DataFrame) -> go.Figure:
    """Horizontal bars: average sentiment per interaction type, best first (query sentiment_by_interaction_type)."""
    if frame.empty:
        return empty_figure()
    data = frame.sort_values(["avg_sentiment", "interaction_type"], ascending=[False, True])
    figure = go.Figure(go.Bar(
        y=data["interaction_type"], x=data["avg_sentiment"], orientation="h",
        marker_color=[LABEL_COLOURS["Positive"] if v >= 0 else LABEL_COLOURS["Negative"]
                      for v in data["avg_sentiment"]],
        text=[f"{v:+.2f}  (n={n:,})" for v, n in zip(data["avg_sentiment"], data["interactions"], strict=True)],
        # inside the bar when it fits (a fixed-width label outside a negative bar runs into the type names),
        # outside short bars, where the axis range below leaves room
        textposition="auto", insidetextanchor="middle", cliponaxis=False, customdata=data["interactions"],
        hovertemplate="%{y}<br>average sentiment %{x:+.2f}<br>%{customdata:,} interactions<extra></extra>",
    ))
    low, high = float(data["avg_sentiment"].min()), float(data["avg_sentiment"].max())
    span = max(high, 0) - min(low, 0) or 1
    # room for the outside labels on both sides of zero
    figure.update_xaxes(title="average sentiment (−1 to 1)", zeroline=True, zerolinecolor="#adb5bd",
                        range=[min(low, 0) - (0.45 * span if low < 0 else 0.02 * span),
                               max(high, 0) + (0.45 * span if high > 0 else 0.02 * span)])
    figure.update_yaxes(autorange="reversed", title=None, automargin=True)
    return styled(figure, height=max(260, 28 * len(data) + 90))
