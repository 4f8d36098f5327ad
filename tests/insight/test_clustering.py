"""Customer clustering (insight/clustering.py) and its feature query (sql/queries/segmentation/cluster_features.sql).

The synthetic customers are four well-separated blobs (numpy, fixed seed) built to match one naming rule each
(docs/segments.md#clustering), with 5 % multiplicative noise on counts and money and ±0.03 on scores:

    blob      n   recency  freq  monetary  sentiment trend rating  tickets (90 d)  usage 30 d / 90 d (events, days)
    Power    70        5    40     8 000     0.5      0.0   4.5       1 (0)         300, 25 / 900, 75
    Regular  60       60    10     1 500     0.3      0.0   4.0       2 (0)          40,  8 / 120, 24
    At-Risk  50       40    10     1 500    -0.6     -0.8   1.5      30 (10)         40,  8 / 120, 24
    Dormant  40      700     1        50     0.2      0.0   3.5       1 (0)           0,  0 /   0,  0

Means over all 220: recency 201, frequency 15.5, monetary 2 920, sentiment 0.16 (sd 0.42), trend -0.18 (sd 0.32).
Power: frequency 2.6×, monetary 2.7×, recency 0.02× the average, no low score -> Power. Dormant: recency 3.5×,
frequency 0.06× -> Dormant. At-Risk: sentiment -1.8 sd -> At-Risk. Regular: no rule -> Regular.
"""

from __future__ import annotations

import threading
from datetime import date

import numpy as np
import pandas as pd
import pytest
import sqlglot
from sklearn.metrics import adjusted_rand_score, silhouette_score

from insight import clustering
from insight.clustering import ALL_FEATURES, ClusterStore, cluster_customers, compare_segments, label_clusters
from tests.warehouse.builder import build_warehouse, customer, scored
from warehouse.filters import Filters
from warehouse.reader import WarehouseReader
from warehouse.sqlfiles import read_sql

ALL_GROUPS = tuple(clustering.FEATURE_GROUPS)
BLOBS = {  # name: (size, values in ALL_FEATURES order)
    "Power": (70, [5, 40, 8000, 0.5, 0.0, 4.5, 1, 0, 300, 25, 900, 75]),
    "Regular": (60, [60, 10, 1500, 0.3, 0.0, 4.0, 2, 0, 40, 8, 120, 24]),
    "At-Risk": (50, [40, 10, 1500, -0.6, -0.8, 1.5, 30, 10, 40, 8, 120, 24]),
    "Dormant": (40, [700, 1, 50, 0.2, 0.0, 3.5, 1, 0, 0, 0, 0, 0]),
}


def blobs(seed: int = 7) -> pd.DataFrame:
    """The synthetic customers, shuffled, with their blob in `truth`."""
    rng = np.random.default_rng(seed)
    parts = []
    for name, (size, centre) in BLOBS.items():
        values = {}
        for feature, value in zip(ALL_FEATURES, centre, strict=True):
            if feature in clustering.SIGNED:
                values[feature] = value + rng.uniform(-0.03, 0.03, size)
            else:
                values[feature] = np.round(value * rng.uniform(0.95, 1.05, size), 2)
        parts.append(pd.DataFrame({**values, "truth": name}))
    frame = pd.concat(parts, ignore_index=True).sample(frac=1.0, random_state=seed).reset_index(drop=True)
    frame.insert(0, "customer_id", [f"c{i:04d}" for i in range(len(frame))])
    return frame.assign(has_activity=True, basis="orders", rfm_segment=np.where(frame["truth"] == "Dormant", "Lost",
                        "Champions"), derived_persona=np.where(frame["truth"] == "At-Risk", "Frustrated", "Satisfied"))


def labelled(result: clustering.ClusteringResult, frame: pd.DataFrame) -> pd.Series:
    return frame["customer_id"].map(result.assignments.set_index("customer_id")["label"].astype(object))


# ---------------------------------------------------------------- KMeans on well-separated blobs


