"""The churn model: who will have no activity in the next N days, why, and what to do about it (docs/churn.md).

Inputs are DataFrames of sql/queries/churn/features_at_cutoff.sql (one row per customer at a cutoff date, with
`in_population` and `label`); this module runs no SQL. The scheme, with N = [churn_model] horizon_days and
as_of = the warehouse's newest activity date:

    train at as_of - 2N  (labels: activity in (as_of - 2N, as_of - N], known)
    evaluate at as_of - N (labels: activity in (as_of - N, as_of], known): a later period, a time-based hold-out
    refit at as_of - N and score every modelled customer at as_of (labels unknown: the prediction)

The model is a scikit-learn Pipeline: signed log1p of the heavy-tailed counts, days and money; median imputation
of missing values (no sentiment or rating in the window); StandardScaler; LogisticRegression. It is compared with
the constant baseline that predicts the training base rate for everyone (ROC AUC 0.5, Brier score of that rate).
Reasons: the contribution of feature j to a customer's log-odds, relative to the average modelled customer, is
coef_j x standardized value_j; the three largest positive ones are written in words (FEATURES' phrases).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import sklearn
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import brier_score_loss, roc_auc_score
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer, StandardScaler

from config.rules import load_rules

MODEL_NAME = f"logistic regression (scikit-learn {sklearn.__version__})"
BANDS = ("High", "Medium", "Low")
INACTIVE = "Inactive"  # not modelled: no activity in the last N days (churned by the label's own definition)
CALIBRATION_BINS = 10
REASONS = 3


# ---------------------------------------------------------------- configuration


@dataclass(frozen=True)
class ActionRule:
    band: str
    value_segment: str  # "any" matches every segment
    action: str
    due_days: int | None

    def matches(self, band: str, value_segment: str | None) -> bool:
        return self.band == band and self.value_segment in ("any", value_segment)


@dataclass(frozen=True)
class ChurnConfig:
    horizon_days: int = 90
    short_window_days: int = 30
    long_window_days: int = 90
    min_training_rows: int = 100
    min_class_rows: int = 10
    band_high_min: float = 0.6
    band_medium_min: float = 0.3
    reason_min_contribution: float = 0.1
    actions: tuple[ActionRule, ...] = ()

    @classmethod
    def from_rules(cls, rules: dict[str, Any] | None = None) -> ChurnConfig:
        """config/rules.toml [churn_model]."""
        section = dict(load_rules()["churn_model"] if rules is None else rules)
        actions = tuple(ActionRule(a["band"], a["value_segment"], a["action"], a.get("due_days"))
                        for a in section.pop("actions", ()))
        return cls(**section, actions=actions)

    def band(self, probability: float) -> str:
        if probability >= self.band_high_min:
            return "High"
        return "Medium" if probability >= self.band_medium_min else "Low"

    def action(self, band: str, value_segment: str | None) -> ActionRule | None:
        """The first rule matching the band and value segment (None: no rule, no action)."""
        return next((rule for rule in self.actions if rule.matches(band, value_segment)), None)


# ---------------------------------------------------------------- features and their words


def _n(value: float) -> str:
    return f"{value:,.0f}"


def _plural(value: float, word: str) -> str:
    return f"{_n(value)} {word}{'' if round(value) == 1 else 's'}"


@dataclass(frozen=True)
class Feature:
    name: str
    description: str  # {short} and {long}: the configured window lengths
    log: bool  # signed log1p before scaling: counts, days and money have heavy tails
    risky: str  # "high" / "low": only that side of the average is ever given as a reason; "both": either side
    phrase: Callable[[dict[str, Any], ChurnConfig], str]  # the reason in words, from the customer's values


def _usage_trend(row: dict[str, Any], c: ChurnConfig) -> str:
    now, before = row["usage_events_30d"], row["usage_events_prev_30d"]
    verb = "fell" if now < before else "went"
    return (f"usage {verb} from {_n(before)} to {_n(now)} events "
            f"(last {c.short_window_days} days vs the {c.short_window_days} before)")


def _sentiment_change(row: dict[str, Any], c: ChurnConfig) -> str:
    change = row["sentiment_change_90d"]
    if change < 0:
        return f"sentiment fell by {-change:.2f} over {c.long_window_days} days"
    return f"sentiment changed by {change:+.2f} over {c.long_window_days} days"


FEATURES: tuple[Feature, ...] = (
    Feature("days_since_last_activity", "days since the last activity (interaction, usage or order)", True, "high",
            lambda r, c: f"no activity for {_plural(r['days_since_last_activity'], 'day')}"),
    Feature("active_days_30d", "days with activity in the last {short} days", True, "low",
            lambda r, c: (f"no activity in the last {c.short_window_days} days" if r["active_days_30d"] == 0 else
                          f"active on only {_n(r['active_days_30d'])} of the last {c.short_window_days} days")),
    Feature("active_days_90d", "days with activity in the last {long} days", True, "low",
            lambda r, c: f"active on only {_n(r['active_days_90d'])} of the last {c.long_window_days} days"),
    Feature("interactions_90d", "interactions in the last {long} days", True, "low",
            lambda r, c: (f"no interactions in {c.long_window_days} days" if r["interactions_90d"] == 0 else
                          f"only {_plural(r['interactions_90d'], 'interaction')} in {c.long_window_days} days")),
    Feature("reviews_90d", "product reviews in the last {long} days", True, "both",
            lambda r, c: f"{_plural(r['reviews_90d'], 'review')} in {c.long_window_days} days"),
    Feature("tickets_90d", "support tickets in the last {long} days", True, "high",
            lambda r, c: f"{_plural(r['tickets_90d'], 'support ticket')} in {c.long_window_days} days"),
    Feature("high_priority_tickets_90d", "Critical or High priority tickets in the last {long} days", True, "high",
            lambda r, c: (f"{_plural(r['high_priority_tickets_90d'], 'high-priority ticket')} "
                          f"in {c.long_window_days} days")),
    Feature("avg_sentiment_90d", "average sentiment (-1..1) of the texts of the last {long} days", False, "low",
            lambda r, c: f"average sentiment {r['avg_sentiment_90d']:+.2f} over {c.long_window_days} days"),
    Feature("sentiment_change_90d",
            "average sentiment of the last {long} days minus that of the {long} days before", False, "low",
            _sentiment_change),
    Feature("avg_rating_90d", "average review rating (1-5) of the last {long} days", False, "low",
            lambda r, c: f"average rating {r['avg_rating_90d']:.1f} of 5 in {c.long_window_days} days"),
    Feature("usage_events_30d", "product usage events in the last {short} days", True, "low",
            lambda r, c: (f"no product usage in the last {c.short_window_days} days" if r["usage_events_30d"] == 0
                          else f"only {_plural(r['usage_events_30d'], 'usage event')} "
                               f"in the last {c.short_window_days} days")),
    Feature("usage_trend_30d",
            "ln((usage events of the last {short} days + 1) / (those of the {short} days before + 1))", False, "low",
            _usage_trend),
    Feature("orders_90d", "orders (amount > 0) in the last {long} days", True, "low",
            lambda r, c: (f"no orders in {c.long_window_days} days" if r["orders_90d"] == 0 else
                          f"only {_plural(r['orders_90d'], 'order')} in {c.long_window_days} days")),
    Feature("net_revenue_90d", "net revenue (orders minus refunds) in the last {long} days", True, "low",
            lambda r, c: f"net revenue of {_n(r['net_revenue_90d'])} in {c.long_window_days} days"),
    Feature("tenure_days", "days since sign-up", True, "low",
            lambda r, c: f"a customer for only {_plural(r['tenure_days'], 'day')}"),
)
FEATURE_NAMES = tuple(f.name for f in FEATURES)
PHRASE_EXTRAS = ("usage_events_prev_30d",)  # columns a phrase reads besides the features
_LOG_COLUMNS = [i for i, f in enumerate(FEATURES) if f.log]


# ---------------------------------------------------------------- the tables the load writes

SCORES_SCHEMA = pa.schema([
    ("customer_id", pa.string()), ("churn_probability", pa.float64()), ("churn_band", pa.string()),
    ("reason_1", pa.string()), ("reason_2", pa.string()), ("reason_3", pa.string()),
    ("recommended_action", pa.string()), ("action_due_days", pa.int32()), ("days_since_last_activity", pa.int32()),
])
EVALUATION_SCHEMA = pa.schema([
    ("status", pa.string()), ("model", pa.string()), ("horizon_days", pa.int32()), ("as_of_date", pa.date32()),
    ("train_cutoff", pa.date32()), ("eval_cutoff", pa.date32()), ("n_train", pa.int64()), ("n_eval", pa.int64()),
    ("n_scored", pa.int64()), ("base_rate_train", pa.float64()), ("base_rate_eval", pa.float64()),
    ("auc", pa.float64()), ("baseline_auc", pa.float64()), ("brier", pa.float64()), ("baseline_brier", pa.float64()),
    ("features", pa.string()),
])
CALIBRATION_SCHEMA = pa.schema([
    ("bin", pa.int32()), ("bin_lower", pa.float64()), ("bin_upper", pa.float64()), ("customers", pa.int64()),
    ("mean_predicted", pa.float64()), ("observed_rate", pa.float64()),
])
COEFFICIENTS_SCHEMA = pa.schema([
    ("feature", pa.string()), ("description", pa.string()), ("transform", pa.string()), ("coefficient", pa.float64()),
])
TABLES = {"churn_scores": SCORES_SCHEMA, "churn_model_evaluation": EVALUATION_SCHEMA,
          "churn_calibration": CALIBRATION_SCHEMA, "churn_coefficients": COEFFICIENTS_SCHEMA}


@dataclass
class ChurnResult:
    """The four tables of one run (DataFrames with the columns of TABLES)."""

    scores: pd.DataFrame
    evaluation: pd.DataFrame
    calibration: pd.DataFrame
    coefficients: pd.DataFrame

    @property
    def status(self) -> str:
        return str(self.evaluation["status"].iloc[0])

    def tables(self) -> dict[str, pa.Table]:
        frames = {"churn_scores": self.scores, "churn_model_evaluation": self.evaluation,
                  "churn_calibration": self.calibration, "churn_coefficients": self.coefficients}
        return {name: _to_arrow(frames[name], schema) for name, schema in TABLES.items()}


def _to_arrow(frame: pd.DataFrame, schema: pa.Schema) -> pa.Table:
    columns = {}
    for item in schema:
        values = frame[item.name] if item.name in frame else pd.Series([None] * len(frame), dtype=object)
        values = values.astype(object).where(values.notna(), None).tolist()
        columns[item.name] = pa.array(values, item.type)
    return pa.table(columns, schema=schema)


def _empty(schema: pa.Schema) -> pd.DataFrame:
    return pd.DataFrame({name: pd.Series(dtype=object) for name in schema.names})


def without_model(status: str, config: ChurnConfig, **known: Any) -> ChurnResult:
    """No model (too little data, or a failure): one evaluation row saying why, empty other tables."""
    row = {name: None for name in EVALUATION_SCHEMA.names}
    row.update(status=status, model=MODEL_NAME, horizon_days=config.horizon_days,
               features=", ".join(FEATURE_NAMES), **known)
    return ChurnResult(_empty(SCORES_SCHEMA), pd.DataFrame([row]), _empty(CALIBRATION_SCHEMA),
                       _empty(COEFFICIENTS_SCHEMA))


# ---------------------------------------------------------------- fit, evaluate, explain


def _signed_log(values: np.ndarray) -> np.ndarray:
    out = np.array(values, dtype=float, copy=True)
    out[:, _LOG_COLUMNS] = np.sign(out[:, _LOG_COLUMNS]) * np.log1p(np.abs(out[:, _LOG_COLUMNS]))
    return out


def make_pipeline() -> Pipeline:
    return Pipeline([
        ("log", FunctionTransformer(_signed_log)),
        # keep_empty_features: a feature with no value at all (e.g. no reviews in the data) stays, as 0
        ("impute", SimpleImputer(strategy="median", keep_empty_features=True)),
        ("scale", StandardScaler()),
        ("model", LogisticRegression(C=1.0, max_iter=2000, random_state=0)),
    ])


def design_matrix(frame: pd.DataFrame) -> np.ndarray:
    return frame[list(FEATURE_NAMES)].astype("float64").to_numpy(na_value=np.nan)


def modelled(frame: pd.DataFrame) -> pd.DataFrame:
    """The customers the model is trained on and applied to (active in the last N days before the cutoff)."""
    return frame[frame["in_population"].astype(bool)].reset_index(drop=True)


def labelled(frame: pd.DataFrame) -> pd.DataFrame:
    population = modelled(frame)
    return population[population["label"].notna()].reset_index(drop=True)


def fit(frame: pd.DataFrame) -> Pipeline:
    return make_pipeline().fit(design_matrix(frame), frame["label"].astype(int).to_numpy())


def predict(model: Pipeline, frame: pd.DataFrame) -> np.ndarray:
    return model.predict_proba(design_matrix(frame))[:, 1]


def standardized(model: Pipeline, frame: pd.DataFrame) -> np.ndarray:
    """The values the logistic regression sees: transformed, imputed and scaled (0 = the average fitted customer)."""
    return model[:-1].transform(design_matrix(frame))


def contributions(model: Pipeline, z: np.ndarray) -> np.ndarray:
    """coef_j x standardized value_j per customer and feature: each feature's push on the log-odds, relative to
    the average customer the model was fitted on (whose standardized values are all 0)."""
    return z * model[-1].coef_[0]


def reasons(model: Pipeline, frame: pd.DataFrame, config: ChurnConfig) -> list[list[str]]:
    """Up to three reasons per customer, largest push first: features that raise the churn risk by at least
    reason_min_contribution, on their risky side (more tickets, less usage...), whose value is known (an imputed
    missing value says nothing about the customer)."""
    z = standardized(model, frame)
    push = contributions(model, z)
    known = ~np.isnan(design_matrix(frame))
    side = np.array([{"high": 1, "low": -1, "both": 0}[f.risky] for f in FEATURES])
    on_risky_side = (side == 0) | (np.sign(z) == side)
    eligible = (push >= config.reason_min_contribution) & known & on_risky_side
    ranked = np.argsort(np.where(eligible, -push, np.inf), axis=1, kind="stable")[:, :REASONS]
    columns = [*FEATURE_NAMES, *PHRASE_EXTRAS]
    values = frame[columns].astype("float64").to_numpy(na_value=np.nan).tolist()
    rows = [dict(zip(columns, v, strict=True)) for v in values]  # plain dicts: fast to phrase 100k customers
    return [[FEATURES[j].phrase(rows[i], config) for j in order if eligible[i, j]] for i, order in enumerate(ranked)]


def calibration(y: np.ndarray, p: np.ndarray, bins: int = CALIBRATION_BINS) -> pd.DataFrame:
    """Predicted probability vs observed churn rate in equal-width bins of the prediction (non-empty bins only)."""
    index = np.minimum((p * bins).astype(int), bins - 1)
    frame = pd.DataFrame({"bin": index + 1, "p": p, "y": y})
    grouped = frame.groupby("bin").agg(customers=("y", "size"), mean_predicted=("p", "mean"),
                                       observed_rate=("y", "mean")).reset_index()
    grouped["bin_lower"] = (grouped["bin"] - 1) / bins
    grouped["bin_upper"] = grouped["bin"] / bins
    return grouped[list(CALIBRATION_SCHEMA.names)]


def _sample_problem(frame: pd.DataFrame, which: str, cutoff: date, config: ChurnConfig) -> str | None:
    churners = int(frame["label"].sum()) if len(frame) else 0
    stayers = len(frame) - churners
    if len(frame) < config.min_training_rows:
        return (f"insufficient data: {len(frame)} customers to model at the {which} cutoff {cutoff} "
                f"(at least {config.min_training_rows} needed)")
    if min(churners, stayers) < config.min_class_rows:
        return (f"insufficient data: {churners} churners and {stayers} stayers at the {which} cutoff {cutoff} "
                f"(at least {config.min_class_rows} of each needed)")
    return None


def run_churn_model(features_at: Callable[[date], pd.DataFrame], as_of: date | None, config: ChurnConfig,
                    on_step: Callable[[str], None] | None = None) -> ChurnResult:
    """Train, evaluate on the time-based hold-out, refit and score. features_at(cutoff) returns the rows of
    features_at_cutoff.sql at that cutoff. Never raises for lack of data: the evaluation row says why."""
    step = on_step or (lambda _name: None)
    if as_of is None or pd.isna(as_of):
        return without_model("insufficient data: the warehouse holds no activity", config)
    as_of = pd.Timestamp(as_of).date()
    horizon = timedelta(days=config.horizon_days)
    train_cutoff, eval_cutoff = as_of - 2 * horizon, as_of - horizon
    known: dict[str, Any] = {"as_of_date": as_of, "train_cutoff": train_cutoff, "eval_cutoff": eval_cutoff}

    train = labelled(features_at(train_cutoff))
    step("training features")
    held_out = labelled(features_at(eval_cutoff))
    step("hold-out features")
    known.update(n_train=len(train), n_eval=len(held_out))
    for frame, which, cutoff in ((train, "training", train_cutoff), (held_out, "hold-out", eval_cutoff)):
        problem = _sample_problem(frame, which, cutoff, config)
        if problem:
            return without_model(problem, config, **known)

    y_train = train["label"].astype(int).to_numpy()
    y_eval = held_out["label"].astype(int).to_numpy()
    p_eval = predict(fit(train), held_out)
    base_rate = float(y_train.mean())
    evaluation = {
        **known, "status": "ok", "model": MODEL_NAME, "horizon_days": config.horizon_days,
        "base_rate_train": base_rate, "base_rate_eval": float(y_eval.mean()),
        "auc": float(roc_auc_score(y_eval, p_eval)), "baseline_auc": 0.5,
        "brier": float(brier_score_loss(y_eval, p_eval)),
        "baseline_brier": float(brier_score_loss(y_eval, np.full(len(y_eval), base_rate))),
        "features": ", ".join(FEATURE_NAMES),
    }
    step("fit and evaluate")

    final = fit(held_out)
    current = features_at(as_of)
    step("current features")
    scores = score(final, current, config)
    evaluation["n_scored"] = int(scores["churn_probability"].notna().sum())
    coefficients = pd.DataFrame({
        "feature": FEATURE_NAMES,
        "description": [f.description.format(short=config.short_window_days, long=config.long_window_days)
                        for f in FEATURES],
        "transform": ["signed log1p, standardized" if f.log else "standardized" for f in FEATURES],
        "coefficient": final[-1].coef_[0],
    })
    step("score")
    return ChurnResult(scores, pd.DataFrame([evaluation]), calibration(y_eval, p_eval), coefficients)


def score(model: Pipeline, current: pd.DataFrame, config: ChurnConfig) -> pd.DataFrame:
    """One row per customer at the scoring date: the modelled ones with a probability, band and reasons; the others
    (no activity in the last N days) in the band Inactive without a probability."""
    population = modelled(current)
    probability = predict(model, population) if len(population) else np.array([])
    scored = pd.DataFrame({
        "customer_id": population["customer_id"],
        "churn_probability": probability,
        "churn_band": [config.band(p) for p in probability],
        "value_segment": population["value_segment"],
        "days_since_last_activity": population["days_since_last_activity"],
    })
    words = reasons(model, population, config) if len(population) else []
    for k in range(REASONS):
        scored[f"reason_{k + 1}"] = [w[k] if len(w) > k else None for w in words]

    lapsed = current[~current["in_population"].astype(bool)]
    inactive = pd.DataFrame({
        "customer_id": lapsed["customer_id"],
        "churn_probability": np.nan,
        "churn_band": INACTIVE,
        "value_segment": lapsed["value_segment"],
        "days_since_last_activity": lapsed["days_since_last_activity"],
        "reason_1": [f"no activity for {_plural(d, 'day')}" if pd.notna(d) else "no activity since sign-up"
                     for d in lapsed["days_since_last_activity"]],
    })
    out = pd.concat([scored, inactive], ignore_index=True) if len(inactive) else scored
    rules = {key: config.action(*key) for key in set(zip(out["churn_band"], out["value_segment"], strict=True))}
    chosen = [rules[key] for key in zip(out["churn_band"], out["value_segment"], strict=True)]
    out["recommended_action"] = [rule.action if rule else None for rule in chosen]
    out["action_due_days"] = pd.array([rule.due_days if rule else None for rule in chosen], dtype="Int32")
    return out.sort_values("customer_id", kind="stable").reset_index(drop=True)[list(SCORES_SCHEMA.names)]


__all__ = ["ActionRule", "ChurnConfig", "ChurnResult", "FEATURES", "TABLES", "run_churn_model", "score",
           "without_model"]
