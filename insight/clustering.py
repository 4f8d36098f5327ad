"""Customer clustering for the Segmentation tab (docs/segments.md#clustering).

Input: the DataFrame of sql/queries/segmentation/cluster_features.sql (one row per customer in view, ordered by
customer_id); this module runs no SQL. Steps: chosen feature groups → matrix; median fill of unknown sentiment and
rating; signed log1p of heavy-tailed counts, days and money; StandardScaler; KMeans for k in K_RANGE with k chosen
by the best silhouette, or DBSCAN with eps from the k-distance knee. Fitted on a fixed sample (FIT_SAMPLE), then
every customer in view is assigned. Clusters are named in words from their means relative to all customers in view
(label_clusters); box-plot statistics, a 2-D PCA of a fixed sample of points, the profile and the segment comparison
come from the same assignment and the same means (segment_means), so every number of the section is computed once.

ClusterStore caches results per (warehouse version, customer filters, feature groups, algorithm) in memory and as a
joblib file per warehouse version, so a restart or a second server worker loads instead of refitting.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import sklearn
from sklearn.cluster import DBSCAN, KMeans
from sklearn.decomposition import PCA
from sklearn.impute import SimpleImputer
from sklearn.metrics import calinski_harabasz_score, davies_bouldin_score, pairwise_distances, silhouette_score
from sklearn.neighbors import NearestNeighbors
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer, StandardScaler
from threadpoolctl import threadpool_limits

from insight.store import ResultStore

log = logging.getLogger(__name__)

# Part of every cache key: a change to this module's maths never serves a model persisted by the old code.
CLUSTERING_VERSION = "1"
FEATURE_GROUPS: dict[str, tuple[str, ...]] = {
    "rfm": ("recency_days", "frequency", "monetary"),
    "sentiment": ("avg_sentiment", "sentiment_trend", "avg_rating"),
    "tickets": ("ticket_count", "tickets_90d"),
    "usage": ("events_30d", "active_days_30d", "events_90d", "active_days_90d"),
}
ALL_FEATURES = tuple(f for group in FEATURE_GROUPS.values() for f in group)
# Bounded scores (−1..1, 1..5) are scaled as they are; everything else is a count, days or money with a long tail.
SIGNED = ("avg_sentiment", "sentiment_trend", "avg_rating")
ALGORITHMS = ("kmeans", "dbscan")
K_RANGE = range(2, 9)         # KMeans candidates; the best silhouette wins
RANDOM_STATE = 0              # every sample and KMeans start is seeded: same data and filters, same clusters
N_INIT = 4                    # KMeans restarts per k
FIT_SAMPLE = 20_000           # customers the model is fitted on (a fixed sample); all in view are then assigned
DBSCAN_SAMPLE = 5_000         # DBSCAN's neighbourhoods grow with n (memory and time): a smaller fixed sample
SILHOUETTE_SAMPLE = 3_000     # silhouette is O(n²): computed on a fixed sample of the fitted rows
POINTS_SAMPLE = 3_000         # customers drawn in the PCA and 3-D views
MIN_CUSTOMERS = 10            # fewer customers in view: "too few customers to cluster", not an error
OUTLIERS = "Outliers"         # DBSCAN noise
LABEL_ORDER = ("Power", "Regular", "At-Risk", "Dormant", OUTLIERS)
# Rule thresholds (docs/segments.md#clustering): ratio = cluster mean / mean of all customers in view (counts, days,
# money); sd = (cluster mean − overall mean) / overall standard deviation (sentiment, trend, rating).
HIGH_RATIO, LOW_RATIO, RECENT_RATIO, GONE_RATIO, NO_USE_RATIO, LOW_SD = 1.25, 0.6, 0.75, 1.5, 0.25, -0.5


def _signed_log1p(values: np.ndarray, skewed: list[bool]) -> np.ndarray:
    out = np.array(values, dtype=float, copy=True)
    out[:, skewed] = np.sign(out[:, skewed]) * np.log1p(np.abs(out[:, skewed]))
    return out


@dataclass
class DbscanModel:
    """DBSCAN fitted on a sample, able to assign new points: a point within eps of a core sample joins that core
    sample's cluster (the nearest one), any other point is noise (−1) — what DBSCAN itself does for border points."""
    core_points: np.ndarray
    core_labels: np.ndarray
    eps: float
    min_samples: int

    def predict(self, scaled: np.ndarray) -> np.ndarray:
        if len(self.core_points) == 0:
            return np.full(len(scaled), -1)
        # Brute force: with ~10 dimensions the trees prune little and were 3-4 times slower (measured at scale M).
        search = NearestNeighbors(n_neighbors=1, algorithm="brute").fit(self.core_points)
        distance, index = search.kneighbors(scaled)
        return np.where(distance[:, 0] <= self.eps, self.core_labels[index[:, 0]], -1)