def test_kmeans_finds_the_blobs_and_names_them():
    frame = blobs()
    result = cluster_customers(frame, ALL_GROUPS, "kmeans")
    assert result.status == "ok" and result.k == 4
    assert max(result.silhouette_by_k, key=result.silhouette_by_k.get) == 4
    assert list(result.silhouette_by_k) == list(clustering.K_RANGE)
    labels = labelled(result, frame)
    assert adjusted_rand_score(frame["truth"], labels) == 1.0
    assert (labels == frame["truth"]).all()  # each blob got the name it was built for
    assert result.labels == ["Power", "Regular", "At-Risk", "Dormant"]  # LABEL_ORDER
    assert result.silhouette > 0.7 and result.davies_bouldin < 0.5 and result.calinski_harabasz > 1000
    # The silhouettes use precomputed distances: the same as sklearn's own on the blobs (all 220 rows are scored)
    scaled = result.model["preprocess"].transform(frame[list(result.features)].to_numpy(dtype=float))
    assert result.silhouette == pytest.approx(silhouette_score(scaled, frame["truth"]), abs=1e-12)
    assert result.silhouette == result.silhouette_by_k[4]
    profile = result.profile.set_index("label")
    assert list(profile["customers"]) == [70, 60, 50, 40] and profile["share"].sum() == pytest.approx(1.0)
    assert profile.loc["Dormant", "recency_days"] == pytest.approx(frame.loc[frame.truth == "Dormant",
                                                                             "recency_days"].mean())
    assert "sentiment" in profile.loc["At-Risk", "reason"] and "frequency" in profile.loc["Power", "reason"]
    assert sum(result.explained_variance) <= 1.0 and result.explained_variance[0] > 0.5
    assert len(result.points) == len(frame) and set(result.points["label"]) == set(BLOBS)


def test_the_same_input_gives_the_same_result_whatever_the_row_order():
    frame = blobs()
    first = cluster_customers(frame, ALL_GROUPS)
    second = cluster_customers(frame.sample(frac=1.0, random_state=1), ALL_GROUPS)
    assert first.assignments.equals(second.assignments) and first.silhouette == second.silhouette


def test_fitted_on_a_sample_every_customer_is_assigned(monkeypatch):
    monkeypatch.setattr(clustering, "FIT_SAMPLE", 80)
    monkeypatch.setattr(clustering, "SILHOUETTE_SAMPLE", 60)
    monkeypatch.setattr(clustering, "POINTS_SAMPLE", 50)
    frame = blobs()
    result = cluster_customers(frame, ALL_GROUPS)
    assert (result.fitted_on, result.customers, len(result.assignments), len(result.points)) == (80, 220, 220, 50)
    assert adjusted_rand_score(frame["truth"], labelled(result, frame)) == 1.0


def test_box_stats_are_quartiles_and_tukey_whiskers():
    features = pd.DataFrame({"x": [1.0, 2.0, 3.0, 4.0, 100.0]})
    box = clustering.box_stats(features, np.array(["A"] * 5), ["x"], ["A"]).iloc[0]
    # q1 2, median 3, q3 4, IQR 2: whiskers at the furthest values within [-1, 7]; 100 is beyond
    assert tuple(box[["q1", "median", "q3", "lower", "upper"]]) == (2.0, 3.0, 4.0, 1.0, 4.0)


def test_labels_only_use_the_clustered_features_and_are_unique():
    frame = blobs()
    # on sentiment and tickets alone, Power and Dormant cannot be told (no RFM, no usage): At-Risk or Regular
    result = cluster_customers(frame, ("sentiment", "tickets"))
    assert set(result.labels) <= {"At-Risk", "Regular", "Regular 2", "Regular 3"}
    assert set(labelled(result, frame)[frame.truth == "At-Risk"]) == {"At-Risk"}
    # two near-average clusters: the larger keeps the name, the other is numbered
    clusters = np.where(frame["truth"] == "Dormant", 0, np.where(frame["truth"] == "Power", 1, 2))
    frame = frame.assign(**{f: 1.0 for f in ALL_FEATURES if f not in ("recency_days", "frequency")})
    frame.loc[clusters == 1, "recency_days"] = frame.loc[clusters == 2, "recency_days"].mean()
    frame.loc[clusters == 1, "frequency"] = frame.loc[clusters == 2, "frequency"].mean()
    names = label_clusters(frame, clusters, ["recency_days", "frequency", "monetary"])
    assert {c: n for c, (n, _) in names.items()} == {0: "Dormant", 1: "Regular 2", 2: "Regular"}  # sizes 70 < 110


