"""Clustering figures and tables of the Segmentation tab: pure functions from the frames of an
insight.clustering.ClusteringResult (points, boxes, profile) and of insight.clustering.compare_segments to Plotly
figures and Bootstrap tables. Nothing is computed here beyond formatting."""

from __future__ import annotations

import math

import dash_bootstrap_components as dbc
import pandas as pd
import plotly.graph_objects as go
from dash import html
from plotly.subplots import make_subplots

from dashapp.figures.common import PALETTE, empty_figure, is_missing, styled
from dashapp.figures.rfm import value_label

# One colour per base label, meaning the same as in the RFM charts (green best, orange at risk, grey gone).
BASE_COLOURS = {"Power": "#009E73", "Regular": "#0072B2", "At-Risk": "#E69F00", "Dormant": "#999999",
                "Outliers": "#000000"}
# Further clusters of the same name ("Regular 2") take the next unused Okabe-Ito colour.
SPARE_COLOURS = ["#56B4E9", "#CC79A7", "#D55E00", "#F0E442", "#555555", "#8FD1B8", "#9BB8D9", "#E8C07A"]
# feature -> (text, number format); monetary's text depends on the RFM basis (value_label)
FEATURES = {
    "recency_days": ("recency (days)", "{:,.0f}"), "frequency": ("frequency", "{:,.1f}"),
    "monetary": ("monetary", "{:,.0f}"), "avg_sentiment": ("average sentiment", "{:+.2f}"),
    "sentiment_trend": ("sentiment trend", "{:+.2f}"), "avg_rating": ("average rating (1–5)", "{:.2f}"),
    "ticket_count": ("tickets (all time)", "{:,.1f}"), "tickets_90d": ("tickets (90 days)", "{:,.2f}"),
    "events_30d": ("usage events (30 days)", "{:,.0f}"), "active_days_30d": ("active days (30 days)", "{:,.1f}"),
    "events_90d": ("usage events (90 days)", "{:,.0f}"), "active_days_90d": ("active days (90 days)", "{:,.1f}"),
}


def label_colours(labels: list[str]) -> dict[str, str]:
    """A fixed colour per cluster label, in the given order: a base name's colour, else the next spare one."""
    spare = iter(SPARE_COLOURS + PALETTE)
    return {label: BASE_COLOURS.get(label) or next(spare) for label in labels}


def feature_text(feature: str, basis: str | None = None) -> str:
    if feature == "monetary" and basis:
        return f"monetary ({value_label(basis)})"
    return FEATURES.get(feature, (feature.replace("_", " "), ""))[0]


def number(feature: str, value: float | None) -> str:
    if is_missing(value):
        return "–"
    return FEATURES.get(feature, ("", "{:,.2f}"))[1].format(value)


def pca_scatter(points: pd.DataFrame, labels: list[str], explained: tuple[float, float], customers: int) -> go.Figure:
    """The fixed sample of customers on the first two principal components of the scaled features."""
    if points.empty:
        return empty_figure()
    colours = label_colours(labels)
    figure = go.Figure()
    for label in labels:
        rows = points[points["label"] == label]
        if rows.empty:
            continue
        figure.add_trace(go.Scattergl(
            x=rows["pc1"], y=rows["pc2"], mode="markers", name=label,
            marker={"size": 5, "color": colours[label], "opacity": 0.7},
            text=rows["customer_id"].to_numpy(dtype=object),
            hovertemplate="<b>%{text}</b><br>" + label + "<extra></extra>",
        ))
    figure.update_xaxes(title=f"component 1 ({explained[0]:.0%} of the variance)", zeroline=False)
    figure.update_yaxes(title=f"component 2 ({explained[1]:.0%})", zeroline=False)
    figure = styled(figure, height=480)
    # room at the top for the sample note, so it does not sit on the plot
    figure.update_layout(title=_sample_note(len(points), customers), legend={"orientation": "h", "y": -0.15},
                         margin={"t": 36})
    return figure


def rfm_scatter_3d(points: pd.DataFrame, labels: list[str], customers: int) -> go.Figure:
    """The same sample in recency × frequency × monetary, coloured by cluster (whatever the clustered features)."""
    if points.empty:
        return empty_figure()
    money = value_label(points["basis"].iloc[0])
    colours = label_colours(labels)
    figure = go.Figure()
    for label in labels:
        rows = points[points["label"] == label]
        if rows.empty:
            continue
        figure.add_trace(go.Scatter3d(
            x=rows["recency_days"], y=rows["frequency"], z=rows["monetary"], mode="markers", name=label,
            marker={"size": 3, "color": colours[label], "opacity": 0.75},
            text=rows["customer_id"].to_numpy(dtype=object),
            hovertemplate="<b>%{text}</b> (" + label + ")<br>recency %{x:,} days<br>frequency %{y:,}<br>" + money
                          + " %{z:,.0f}<extra></extra>",
        ))
    figure = styled(figure, height=480)
    figure.update_layout(
        scene={"xaxis": {"title": "recency (days)"}, "yaxis": {"title": "frequency"}, "zaxis": {"title": money},
               "camera": {"eye": {"x": 1.9, "y": 1.9, "z": 1.1}}},
        margin={"l": 0, "r": 0, "t": 30, "b": 0}, legend={"orientation": "v", "x": 1.0, "y": 0.9},
        title=_sample_note(len(points), customers),
    )
    return figure