@dataclass
class ClusteringResult:
    status: str                      # "ok", "too_few" (nothing to cluster) or "no_clusters" (DBSCAN found < 2)
    message: str
    algorithm: str
    groups: tuple[str, ...]
    customers: int                   # in view
    features: tuple[str, ...] = ()   # clustered on (features that vary among the customers in view)
    fitted_on: int = 0
    k: int = 0                       # clusters, noise excluded
    silhouette_by_k: dict[int, float] = field(default_factory=dict)
    silhouette: float | None = None
    davies_bouldin: float | None = None
    calinski_harabasz: float | None = None
    eps: float | None = None
    min_samples: int | None = None
    explained_variance: tuple[float, float] = (0.0, 0.0)
    assignments: pd.DataFrame | None = None   # customer_id, label: every customer in view
    profile: pd.DataFrame | None = None       # one row per label: customers, share, reason, mean of each feature
    points: pd.DataFrame | None = None        # fixed sample: customer_id, label, pc1, pc2, recency/frequency/monetary
    boxes: pd.DataFrame | None = None         # feature, label, q1, median, q3, lower, upper (Tukey whiskers)
    model: dict[str, Any] | None = None       # preprocess pipeline, estimator, pca: persisted with the result
    fit_seconds: float = 0.0

    @property
    def labels(self) -> list[str]:
        return [] if self.profile is None else list(self.profile["label"])


def cluster_customers(features: pd.DataFrame, groups: Sequence[str], algorithm: str = "kmeans") -> ClusteringResult:
    """Fit, assign, label and describe. `features`: rows of cluster_features.sql (any order of customers)."""
    if algorithm not in ALGORITHMS:
        raise ValueError(f"unknown algorithm {algorithm!r}; expected one of {ALGORITHMS}")
    groups = tuple(g for g in FEATURE_GROUPS if g in groups)
    base = {"algorithm": algorithm, "groups": groups, "customers": len(features)}
    if len(features) < MIN_CUSTOMERS:
        return ClusteringResult("too_few", f"Too few customers to cluster: {len(features):,} in view, at least "
                                f"{MIN_CUSTOMERS} needed. Clear a filter.", **base)
    started = time.perf_counter()
    if not features["customer_id"].is_monotonic_increasing:  # the query's order; sorted again only if needed
        features = features.sort_values("customer_id")
    features = features.reset_index(drop=True)
    chosen = [f for g in groups for f in FEATURE_GROUPS[g]]
    # A feature without two distinct values in view carries no information (and a scaler would divide by 0).
    used = tuple(f for f in chosen if features[f].nunique(dropna=True) >= 2)
    if not used:
        return ClusteringResult("too_few", "No chosen feature varies among the customers in view: choose other "
                                "feature groups or clear a filter.", **base)
    fit_rows = _sample(len(features), DBSCAN_SAMPLE if algorithm == "dbscan" else FIT_SAMPLE, RANDOM_STATE)
    preprocess = Pipeline([
        ("fill", SimpleImputer(strategy="median", keep_empty_features=True)),
        ("log", FunctionTransformer(_signed_log1p, kw_args={"skewed": [f not in SIGNED for f in used]})),
        ("scale", StandardScaler()),
    ])
    matrix = features[list(used)].to_numpy(dtype=float)
    # One thread: with several callbacks and users on a few cores, oversubscribed OpenMP threads are slower.
    with threadpool_limits(1):
        scaled_fit = preprocess.fit_transform(matrix[fit_rows])
        scaled_all = preprocess.transform(matrix)
        fitted = _fit_kmeans(scaled_fit) if algorithm == "kmeans" else _fit_dbscan(scaled_fit)
        clusters = fitted["estimator"].predict(scaled_all)
        pca = PCA(n_components=min(2, len(used)), random_state=RANDOM_STATE).fit(scaled_fit)
    result = ClusteringResult("ok", "", **base, features=used, fitted_on=len(fit_rows),
                              silhouette_by_k=fitted.get("silhouette_by_k", {}), eps=fitted.get("eps"),
                              min_samples=fitted.get("min_samples"),
                              model={"preprocess": preprocess, "estimator": fitted["estimator"], "pca": pca})
    fit_labels = fitted["labels"]
    real = fit_labels >= 0
    result.k = len(set(fit_labels[real]))
    if result.k >= 2:
        if algorithm == "kmeans":  # the chosen k's silhouette, computed on this sample by the fit
            result.silhouette = result.silhouette_by_k[result.k]
        else:
            scored = _sample(len(fit_rows), SILHOUETTE_SAMPLE, RANDOM_STATE + 1)
            scored = scored[real[scored]]
            result.silhouette = float(silhouette_score(scaled_fit[scored], fit_labels[scored]))
        result.davies_bouldin = float(davies_bouldin_score(scaled_fit[real], fit_labels[real]))
        result.calinski_harabasz = float(calinski_harabasz_score(scaled_fit[real], fit_labels[real]))
    elif algorithm == "dbscan":
        result.status = "no_clusters"
        result.message = (f"DBSCAN found {result.k} dense cluster{'s' if result.k != 1 else ''} at eps "
                          f"{result.eps:.2f}: the customers form one continuous mass (plus outliers), so there is "
                          "nothing to separate. Try KMeans.")
    names = label_clusters(features, clusters, used)
    labels = np.array([names[c][0] for c in clusters], dtype=object)
    result.assignments = pd.DataFrame({"customer_id": features["customer_id"].to_numpy(dtype=object),
                                       "label": pd.Categorical(labels, categories=_ordered(names))})
    result.profile = _profile(features, labels, names)
    result.boxes = box_stats(features, labels, used, list(result.profile["label"]))
    shown = _sample(len(features), POINTS_SAMPLE, RANDOM_STATE + 2)
    plane = pca.transform(scaled_all[shown])
    result.points = features.loc[shown, ["customer_id", "recency_days", "frequency", "monetary", "basis"]].assign(
        label=labels[shown], pc1=plane[:, 0], pc2=plane[:, 1] if plane.shape[1] > 1 else 0.0).reset_index(drop=True)
    ratios = list(pca.explained_variance_ratio_) + [0.0]
    result.explained_variance = (float(ratios[0]), float(ratios[1]))
    result.fit_seconds = time.perf_counter() - started
    return result