def test_usage_rules_name_clusters_without_rfm():
    frame = blobs()
    result = cluster_customers(frame, ("usage",))
    labels = labelled(result, frame)
    assert set(labels[frame.truth == "Power"]) == {"Power"}       # usage 3.7x the average
    assert set(labels[frame.truth == "Dormant"]) == {"Dormant"}   # no usage


# ---------------------------------------------------------------- DBSCAN, too few


def test_dbscan_finds_the_blobs_and_sets_outliers_apart():
    frame = blobs()
    far = frame.iloc[:3].copy()
    far["customer_id"] = ["z1", "z2", "z3"]
    far[["recency_days", "frequency", "monetary"]] = [[300, 200, 90_000], [1, 400, 20], [2000, 3, 40_000]]
    frame = pd.concat([frame, far.assign(truth="far")], ignore_index=True)
    result = cluster_customers(frame, ALL_GROUPS, "dbscan")
    assert result.status == "ok" and result.k == 4 and result.eps > 0 and result.min_samples == 24
    labels = labelled(result, frame)
    assert set(labels[frame.truth == "far"]) == {clustering.OUTLIERS}
    assert adjusted_rand_score(frame["truth"], labels) == 1.0
    assert result.labels[-1] == clustering.OUTLIERS and result.silhouette is not None


def test_dbscan_on_one_mass_says_so():
    frame = blobs()
    frame = frame[frame.truth == "Regular"].reset_index(drop=True)
    result = cluster_customers(frame, ALL_GROUPS, "dbscan")
    assert result.status == "no_clusters" and result.k == 1 and result.silhouette is None
    assert "Try KMeans" in result.message


def test_too_few_customers_is_a_result_not_an_error():
    frame = blobs().iloc[:9]
    result = cluster_customers(frame, ALL_GROUPS)
    assert result.status == "too_few" and result.message.startswith("Too few customers to cluster: 9 in view")
    assert cluster_customers(frame.iloc[:0], ALL_GROUPS).status == "too_few"
    constant = blobs().assign(ticket_count=3.0, tickets_90d=0.0)
    assert cluster_customers(constant, ("tickets",)).status == "too_few"


# ---------------------------------------------------------------- the segment comparison


def test_compare_segments_uses_the_same_means_as_the_profile():
    frame = blobs()
    result = cluster_customers(frame, ALL_GROUPS)
    table = compare_segments(frame, result, "cluster:Power", "persona:Frustrated").set_index("measure")
    profile = result.profile.set_index("label")
    assert table.loc["customers", "first"] == 70 and table.loc["customers", "second"] == 50
    assert table.loc["share", "second"] == pytest.approx(50 / 220)
    assert table.loc["monetary", "first"] == profile.loc["Power", "monetary"]
    assert table.loc["monetary", "difference"] == pytest.approx(
        table.loc["monetary", "second"] - table.loc["monetary", "first"])
    rfm = compare_segments(frame, result, "rfm:Lost", "cluster:Dormant").set_index("measure")
    assert (rfm["first"] == rfm["second"]).all()   # the same 40 customers, two names
    choices = dict(clustering.segment_choices(frame, result))
    assert list(choices)[:4] == ["cluster:Power", "cluster:Regular", "cluster:At-Risk", "cluster:Dormant"]
    assert choices["rfm:Champions"] == "RFM: Champions" and choices["persona:Frustrated"] == "Persona: Frustrated"
    with pytest.raises(ValueError):
        compare_segments(frame, result, "cluster:Power", "colour:blue")


# ---------------------------------------------------------------- cache and persistence