def _sample_note(shown: int, total: int) -> dict:
    text = f"{total:,} customers" if shown >= total else f"A fixed sample of {shown:,} of the {total:,} customers"
    return {"text": text, "font": {"size": 12, "color": "#6c757d"}, "x": 0, "xanchor": "left"}


def box_grid(boxes: pd.DataFrame, labels: list[str], features: list[str], basis: str | None = None,
             columns: int = 3) -> go.Figure:
    """Small multiples: one panel per clustered feature, one box per cluster (quartiles and Tukey whiskers over every
    customer in view, precomputed; outliers beyond the whiskers are not drawn)."""
    if boxes.empty or not features:
        return empty_figure()
    rows = math.ceil(len(features) / columns)
    figure = make_subplots(rows=rows, cols=columns, subplot_titles=[feature_text(f, basis) for f in features],
                           horizontal_spacing=0.07, vertical_spacing=0.3 / rows)
    colours = label_colours(labels)
    for i, feature in enumerate(features):
        panel = boxes[boxes["feature"] == feature].set_index("label")
        shown = [label for label in labels if label in panel.index]
        for label in shown:
            stats = panel.loc[label]
            figure.add_trace(go.Box(
                x=[label], q1=[stats["q1"]], median=[stats["median"]], q3=[stats["q3"]],
                lowerfence=[stats["lower"]], upperfence=[stats["upper"]], name=label, marker_color=colours[label],
                legendgroup=label, showlegend=i == 0, boxpoints=False,
                hoverinfo="y", hovertemplate=None,
            ), row=i // columns + 1, col=i % columns + 1)
    figure.update_xaxes(showticklabels=False)
    figure.update_annotations(font_size=12)
    figure = styled(figure, height=200 * rows + 60)
    figure.update_layout(legend={"orientation": "h", "y": 1.0 + 40 / (200 * rows), "x": 0, "yanchor": "bottom"},
                         margin={"t": 60})
    return figure


def profile_table(profile: pd.DataFrame, features: list[str], basis: str | None = None) -> html.Div:
    """A column per cluster (at most 8 and the outliers), a row per measure: size, share, why it has its name, and
    the mean of each feature in its own units, the clustered features first and marked with *."""
    if profile.empty:
        return html.P("No cluster to describe.", className="text-muted small")
    colours = label_colours(list(profile["label"]))
    records = profile.to_dict("records")
    header = html.Thead(html.Tr([html.Th("Measure")] + [
        html.Th([html.Span("■ ", style={"color": colours[r["label"]]}, **{"aria-hidden": "true"}), r["label"]],
                className="text-end") for r in records]))

    def row(title: str, cells: list[str], muted: bool = False) -> html.Tr:
        cls = "text-end text-muted small" if muted else "text-end"
        return html.Tr([html.Th(title, scope="row", className="fw-normal text-nowrap")]
                       + [html.Td(c, className=cls) for c in cells])

    shown = features + [f for f in FEATURES if f not in features]
    rows = [row("customers", [f"{int(r['customers']):,}" for r in records]),
            row("share of customers in view", [f"{r['share']:.1%}" for r in records]),
            row("named for", [r["reason"] for r in records], muted=True)]
    rows += [row(feature_text(f, basis) + (" *" if f in features else ""), [number(f, r[f]) for r in records])
             for f in shown]
    return html.Div([
        dbc.Table([header, html.Tbody(rows)], size="sm", hover=True, responsive=True, className="mb-1 small"),
        html.Div("* clustered on. Means over every customer of the cluster; unknown sentiment or rating "
                 "(no scored text, no review) is left out of a mean.", className="text-muted small"),
    ])


def comparison_table(frame: pd.DataFrame, first: str, second: str, basis: str | None = None) -> html.Div:
    """Two groups side by side: customers, share of those in view and each feature's mean, with second − first."""
    if frame.empty:
        return html.P("Choose two groups to compare.", className="text-muted small")

    def cell(measure: str, value: float) -> str:
        if measure == "customers":
            return "–" if pd.isna(value) else f"{value:,.0f}"
        if measure == "share":
            return "–" if pd.isna(value) else f"{value:.1%}"
        return number(measure, value)

    def diff(measure: str, value: float) -> str:
        if pd.isna(value):
            return "–"
        if measure == "customers":
            return f"{value:+,.0f}"
        if measure == "share":
            return f"{value * 100:+.1f} pts"
        text = number(measure, value)
        return text if text.startswith(("+", "-", "−")) else ("+" + text if value > 0 else text)

    names = {"customers": "customers", "share": "share of customers in view"}
    rows = [html.Tr([html.Th(names.get(r["measure"]) or feature_text(r["measure"], basis), scope="row",
                             className="fw-normal text-nowrap"),
                     html.Td(cell(r["measure"], r["first"]), className="text-end"),
                     html.Td(cell(r["measure"], r["second"]), className="text-end"),
                     html.Td(diff(r["measure"], r["difference"]), className="text-end")])
            for r in frame.to_dict("records")]
    header = html.Thead(html.Tr([html.Th("Measure"), html.Th(first, className="text-end"),
                                 html.Th(second, className="text-end"),
                                 html.Th("Difference (right − left)", className="text-end")]))
    return dbc.Table([header, html.Tbody(rows)], size="sm", hover=True, responsive=True, className="mb-0 small")