def _sample(n: int, size: int, seed: int) -> np.ndarray:
    """A fixed, sorted sample of row positions (all rows when there are at most `size`)."""
    if n <= size:
        return np.arange(n)
    return np.sort(np.random.default_rng(seed).choice(n, size, replace=False))


def _fit_kmeans(scaled: np.ndarray) -> dict[str, Any]:
    distinct = len(np.unique(scaled, axis=0))
    scored = _sample(len(scaled), SILHOUETTE_SAMPLE, RANDOM_STATE + 1)
    # The scored sample's distances once for every k (silhouette's own euclidean distances, precomputed): computing
    # them for each k was half of a fit at scale M.
    distances = pairwise_distances(scaled[scored])
    by_k: dict[int, float] = {}
    models: dict[int, KMeans] = {}
    for k in K_RANGE:
        if k >= min(distinct, len(scaled)):  # silhouette needs 2 <= k < n, KMeans k distinct points
            break
        models[k] = KMeans(n_clusters=k, n_init=N_INIT, random_state=RANDOM_STATE).fit(scaled)
        labels = models[k].labels_[scored]
        by_k[k] = float(silhouette_score(distances, labels, metric="precomputed")) if len(set(labels)) > 1 else -1.0
    if not models:  # fewer than 3 distinct customers: one cluster for everyone
        models[1] = KMeans(n_clusters=1, n_init=1, random_state=RANDOM_STATE).fit(scaled)
    best = max(by_k, key=lambda k: (by_k[k], -k)) if by_k else 1  # a tie goes to the fewer clusters
    return {"estimator": models[best], "labels": models[best].labels_, "silhouette_by_k": by_k}


def _fit_dbscan(scaled: np.ndarray) -> dict[str, Any]:
    """eps = the knee of the sorted k-distance curve (Ester et al. 1996): each point's distance to its
    min_samples-th nearest neighbour (itself included), sorted; the knee is the point farthest below the chord from
    the first to the last value (the "kneedle" construction). min_samples = 2 × dimensions (Sander et al. 1998)."""
    min_samples = max(4, 2 * scaled.shape[1])
    k = min(min_samples, len(scaled))
    distances = np.sort(NearestNeighbors(n_neighbors=k).fit(scaled).kneighbors(scaled)[0][:, -1])
    span = distances[-1] - distances[0]
    if span <= 0:
        eps = float(distances[0]) or 1e-6
    else:
        x = np.linspace(0.0, 1.0, len(distances))
        eps = float(distances[np.argmax(x - (distances - distances[0]) / span)])
    model = DBSCAN(eps=eps, min_samples=min_samples).fit(scaled)
    core = model.core_sample_indices_
    estimator = DbscanModel(scaled[core], model.labels_[core], eps, min_samples)
    return {"estimator": estimator, "labels": model.labels_, "eps": eps, "min_samples": min_samples}