def test_store_fits_once_persists_and_a_new_process_loads(tmp_path):
    frame, calls = blobs(), []

    def load() -> pd.DataFrame:
        calls.append(1)
        return frame

    store = ClusterStore(tmp_path / "models")
    first = store.get("v1", {"value_segments": None}, ALL_GROUPS, "kmeans", load)
    assert store.get("v1", {"value_segments": None}, list(reversed(ALL_GROUPS)), "kmeans", load) is first
    assert (store.fits, len(calls)) == (1, 1)
    key = ClusterStore.key("v1", {"value_segments": None}, ALL_GROUPS, "kmeans")
    assert store.path("v1", key).is_file()
    # a second worker or a restart: loads the persisted model, no query, no fit
    other = ClusterStore(tmp_path / "models")
    loaded = other.get("v1", {"value_segments": None}, ALL_GROUPS, "kmeans", load)
    assert (other.fits, other.loads, len(calls)) == (0, 1, 1)
    assert loaded.assignments.equals(first.assignments) and loaded.profile.equals(first.profile)
    assert loaded.model["estimator"].predict(loaded.model["preprocess"].transform(
        frame.sort_values("customer_id")[list(loaded.features)].to_numpy())).shape == (len(frame),)
    # other filters, groups or algorithm: another key
    store.get("v1", {"value_segments": ["Low Value"]}, ALL_GROUPS, "kmeans", load)
    assert store.fits == 2 and len(list((tmp_path / "models" / "v1").glob("*.joblib"))) == 2
    # a new warehouse version: refit, and the old version's folder is gone
    store.get("v2", {"value_segments": None}, ALL_GROUPS, "kmeans", load)
    assert store.fits == 3 and [p.name for p in (tmp_path / "models").iterdir()] == ["v2"]


