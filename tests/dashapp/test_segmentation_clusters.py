"""The clustering section of the Segmentation tab (dashapp/tabs/segmentation_clusters.py, dashapp/figures/clusters.py):
figure and table builders on small frames, KPI and status texts, the comparison choices, the cache scope, and the
callback ids. The clustering itself is tested in tests/insight/test_clustering.py."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import dash
import pandas as pd
import plotly.graph_objects as go
from dash._callback_context import context_value
from dash._utils import AttributeDict

from dashapp.figures import clusters as figures
from dashapp.tabs import segmentation_clusters as section
from insight.clustering import ALL_FEATURES, ClusteringResult
from tests.dashapp.tab_checks import callback_ids, layout_ids
from tests.insight.test_clustering import blobs
from warehouse.filters import Filters

LABELS = ["Power", "Regular", "Regular 2", "Outliers"]
POINTS = pd.DataFrame({"customer_id": ["a", "b", "c", "d"], "label": LABELS, "pc1": [1.0, 0.0, -1.0, 5.0],
                       "pc2": [0.5, 0.0, 0.2, 3.0], "recency_days": [2.0, 30.0, 40.0, 900.0],
                       "frequency": [20.0, 5.0, 4.0, 1.0], "monetary": [900.0, 100.0, 90.0, 5.0],
                       "basis": ["orders"] * 4})
PROFILE = pd.DataFrame([{"label": label, "reason": f"why {label}", "customers": n, "share": n / 10,
                         **{f: 1.5 for f in ALL_FEATURES}} for label, n in zip(LABELS, [4, 3, 2, 1], strict=True)])
BOXES = pd.DataFrame([{"feature": f, "label": label, "q1": 1.0, "median": 2.0, "q3": 3.0, "lower": 0.0, "upper": 5.0}
                      for f in ("recency_days", "frequency") for label in LABELS])


def result(**changes) -> ClusteringResult:
    base = ClusteringResult(
        status="ok", message="", algorithm="kmeans", groups=("rfm",), customers=10,
        features=("recency_days", "frequency", "monetary"), fitted_on=10, k=3, silhouette_by_k={2: 0.4, 3: 0.61},
        silhouette=0.61, davies_bouldin=0.5, calinski_harabasz=1234.5, explained_variance=(0.6, 0.3),
        points=POINTS, profile=PROFILE, boxes=BOXES, fit_seconds=1.25)
    for name, value in changes.items():
        setattr(base, name, value)
    return base


def test_label_colours_are_fixed_and_distinct():
    colours = figures.label_colours(LABELS)
    assert colours["Power"] == "#009E73" and colours["Outliers"] == "#000000"
    assert colours["Regular 2"] == figures.SPARE_COLOURS[0] and len(set(colours.values())) == 4


def test_pca_scatter_one_trace_per_label_with_customer_ids():
    figure = figures.pca_scatter(POINTS, LABELS, (0.6, 0.3), customers=10)
    assert [t.name for t in figure.data] == LABELS
    assert list(figure.data[0].text) == ["a"] and "%{text}" in figure.data[0].hovertemplate
    assert figure.layout.xaxis.title.text == "component 1 (60% of the variance)"
    assert figure.layout.title.text == "A fixed sample of 4 of the 10 customers"
    assert figures.pca_scatter(POINTS.iloc[0:0], LABELS, (0, 0), 0).layout.annotations[0].text.startswith("No data")


def test_rfm_scatter_3d():
    figure = figures.rfm_scatter_3d(POINTS, LABELS, customers=4)
    assert [t.name for t in figure.data] == LABELS and figure.layout.scene.zaxis.title.text == "net revenue"
    assert figure.layout.title.text == "4 customers"


def test_box_grid_one_panel_per_feature_one_box_per_cluster():
    figure = figures.box_grid(BOXES, LABELS, ["recency_days", "frequency"], "orders")
    assert len(figure.data) == 8 and all(isinstance(t, go.Box) for t in figure.data)
    assert [a.text for a in figure.layout.annotations] == ["recency (days)", "frequency"]
    assert [t.showlegend for t in figure.data[:5]] == [True] * 4 + [False]
    assert figure.data[0].q1 == (1.0,) and figure.data[0].upperfence == (5.0,)


def test_profile_table():
    table = figures.profile_table(PROFILE, ["recency_days", "frequency", "monetary"], "orders")
    text = str(table)
    assert "monetary (net revenue) *" in text and "why Regular 2" in text and "40.0%" in text
    assert "average sentiment" in text  # the features not clustered on are shown too, unmarked


def test_comparison_table_formats_each_measure():
    frame = pd.DataFrame({"measure": ["customers", "share", "monetary", "avg_sentiment"],
                          "first": [1200.0, 0.12, 500.0, 0.25], "second": [300.0, 0.03, 1500.0, float("nan")]})
    frame["difference"] = frame["second"] - frame["first"]
    text = str(figures.comparison_table(frame, "Cluster: Power", "RFM: Lost", "orders"))
    for expected in ("Cluster: Power", "RFM: Lost", "1,200", "-900", "12.0%", "-9.0 pts", "+1,000",
                     "monetary (net revenue)", "+0.25", "'–'"):
        assert expected in text, expected


def test_kpi_and_status_texts():
    texts = section.kpi_texts(result())
    assert texts["clusters-kpi-k"] == ("3", "chosen by the best silhouette of k = 2–3")
    assert texts["clusters-kpi-silhouette"][0] == "0.61" and "fixed sample of 10" in texts["clusters-kpi-silhouette"][1]
    assert texts["clusters-kpi-ch"][0] == "1,234"
    dbscan = section.kpi_texts(result(algorithm="dbscan", silhouette=None, eps=1.5, min_samples=6, k=1))
    assert dbscan["clusters-kpi-k"][1] == "dense groups at eps 1.50, min. 6 neighbours; 10.0% outliers"
    assert dbscan["clusters-kpi-silhouette"] == ("–", "needs at least two clusters")
    few = result(status="too_few", message="Too few customers to cluster: 3 in view, at least 10 needed.")
    assert set(section.kpi_texts(few).values()) == {("–", few.message)}
    assert section.status_text(few) == few.message
    status = section.status_text(result(groups=("rfm", "tickets"), customers=100))
    assert status.startswith("KMeans on 3 features (tickets (all time), tickets (90 days) left out: no variation")
    assert "Silhouette by k — 2: 0.40, 3: 0.61." in status and "a fixed sample of 10 of the 100 customers" in status


def test_compare_options_keep_a_valid_choice():
    choices = [("cluster:Power", "Cluster: Power"), ("cluster:Regular", "Cluster: Regular"), ("rfm:Lost", "RFM: Lost")]
    options, first, _, second = section.compare_options(choices, None, None)
    assert options[2] == {"label": "RFM: Lost", "value": "rfm:Lost"} and (first, second) == ("cluster:Power",
                                                                                            "cluster:Regular")
    assert section.compare_options(choices, "rfm:Lost", "cluster:Gone")[1::2] == ("rfm:Lost", "cluster:Power")
    assert section.compare_options([], "a", "b")[1::2] == (None, None)


def test_the_cache_scope_is_the_customer_filters_not_the_dates():
    march = Filters(date_from=date(2024, 3, 1), date_to=date(2024, 3, 31))
    assert section.scope(march) == section.scope(Filters())
    assert section.scope(Filters(personas=("Mixed",))) != section.scope(Filters())


def test_every_callback_id_is_in_the_layout():
    in_layout = layout_ids(section.layout()) | {"filters"}
    used, count = callback_ids(section)
    assert used <= in_layout, used - in_layout
    # the fit, the KPI cards, one per chart (the comparison included) and the comparison's choices
    assert count == 1 + 1 + len(section.CHARTS) + 1


class FakeReader:
    """Serves the synthetic blobs as the feature query's result; counts the queries."""

    def __init__(self, path: Path) -> None:
        self.path, self.version, self.queries = path, "v1", 0

    def query(self, name: str, filters: Filters, **params) -> pd.DataFrame:
        assert name == section.FEATURE_QUERY
        self.queries += 1
        return blobs()


