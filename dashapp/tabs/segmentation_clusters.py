"""The clustering part of the Segmentation tab: customers clustered on chosen feature groups (KMeans with k by
silhouette, or DBSCAN), quality metrics, a 2-D PCA view, a 3-D RFM view, box plots and a profile per cluster, and a
side-by-side comparison of any two groups (clusters, RFM segments, personas).

The fit runs in one callback (`clusters-run`), once per warehouse version, customer filters, feature groups and
algorithm (insight.clustering.ClusterStore: memory, then a joblib file next to the warehouse); the charts wait for
it and then read the cached result, so the fit occupies one server thread and the rest of the tab loads in
parallel. Features come from sql/queries/segmentation/cluster_features.sql; every number shown is in the
clustering result or computed by insight.clustering from that query."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from datetime import date
from typing import Any

import dash_bootstrap_components as dbc
import pandas as pd
from dash import Dash, Input, Output, State, callback_context, dcc, html

from dashapp.components import (
    chart_body,
    chart_card,
    export_frame,
    kpi_card,
    kpi_outputs,
    not_exported,
    register_report_item,
    register_report_kpis,
)
from dashapp.figures import clusters as figures
from dashapp.figures.common import empty_figure
from insight import clustering
from insight.clustering import ClusteringResult, ClusterStore
from warehouse.filters import Filters
from warehouse.queries import query_parameters
from warehouse.reader import WarehouseReader
from warehouse.scope import current_scope
from warehouse.sqlfiles import read_sql

log = logging.getLogger(__name__)

FEATURE_QUERY = "segmentation/cluster_features"
CHARTS = ("clusters-pca", "clusters-rfm3d", "clusters-boxes", "clusters-profile", "clusters-compare")
KPIS = {
    "clusters-kpi-k": "Clusters",
    "clusters-kpi-silhouette": "Silhouette",
    "clusters-kpi-db": "Davies–Bouldin",
    "clusters-kpi-ch": "Calinski–Harabasz",
}
GROUP_OPTIONS = [
    {"label": "RFM (recency, frequency, monetary)", "value": "rfm"},
    {"label": "Sentiment (average, trend, rating)", "value": "sentiment"},
    {"label": "Tickets (all time, last 90 days)", "value": "tickets"},
    {"label": "Usage (events and active days, 30 and 90 days)", "value": "usage"},
]
ALGORITHM_OPTIONS = [{"label": "KMeans (k chosen by silhouette)", "value": "kmeans"},
                     {"label": "DBSCAN (density; outliers apart)", "value": "dbscan"}]
DEFAULT_GROUPS = list(clustering.FEATURE_GROUPS)
NO_GROUPS = "Choose at least one feature group to cluster on."


def _fieldset(legend: str, control: object) -> html.Fieldset:
    # A group of checkboxes or radios is labelled by a legend (read out by screen readers with each option).
    return html.Fieldset([html.Legend(legend, className="form-label small fw-semibold mb-1 fs-6"), control],
                         className="mb-2")


def layout() -> html.Div:
    k_range = f"{clustering.K_RANGE.start}–{clustering.K_RANGE.stop - 1}"
    return html.Div([
        html.H2("Clusters", className="h5 mt-2 mb-2"),
        html.P("Customers grouped by similarity on the features you choose (all time and the last 30/90 days, as of "
               "the newest data; the date range does not apply). Counts, days and money are log-scaled and every "
               f"feature standardised; KMeans tries k = {k_range} and keeps the best silhouette, DBSCAN finds dense "
               "groups and sets outliers apart. Clusters are named from their averages against all customers in "
               "view (rules in the glossary, docs/segments.md). Fitted once per data version, filters and choice.",
               className="text-muted small mb-3"),
        dbc.Card(dbc.CardBody([
            dbc.Row([
                dbc.Col(_fieldset("Features to cluster on", dbc.Checklist(
                    id="clusters-groups", options=GROUP_OPTIONS, value=DEFAULT_GROUPS, inline=True)), lg=8),
                dbc.Col(_fieldset("Algorithm", dbc.RadioItems(
                    id="clusters-algorithm", options=ALGORITHM_OPTIONS, value="kmeans", inline=True)), lg=4),
            ]),
            dcc.Loading(html.Div(id="clusters-status", className="small text-muted", **{"aria-live": "polite"}),
                        type="dot"),
        ]), className="mb-3 shadow-sm"),
        dcc.Store(id="clusters-run"),
        dbc.Row([dbc.Col(kpi_card(kpi_id, label), md=6, xl=3, className="mb-3") for kpi_id, label in KPIS.items()]),
        dbc.Row([
            dbc.Col(chart_card("clusters-pca", "Clusters in two dimensions (PCA)",
                               "Each point a customer, placed on the two directions that spread the scaled features "
                               "most; hover for the customer id."), lg=6, className="mb-3"),
            dbc.Col(chart_card("clusters-rfm3d", "Clusters in recency × frequency × monetary",
                               "The same customers in their RFM values, coloured by cluster; drag to rotate."),
                    lg=6, className="mb-3"),
        ]),
        dbc.Row([dbc.Col(chart_card(
            "clusters-boxes", "Features by cluster",
            "Per clustered feature: the middle half of each cluster's customers (box), its median (line) and the "
            "range within 1.5 box lengths (whiskers), over every customer in view."), className="mb-3")]),
        dbc.Row([dbc.Col(chart_card("clusters-profile", "Cluster profiles",
                                    "Size and average of every feature per cluster, in the feature's own units."),
                         className="mb-3")]),
        dbc.Row([dbc.Col(chart_card(
            "clusters-compare", "Compare two segments",
            "Any two groups of the customers in view, side by side: a cluster, an RFM segment or a persona.",
            controls=html.Div([
                dbc.Label("First group to compare", html_for="clusters-compare-first", className="visually-hidden"),
                dcc.Dropdown(id="clusters-compare-first", clearable=False, style={"width": "240px"}),
                html.Span("vs", className="small text-muted"),
                dbc.Label("Second group to compare", html_for="clusters-compare-second",
                          className="visually-hidden"),
                dcc.Dropdown(id="clusters-compare-second", clearable=False, style={"width": "240px"}),
            ], className="d-flex align-items-center gap-2 flex-wrap")), className="mb-3")]),
    ])


def scope(filters: Filters) -> dict[str, Any]:
    """What the clustering depends on besides the warehouse version: the feature query's own parameters (the
    customer filters; the date range is not one) and its text (an edited query never serves an old model)."""
    used = query_parameters(FEATURE_QUERY)
    params = {k: v for k, v in filters.params(date.min, date.max).items() if k in used}
    # the signed-in user's accounts: another user's clustering is never served (warehouse/scope.py)
    return {**params, "sql": hashlib.sha256(read_sql(f"queries/{FEATURE_QUERY}.sql").encode()).hexdigest(),
            "accounts": current_scope().key()}


def status_text(result: ClusteringResult) -> str:
    if result.status == "too_few":
        return result.message
    method = "KMeans" if result.algorithm == "kmeans" else "DBSCAN"
    chosen = [f for g in result.groups for f in clustering.FEATURE_GROUPS[g]]
    dropped = [figures.feature_text(f) for f in chosen if f not in result.features]
    parts = [f"{method} on {len(result.features)} feature{'s' if len(result.features) != 1 else ''}"
             + (f" ({', '.join(dropped)} left out: no variation in view)" if dropped else "") + "."]
    if result.silhouette_by_k:
        scores = ", ".join(f"{k}: {s:.2f}" for k, s in result.silhouette_by_k.items())
        parts.append(f"Silhouette by k — {scores}.")
    parts.append(f"Fitted on {'a fixed sample of ' if result.fitted_on < result.customers else ''}"
                 f"{result.fitted_on:,} of the {result.customers:,} customers in view in {result.fit_seconds:.1f} s, "
                 "then every customer assigned.")
    if result.message:
        parts.append(result.message)
    return " ".join(parts)


def kpi_texts(result: ClusteringResult) -> dict[str, tuple[str, str]]:
    """(value, detail) per KPI card."""
    if result.status == "too_few":
        return {kpi_id: ("–", result.message) for kpi_id in KPIS}
    if result.algorithm == "kmeans":
        k_detail = (f"chosen by the best silhouette of k = {min(result.silhouette_by_k)}–"
                    f"{max(result.silhouette_by_k)}" if result.silhouette_by_k else "too few distinct customers")
    else:
        noise = result.profile.set_index("label")["share"].get(clustering.OUTLIERS, 0.0)
        k_detail = (f"dense groups at eps {result.eps:.2f}, min. {result.min_samples} neighbours; "
                    f"{noise:.1%} outliers")
    missing = "needs at least two clusters"

    def metric(value: float | None, fmt: str, detail: str) -> tuple[str, str]:
        return ("–", missing) if value is None else (fmt.format(value), detail)

    sample = min(clustering.SILHOUETTE_SAMPLE, result.fitted_on)
    return {
        "clusters-kpi-k": (str(result.k), k_detail),
        "clusters-kpi-silhouette": metric(result.silhouette, "{:.2f}",
                                          f"−1 to 1; higher = customers closer to their own cluster than to the next "
                                          f"(on a fixed sample of {sample:,})"),
        "clusters-kpi-db": metric(result.davies_bouldin, "{:.2f}",
                                  "0 or more; lower = clusters more compact and further apart"),
        "clusters-kpi-ch": metric(result.calinski_harabasz, "{:,.0f}",
                                  "higher = denser, better separated clusters (no fixed scale: compare choices)"),
    }


def metrics_frame(result: ClusteringResult) -> pd.DataFrame:
    """The clustering's quality metrics as one row per k tried (the chosen k marked), for an export."""
    tried = result.silhouette_by_k or ({result.k: result.silhouette} if result.k else {})
    return pd.DataFrame([{"algorithm": result.algorithm, "k": k, "chosen": k == result.k, "silhouette": score,
                          "davies_bouldin": result.davies_bouldin if k == result.k else None,
                          "calinski_harabasz": result.calinski_harabasz if k == result.k else None,
                          "customers": result.customers, "fitted_on": result.fitted_on}
                         for k, score in tried.items()])