def label_clusters(features: pd.DataFrame, clusters: np.ndarray, used: Sequence[str]) -> dict[int, tuple[str, str]]:
    """Cluster id → (unique label in words, the reason). Only the clustered features count; noise is Outliers.

    Rules, first match (thresholds at the top of this module; docs/segments.md#clustering):
      Dormant  recency ≥ 1.5× and frequency ≤ 0.6× the average; without RFM: usage (events and active days in 90
               days) ≤ 0.25× the average
      Power    frequency ≥ 1.25×, monetary ≥ 1.25× and recency ≤ 0.75× the average; without RFM: usage ≥ 1.25×;
               and no sentiment, trend or rating 0.5 sd or more below the average
      At-Risk  sentiment, trend or rating ≥ 0.5 sd below the average, or tickets (all time or 90 days) ≥ 1.25×
      Regular  the rest
    Repeated names are numbered by size: the largest keeps the name, then "Regular 2", "Regular 3"."""
    # the same means as the profile table shows (segment_means), so a name never disagrees with its numbers
    overall = pd.Series(segment_means(features, np.ones(len(features), dtype=bool)))
    spread = features[list(ALL_FEATURES)].std(ddof=0)
    ids = np.unique(clusters)
    base = {c: (OUTLIERS, "DBSCAN noise: in no dense region") if c < 0 else
            _rule(pd.Series(segment_means(features, clusters == c)), overall, spread, set(used)) for c in ids}
    sizes = {c: int((clusters == c).sum()) for c in ids}
    names: dict[int, tuple[str, str]] = {}
    seen: dict[str, int] = {}
    for cluster in sorted(ids, key=lambda c: (-sizes[c], c)):
        name, reason = base[cluster]
        seen[name] = seen.get(name, 0) + 1
        names[cluster] = (name if seen[name] == 1 else f"{name} {seen[name]}", reason)
    return names


def _rule(means: pd.Series, overall: pd.Series, spread: pd.Series, used: set[str]) -> tuple[str, str]:
    def ratio(f: str) -> float:
        return float(means[f] / overall[f]) if f in used and overall[f] > 0 and pd.notna(means[f]) else 1.0

    def sd(f: str) -> float:
        known = f in used and spread[f] > 0 and pd.notna(means[f])
        return float((means[f] - overall[f]) / spread[f]) if known else 0.0

    rfm = {"recency_days", "frequency", "monetary"} & used
    usage = {"events_90d", "active_days_90d"} & used
    r, f, m, ev, days = (ratio(x) for x in ("recency_days", "frequency", "monetary", "events_90d", "active_days_90d"))
    usage_text = f"usage {ev:.1f}× and active days {days:.1f}× the average (90 days)"
    if rfm and r >= GONE_RATIO and f <= LOW_RATIO:
        return "Dormant", f"recency {r:.1f}×, frequency {f:.1f}× the average"
    if not rfm and usage and ev <= NO_USE_RATIO and days <= NO_USE_RATIO:
        return "Dormant", usage_text
    low_mood = [f"{name} {sd(x):+.1f} sd" for x, name in (("avg_sentiment", "sentiment"),
                ("sentiment_trend", "sentiment trend"), ("avg_rating", "rating")) if sd(x) <= LOW_SD]
    busy = (rfm and f >= HIGH_RATIO and m >= HIGH_RATIO and r <= RECENT_RATIO) or (
        not rfm and usage and ev >= HIGH_RATIO and days >= HIGH_RATIO)
    if busy and not low_mood:
        return "Power", f"frequency {f:.1f}×, monetary {m:.1f}×, recency {r:.1f}× the average" if rfm else usage_text
    many_tickets = [f"{name} {ratio(x):.1f}× the average" for x, name in (("ticket_count", "tickets"),
                    ("tickets_90d", "tickets in 90 days")) if ratio(x) >= HIGH_RATIO]
    if low_mood or many_tickets:
        return "At-Risk", ", ".join(low_mood + many_tickets)
    return "Regular", "no rule applies: near the average on the clustered features"


def _ordered(names: dict[int, tuple[str, str]]) -> list[str]:
    """Labels in LABEL_ORDER of their base name; numbered ones after the plain one."""
    def rank(label: str) -> tuple[int, int]:
        stem, _, number = label.rpartition(" ")
        if not (number.isdigit() and stem in LABEL_ORDER):
            stem, number = label, "1"
        return LABEL_ORDER.index(stem), int(number)
    return sorted({name for name, _ in names.values()}, key=rank)