def test_the_callbacks_end_to_end(tmp_path):
    reader = FakeReader(tmp_path / "warehouse.duckdb")
    app = dash.Dash(__name__, suppress_callback_exceptions=True)
    section.register(app, reader)

    def call(output: str, *args):
        # as on a page load (nothing triggered): the callbacks read dash's callback context
        token = context_value.set(AttributeDict(triggered_inputs=[]))
        try:
            return app.callback_map[output]["callback"].__wrapped__(*args)
        finally:
            context_value.reset(token)

    run, status = call("..clusters-run.data...clusters-status.children..", {}, section.DEFAULT_GROUPS, "kmeans")
    assert run["error"] is None and status.startswith("KMeans on 12 features") and reader.queries == 1
    assert (tmp_path / "models" / "clustering" / "v1").is_dir()  # persisted next to the warehouse
    kpis = call(next(k for k in app.callback_map if "clusters-kpi-k-value" in k), run)
    assert kpis[:2] == ["4", "chosen by the best silhouette of k = 2–8"]
    body, retry = call("..clusters-pca-body.children...clusters-pca-retry.className..", run, None)
    assert retry == "d-none" and [t.name for t in body.figure.data] == ["Power", "Regular", "At-Risk", "Dormant"]
    options, first, _, second = call(next(k for k in app.callback_map if "clusters-compare-first.options" in k),
                                     run, None, None)
    assert (first, second) == ("cluster:Power", "cluster:Regular") and len(options) == 4 + 2 + 2
    table, _ = call("..clusters-compare-body.children...clusters-compare-retry.className..", run, first,
                    "persona:Frustrated", None)
    assert "Persona: Frustrated" in str(table)
    assert reader.queries == 1 + 2  # the fit once; the choices and the comparison read the (cached) query
    # no feature group chosen: a notice in every card, not an error with Retry
    run, status = call("..clusters-run.data...clusters-status.children..", {}, [], "kmeans")
    assert status == section.NO_GROUPS and run["error"] is None
    body, retry = call("..clusters-pca-body.children...clusters-pca-retry.className..", run, None)
    assert retry == "d-none" and body.figure.layout.annotations[0].text == section.NO_GROUPS