def test_concurrent_callers_share_one_fit(tmp_path):
    store, frame, results = ClusterStore(tmp_path), blobs(), []
    threads = [threading.Thread(target=lambda: results.append(store.get("v", {}, ALL_GROUPS, "kmeans",
                                                                        lambda: frame))) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert store.fits == 1 and all(r is results[0] for r in results)


def test_an_unreadable_model_file_is_refitted(tmp_path):
    store = ClusterStore(tmp_path)
    key = ClusterStore.key("v", {}, ALL_GROUPS, "kmeans")
    store.path("v", key).parent.mkdir(parents=True)
    store.path("v", key).write_bytes(b"not a model")
    assert store.get("v", {}, ALL_GROUPS, "kmeans", blobs).status == "ok" and store.fits == 1


# ---------------------------------------------------------------- the feature query on a hand-made warehouse
# as_of_date = 2024-06-30 (c1's usage). 29 days before = 2024-06-01, 30 = 2024-05-31, 89 = 2024-04-02,
# 90 = 2024-04-01, 182 = 2023-12-31.


def usage(user_id: str, customer_id: str, day: str, events: int, feature: str = "reports") -> dict:
    return {"user_id": user_id, "customer_id": customer_id, "event_date": day, "feature_name": feature,
            "events_count": events}


def ticket(ticket_id: str, customer_id: str, day: str) -> dict:
    return {"ticket_id": ticket_id, "customer_id": customer_id, "ticket_date": day, "ticket_category": "billing",
            "ticket_description": "text", "ticket_status": "open", "priority_level": "Low", "sentiment_score": None}


def review(review_id: str, customer_id: str, rating: int) -> dict:
    return {"review_id": review_id, "customer_id": customer_id, "review_date": "2024-02-10", "product_id": "P1",
            "review_rating": rating, "review_text": "text", "review_language": "en", "sentiment_score": None}


@pytest.fixture(scope="module")
def reader(tmp_path_factory):
    path = tmp_path_factory.mktemp("cluster_features") / "warehouse.duckdb"
    build_warehouse(
        path, [customer("c1", 1500.0), customer("c2", 100.0), customer("c3", 100.0)],
        interactions=scored("c1", 0.2, 0.6) + scored("c3", -0.5),
        reviews=[review("R1", "c1", 4), review("R2", "c1", 2)],
        tickets=[ticket("T1", "c1", "2024-06-01"), ticket("T2", "c1", "2024-01-10"), ticket("T3", "c3", "2024-04-02")],
        orders=[{"order_id": "O1", "customer_id": "c1", "order_date": "2023-12-31", "amount": 100.0},
                {"order_id": "O2", "customer_id": "c2", "order_date": "2024-06-20", "amount": 20.0},
                {"order_id": "O3", "customer_id": "c2", "order_date": "2024-04-01", "amount": 50.0}],
        usage_events=[usage("u1", "c1", "2024-06-30 09:00", 3), usage("u2", "c1", "2024-06-30", 2, "exports"),
                      usage("u1", "c1", "2024-06-01", 4), usage("u1", "c1", "2024-05-01", 5),
                      usage("u1", "c1", "2024-03-01", 7),
                      usage("u3", "c2", "2024-04-01", 6), usage("u3", "c2", "2024-05-31", 1)],
    ).close()
    reader = WarehouseReader(path)
    yield reader
    reader.close()


def test_feature_query_values_by_hand(reader):
    frame = reader.query("segmentation/cluster_features", Filters())
    assert list(frame["customer_id"]) == ["c1", "c2", "c3"]
    rows = {r["customer_id"]: r for r in frame.to_dict("records")}
    c1, c2, c3 = rows["c1"], rows["c2"], rows["c3"]
    # c1: one order 182 days before; sentiment 0.2 then 0.6; ratings 4 and 2; a ticket 29 days before and an old
    # one; usage on as_of (3 + 2, two users, one day), 29 days (4), 60 days (5) and 121 days before (7, outside)
    assert [c1[f] for f in ALL_FEATURES] == pytest.approx([182, 1, 100, 0.4, 0.4, 3.0, 2, 1, 9, 2, 14, 3])
    # c2: orders 10 and 90 days before; no text, review or ticket; usage 90 days before (outside) and 30 days (in 90)
    assert [c2[f] for f in ("recency_days", "frequency", "monetary", "ticket_count", "tickets_90d", "events_30d",
                            "active_days_30d", "events_90d", "active_days_90d")] == [10, 2, 70, 0, 0, 0, 0, 1, 1]
    assert all(pd.isna(c2[f]) for f in ("avg_sentiment", "sentiment_trend", "avg_rating"))
    # c3: no order -> the largest recency of all (c1's 182) + 1; one ticket 89 days before; one score, trend 0
    assert [c3[f] for f in ("recency_days", "frequency", "monetary", "avg_sentiment", "sentiment_trend",
                            "ticket_count", "tickets_90d", "events_90d")] == [183, 0, 0, -0.5, 0.0, 1, 1, 0]
    assert (c3["has_activity"], c1["has_activity"], c3["rfm_segment"], c1["basis"]) == (False, True, "Lost", "orders")
    assert set(frame["derived_persona"].dropna()) <= {"Satisfied", "Frustrated", "Mixed", "Improving",
                                                      "Deteriorating", "Neutral"}


def test_feature_query_follows_customer_filters_not_dates(reader):
    low = reader.query("segmentation/cluster_features", Filters(value_segments=("Low Value",)))
    assert list(low["customer_id"]) == ["c2", "c3"]
    assert low.set_index("customer_id").loc["c3", "recency_days"] == 183  # filled from all customers, not the view
    june = reader.query("segmentation/cluster_features", Filters(date_from=date(2024, 6, 1), date_to=date(2024, 6, 2)))
    assert june.equals(reader.query("segmentation/cluster_features", Filters()))


def test_feature_query_transpiles_to_postgres_and_snowflake():
    sql = read_sql("queries/segmentation/cluster_features.sql")
    for dialect in ("postgres", "snowflake"):
        try:
            sqlglot.transpile(sql, read="duckdb", write=dialect, unsupported_level=sqlglot.ErrorLevel.RAISE)
        except sqlglot.errors.SqlglotError as exc:
            pytest.fail(f"cluster_features -> {dialect}: {exc}")