def compare_options(choices: list[tuple[str, str]], first: str | None,
                    second: str | None) -> tuple[list[dict], str | None, list[dict], str | None]:
    """Dropdown options and values: a value still offered is kept, else the first and the second choice."""
    options = [{"label": text, "value": value} for value, text in choices]
    values = [value for value, _ in choices]
    first = first if first in values else (values[0] if values else None)
    rest = [v for v in values if v != first]
    second = second if second in values and second != first else (rest[0] if rest else first)
    return options, first, options, second


def register(app: Dash, reader: WarehouseReader) -> None:
    stores: dict[str, ClusterStore] = {}

    def result_for(run: dict | None, retried: bool = False) -> ClusteringResult:
        if not run:
            raise RuntimeError("the clustering has not run yet")
        if run.get("error") and not retried:
            raise RuntimeError(run["error"])
        if not run["groups"]:  # the user's choice, not a failure: every card says what to do
            return ClusteringResult("too_few", NO_GROUPS, run["algorithm"], (), 0)
        filters = Filters.from_dict(run["filters"])
        directory = reader.path.parent / "models" / "clustering"  # "with the warehouse", one folder per version
        store = stores.setdefault(str(directory), ClusterStore(directory))
        with not_exported(reader):  # an export holds the clustering's results, stored or computed
            return store.get(reader.version, scope(filters), run["groups"], run["algorithm"],
                             lambda: reader.query(FEATURE_QUERY, filters))

    def report_result(filters: Filters) -> ClusteringResult:
        """The clustering as the tab first shows it (every feature group, KMeans): what reports print."""
        return result_for({"filters": filters.to_dict(), "groups": DEFAULT_GROUPS, "algorithm": "kmeans",
                           "error": None})

    def features_of(filters: Filters) -> pd.DataFrame:
        with not_exported(reader):  # an export holds the comparison, not the features of every customer in view
            return reader.query(FEATURE_QUERY, filters)

    def comparison(filters: Filters, result: ClusteringResult, first: str | None, second: str | None) -> object:
        if not first or not second:
            return html.P("Choose two groups to compare.", className="text-muted small")
        features = features_of(filters)
        frame = clustering.compare_segments(features, result, first, second)
        export_frame(reader, "clustering/comparison", frame)
        basis = features["basis"].iloc[0] if len(features) else None
        return figures.comparison_table(frame, _choice_text(first), _choice_text(second), basis)

    def report_comparison(filters: Filters) -> object:
        """The comparison as the tab first shows it: the first two groups offered (the two largest clusters)."""
        result = report_result(filters)
        if result.status == "too_few":
            return empty_figure(result.message)
        _options, first, _same, second = compare_options(
            clustering.segment_choices(features_of(filters), result), None, None)
        return comparison(filters, result, first, second)

    def kpis(result: ClusteringResult) -> dict[str, tuple[str, str]]:
        export_frame(reader, "clustering/metrics", metrics_frame(result))
        return kpi_texts(result)

    @app.callback(Output("clusters-run", "data"), Output("clusters-status", "children"),
                  Input("filters", "data"), Input("clusters-groups", "value"), Input("clusters-algorithm", "value"))
    def run(filters_data: dict, groups: list[str] | None, algorithm: str) -> tuple[dict, object]:
        groups = [g for g in groups if isinstance(g, str)] if isinstance(groups, list) else []  # as a page sends
        data = {"filters": filters_data, "groups": groups, "algorithm": algorithm, "error": None}
        try:
            return data, status_text(result_for(data))
        except Exception as exc:  # a failed fit must not take the page down; the charts offer Retry
            log.exception("clustering failed")
            data["error"] = f"{type(exc).__name__}: {exc}"[:300]
            return data, html.Span(f"The clustering could not be computed ({data['error']}).",
                                   className="text-danger")

    @app.callback(kpi_outputs(list(KPIS)), Input("clusters-run", "data"))
    def update_kpis(run_data: dict | None) -> list:
        try:
            texts = kpis(result_for(run_data))
        except Exception as exc:
            return [part for _ in KPIS for part in ("–", str(exc)[:200], "small text-danger")]
        return [part for kpi_id in KPIS for part in (*texts[kpi_id], "small text-muted")]

    def chart(chart_id: str, build: Callable[[ClusteringResult], object]) -> None:
        @app.callback(Output(f"{chart_id}-body", "children"), Output(f"{chart_id}-retry", "className"),
                      Input("clusters-run", "data"), Input(f"{chart_id}-retry", "n_clicks"))
        def update(run_data: dict | None, _retry: int | None) -> tuple:
            retried = callback_context.triggered_id == f"{chart_id}-retry"
            return chart_body(chart_id, lambda: _unless_too_few(result_for(run_data, retried), build))

        # reports show the card for the tab's first state (report_result); their export gets what it shows
        register_report_item(chart_id, lambda f: _unless_too_few(report_result(f), build))

    def exported(name: str, frame: pd.DataFrame | None, shown: object) -> object:
        if frame is not None:
            export_frame(reader, name, frame)
        return shown

    register_report_kpis(list(KPIS), lambda f: kpis(report_result(f)))
    chart("clusters-pca", lambda r: exported("clustering/points", r.points, figures.pca_scatter(
        r.points, r.labels, r.explained_variance, r.customers)))
    chart("clusters-rfm3d", lambda r: exported("clustering/points", r.points, figures.rfm_scatter_3d(
        r.points, r.labels, r.customers)))
    chart("clusters-boxes", lambda r: exported("clustering/boxes", r.boxes, figures.box_grid(
        r.boxes, r.labels, list(r.features), _basis(r))))
    # the profile's export also lists every customer in view with their cluster
    chart("clusters-profile", lambda r: exported("clustering/assignments", r.assignments, exported(
        "clustering/profile", r.profile, figures.profile_table(r.profile, list(r.features), _basis(r)))))
    register_report_item("clusters-compare", report_comparison)

    @app.callback(Output("clusters-compare-first", "options"), Output("clusters-compare-first", "value"),
                  Output("clusters-compare-second", "options"), Output("clusters-compare-second", "value"),
                  Input("clusters-run", "data"), State("clusters-compare-first", "value"),
                  State("clusters-compare-second", "value"))
    def update_choices(run_data: dict | None, first: str | None, second: str | None) -> tuple:
        try:
            result = result_for(run_data)
            features = reader.query(FEATURE_QUERY, Filters.from_dict(run_data["filters"]))
            return compare_options(clustering.segment_choices(features, result), first, second)
        except Exception:  # the comparison card shows the error; the dropdowns just stay empty
            log.exception("comparison choices failed")
            return [], None, [], None

    @app.callback(Output("clusters-compare-body", "children"), Output("clusters-compare-retry", "className"),
                  Input("clusters-run", "data"), Input("clusters-compare-first", "value"),
                  Input("clusters-compare-second", "value"), Input("clusters-compare-retry", "n_clicks"))
    def update_comparison(run_data: dict | None, first: str | None, second: str | None, _retry: int | None) -> tuple:
        retried = callback_context.triggered_id == "clusters-compare-retry"
        return chart_body("clusters-compare", lambda: comparison(
            Filters.from_dict(run_data["filters"]) if run_data else Filters(), result_for(run_data, retried),
            first, second))


def _unless_too_few(result: ClusteringResult, build: Callable[[ClusteringResult], object]) -> object:
    return empty_figure(result.message) if result.status == "too_few" else build(result)


def _basis(result: ClusteringResult) -> str | None:
    return None if result.points is None or result.points.empty else result.points["basis"].iloc[0]


_KINDS = {"cluster": "Cluster", "rfm": "RFM", "persona": "Persona"}


def _choice_text(value: str) -> str:
    kind, _, name = value.partition(":")
    return f"{_KINDS.get(kind, kind)}: {name}"