def segment_means(features: pd.DataFrame, mask: pd.Series | np.ndarray) -> dict[str, float]:
    """Customers, share of those in view and the mean of every feature (unknown values skipped) of one group:
    the one computation behind the cluster profile and the segment comparison."""
    rows = features.loc[np.asarray(mask, dtype=bool), list(ALL_FEATURES)]
    return {"customers": len(rows), "share": len(rows) / len(features) if len(features) else 0.0,
            **{f: float(rows[f].mean()) if len(rows) else float("nan") for f in ALL_FEATURES}}


def _profile(features: pd.DataFrame, labels: np.ndarray, names: dict[int, tuple[str, str]]) -> pd.DataFrame:
    reasons = dict(names.values())
    rows = [{"label": label, "reason": reasons[label], **segment_means(features, labels == label)}
            for label in _ordered(names)]
    return pd.DataFrame(rows)


def box_stats(features: pd.DataFrame, labels: np.ndarray, used: Sequence[str], order: list[str]) -> pd.DataFrame:
    """Per feature and label: quartiles and Tukey whiskers (the furthest values within 1.5 IQR of the box), over
    every customer in view, so the box plots need no raw points."""
    rows = []
    for feature in used:
        for label in order:
            values = features.loc[labels == label, feature].dropna().to_numpy()
            if not len(values):
                continue
            q1, median, q3 = np.quantile(values, [0.25, 0.5, 0.75])
            low, high = q1 - 1.5 * (q3 - q1), q3 + 1.5 * (q3 - q1)
            rows.append({"feature": feature, "label": label, "q1": q1, "median": median, "q3": q3,
                         "lower": values[values >= low].min(), "upper": values[values <= high].max()})
    return pd.DataFrame(rows, columns=["feature", "label", "q1", "median", "q3", "lower", "upper"])


def segment_choices(features: pd.DataFrame, result: ClusteringResult) -> list[tuple[str, str]]:
    """(value, text) of every group the comparison can choose: the clusters in profile order, then the RFM segments
    and personas present in view, largest first."""
    choices = [(f"cluster:{label}", f"Cluster: {label}") for label in result.labels]
    for kind, column, title in (("rfm", "rfm_segment", "RFM"), ("persona", "derived_persona", "Persona")):
        counts = features[column].dropna().value_counts()
        for name in sorted(counts.index, key=lambda n: (-counts[n], n)):
            choices.append((f"{kind}:{name}", f"{title}: {name}"))
    return choices


def compare_segments(features: pd.DataFrame, result: ClusteringResult, first: str, second: str) -> pd.DataFrame:
    """Two groups (values of segment_choices) side by side: a row per measure (customers, share, each feature's
    mean) with columns measure, first, second, difference (second − first)."""
    sides = [segment_means(features, _mask(features, result, choice)) for choice in (first, second)]
    measures = ["customers", "share", *ALL_FEATURES]
    frame = pd.DataFrame({"measure": measures, "first": [sides[0][m] for m in measures],
                          "second": [sides[1][m] for m in measures]})
    return frame.assign(difference=frame["second"] - frame["first"])


def _mask(features: pd.DataFrame, result: ClusteringResult, choice: str) -> np.ndarray:
    kind, _, name = choice.partition(":")
    if kind == "cluster":
        if result.assignments is None:
            return np.zeros(len(features), dtype=bool)
        labels = result.assignments.set_index("customer_id")["label"].astype(object)
        return (features["customer_id"].map(labels) == name).to_numpy()
    column = {"rfm": "rfm_segment", "persona": "derived_persona"}.get(kind)
    if column is None:
        raise ValueError(f"unknown segment choice {choice!r}")
    return (features[column] == name).to_numpy()


class ClusterStore(ResultStore):
    """Clustering results per (warehouse version, scope, feature groups, algorithm), stored by ResultStore."""

    @staticmethod
    def key(version: str, scope: dict[str, Any], groups: Sequence[str], algorithm: str) -> str:
        parts = (CLUSTERING_VERSION, sklearn.__version__, version, sorted((k, repr(v)) for k, v in scope.items()),
                 sorted(set(groups)), algorithm)
        return hashlib.sha256(repr(parts).encode()).hexdigest()[:32]

    def get(self, version: str, scope: dict[str, Any], groups: Sequence[str], algorithm: str,
            load_features: Callable[[], pd.DataFrame]) -> ClusteringResult:
        return self.get_or_compute(version, self.key(version, scope, groups, algorithm),
                                   lambda: cluster_customers(load_features(), groups, algorithm))