def test_reports_show_the_first_state_and_export_what_the_cards_show(tmp_path):
    from dashapp.components import REPORT_ITEMS
    from reports.content import RecordingReader

    reader = FakeReader(tmp_path / "warehouse.duckdb")

    def report_items() -> tuple[RecordingReader, dict]:
        recorder = RecordingReader(reader)  # type: ignore[arg-type]  # duck-typed, as in reports.content
        section.register(dash.Dash(__name__, suppress_callback_exceptions=True), recorder)
        return recorder, {i: dict(REPORT_ITEMS[i]) for i in [*section.KPIS, *section.CHARTS]}

    recorder, items = report_items()
    # every feature group, KMeans: the fit the dashboard shows first (test_the_callbacks_end_to_end)
    assert items["clusters-kpi-k"]["texts"](Filters())["clusters-kpi-k"] == ("4", "chosen by the best silhouette "
                                                                              "of k = 2–8")
    assert [name for name, _ in recorder.frames] == ["clustering/metrics"]  # the fit's input is not card data
    assert reader.queries == 1
    recorder.frames = []
    assert [t.name for t in items["clusters-pca"]["build"](Filters()).data] == ["Power", "Regular", "At-Risk",
                                                                               "Dormant"]
    assert [name for name, _ in recorder.frames] == ["clustering/points"]
    recorder.frames = []
    items["clusters-profile"]["build"](Filters())
    exported = dict(recorder.frames)
    assert list(exported) == ["clustering/profile", "clustering/assignments"]
    assert len(exported["clustering/assignments"]) == len(blobs())  # every customer with their cluster
    recorder.frames = []
    comparison = str(items["clusters-compare"]["build"](Filters()))
    assert "Cluster: Power" in comparison and "Cluster: Regular" in comparison  # the first two groups offered
    assert [name for name, _ in recorder.frames] == ["clustering/comparison"]
    # a second report loads the stored fit: the same frames, no new fit
    recorder, items = report_items()
    items["clusters-kpi-k"]["texts"](Filters())
    assert [name for name, _ in recorder.frames] == ["clustering/metrics"] and reader.queries == 1 + 2
