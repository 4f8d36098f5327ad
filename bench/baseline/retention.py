"""Retention tab in pandas: cohort retention (heatmap, average curve and its KPI cards), health (bands, distribution,
by segment, movers) and churn (bands, calibration, top risks, actions)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from bench.baseline.common import RULES, Tables, baseline, customers_in_view, fixed_rows, ids_in_view, truncate
from bench.baseline.overview import DIMS

RETENTION = RULES["retention"]
HEALTH = RULES["health"]
ACTIVE = ["customer_id", "cohort_month", "activity_month", "months_since_signup"]
COHORTS = ["cohort_month", "activity_month", "months_since_signup"]
CELL_TABLES = {"analytics__customer_dimensions": DIMS, "analytics__mart_customer_active_months": ACTIVE,
               "analytics__mart_cohort_retention": COHORTS, "analytics__warehouse_as_of": ["as_of_date"]}
HEALTH_COLUMNS = ["customer_id", "health_score", "health_band", "previous_health_score", "previous_health_band",
                  "health_change", "weakest_measure", "weakest_measure_score", "weakest_measure_points_lost"]
HEALTH_TABLES = {"analytics__customer_health": HEALTH_COLUMNS, "analytics__customer_dimensions": DIMS}
SCORES = ["customer_id", "churn_probability", "churn_band", "days_since_last_activity", "reason_1", "reason_2",
          "reason_3", "recommended_action", "action_due_days"]
CHURN_TABLES = {"analytics__churn_scores": SCORES, "analytics__customer_dimensions": DIMS}


def _cells(tables: Tables, params: dict[str, Any]) -> pd.DataFrame:
    """snippet_retention_cells: every cell of the cohort grid in view with its size, actives and status."""
    month = pd.Timestamp(params["date_from"])
    first = None if params["date_from"] == params["data_start"] else month - pd.Timedelta(days=month.day - 1)
    last_day = pd.Timestamp(params["date_to"])
    customers = customers_in_view(tables, params)
    customers = customers.assign(cohort_month=truncate(customers["sign_up_date"], "month"))
    keep = customers["cohort_month"] <= last_day
    active = tables["analytics.mart_customer_active_months"]
    active_keep = (active["cohort_month"] <= last_day) & (active["months_since_signup"] >= 0)
    if first is not None:
        keep &= customers["cohort_month"] >= first
        active_keep &= active["cohort_month"] >= first
    customers = customers[keep][["customer_id", "cohort_month"]]
    actives = (active[active_keep][["customer_id", "months_since_signup"]].merge(customers, on="customer_id")
               .groupby(["cohort_month", "months_since_signup"]).size().rename("active_customers").reset_index())
    cohorts = customers.groupby("cohort_month").size().rename("cohort_size").reset_index()
    cells = (tables["analytics.mart_cohort_retention"][COHORTS].merge(cohorts, on="cohort_month")
             .merge(actives, on=["cohort_month", "months_since_signup"], how="left"))
    cells["active_customers"] = cells["active_customers"].fillna(0).astype(int)
    coverage = tables["analytics.mart_customer_active_months"]["activity_month"].min()
    as_of = tables["analytics.warehouse_as_of"]["as_of_date"].iloc[0]
    as_of_month = as_of - pd.Timedelta(days=as_of.day - 1)
    month_end = (as_of + pd.Timedelta(days=1)).day == 1
    no_data = (cells["activity_month"] < coverage) | (cells["activity_month"] > as_of_month) if pd.notna(coverage) \
        else pd.Series(True, index=cells.index)
    in_progress = (cells["activity_month"] == as_of_month) & (not month_end)
    cells["cell_status"] = np.select([no_data, in_progress], ["no_data", "in_progress"], "measured")
    return cells


@baseline("retention/cohort_retention", **CELL_TABLES)
def cohort_retention(tables: Tables, params: dict[str, Any]) -> pd.DataFrame:
    cells = _cells(tables, params)
    measured = cells["cell_status"] != "no_data"
    cells["active_customers"] = cells["active_customers"].where(measured)
    cells["retention_pct"] = (100.0 * cells["active_customers"] / cells["cohort_size"]).where(measured)
    return cells.sort_values(["cohort_month", "months_since_signup"])[
        ["cohort_month", "months_since_signup", "activity_month", "cohort_size", "cell_status", "active_customers",
         "retention_pct"]]


@baseline("retention/retention_curve", **CELL_TABLES)
def retention_curve(tables: Tables, params: dict[str, Any]) -> pd.DataFrame:
    cells = _cells(tables, params)
    measured = cells[cells["cell_status"] == "measured"][["cohort_month", "months_since_signup", "cohort_size",
                                                          "active_customers"]]
    previous = measured[["cohort_month", "months_since_signup", "active_customers"]].assign(
        months_since_signup=measured["months_since_signup"] + 1).rename(
        columns={"active_customers": "previous_active_customers"})
    steps = measured.merge(previous, on=["cohort_month", "months_since_signup"], how="left")
    stepped = steps["previous_active_customers"].notna()
    steps["step_size"] = steps["cohort_size"].where(stepped)
    steps["step_change"] = (steps["active_customers"] - steps["previous_active_customers"]).where(stepped)
    curve = steps.groupby("months_since_signup").agg(
        cohorts=("cohort_size", "size"), customers=("cohort_size", "sum"), active_customers=("active_customers", "sum"),
        step_customers=("step_size", "sum"), step_change=("step_change", "sum"), stepped=("step_size", "count"))
    curve["retention_pct"] = 100.0 * curve["active_customers"] / curve["customers"]
    curve["change_pp"] = (100.0 * curve["step_change"] / curve["step_customers"]).where(curve["stepped"] > 0)
    judged = curve[curve["step_customers"] >= RETENTION["drop_off_min_customers"]]["change_pp"]
    falls = judged[(judged < 0) & (judged == judged.min())]
    curve["is_drop_off"] = ((curve["change_pp"] <= -RETENTION["drop_off_min_pp"])
                            & (curve["step_customers"] >= RETENTION["drop_off_min_customers"]))
    curve["is_largest_fall"] = curve.index == (falls.index.min() if len(falls) else -1)
    return curve.reset_index()[["months_since_signup", "cohorts", "customers", "active_customers", "retention_pct",
                                "step_customers", "change_pp", "is_drop_off", "is_largest_fall"]]


def _health(tables: Tables, params: dict[str, Any]) -> pd.DataFrame:
    return tables["analytics.customer_health"].merge(customers_in_view(tables, params), on="customer_id")


@baseline("health/health_bands", **HEALTH_TABLES)
def health_bands(tables: Tables, params: dict[str, Any]) -> pd.DataFrame:
    customers = _health(tables, params)
    current = customers.groupby("health_band").agg(customers=("health_score", "size"),
                                                   avg_health_score=("health_score", "mean"))
    previous = customers.groupby("previous_health_band").size()
    bands = pd.DataFrame({"band_order": [1, 2, 3], "health_band": ["green", "yellow", "red"],
                          "min_score": [HEALTH["green_min_score"], HEALTH["yellow_min_score"], 0],
                          "max_score": [100, HEALTH["green_min_score"], HEALTH["yellow_min_score"]]})
    bands = bands.merge(current.reset_index(), on="health_band", how="left")
    bands["customers"] = bands["customers"].fillna(0)
    scored, previous_scored = customers["health_band"].notna().sum(), customers["previous_health_band"].notna().sum()
    bands["share_of_customers"] = bands["customers"] / scored if scored else 0.0
    bands["previous_customers"] = bands["health_band"].map(previous).fillna(0)
    bands["previous_share_of_customers"] = bands["previous_customers"] / previous_scored if previous_scored else 0.0
    bands["customers_change"] = bands["customers"] - bands["previous_customers"]
    bands["customers_in_view"] = len(customers)
    return bands


@baseline("health/health_distribution", **HEALTH_TABLES)
def health_distribution(tables: Tables, params: dict[str, Any]) -> pd.DataFrame:
    customers = _health(tables, params)

    def binned(scores: pd.Series) -> pd.Series:
        return np.minimum(np.floor(scores / 10), 9).dropna().astype(int).value_counts()

    current, previous = binned(customers["health_score"]), binned(customers["previous_health_score"])
    bins = pd.DataFrame({"score_bin": range(10)})
    bins["bin_start"], bins["bin_end"] = 10 * bins["score_bin"], 10 * bins["score_bin"] + 10
    bins["customers"] = bins["score_bin"].map(current).fillna(0)
    scored = current.sum()
    bins["share_of_customers"] = bins["customers"] / scored if scored else 0.0
    bins["previous_customers"] = bins["score_bin"].map(previous).fillna(0)
    return bins


@baseline("health/health_by_segment", **HEALTH_TABLES)
def health_by_segment(tables: Tables, params: dict[str, Any]) -> pd.DataFrame:
    customers = _health(tables, params)
    for band in ("green", "yellow", "red"):
        customers[band] = customers["health_band"] == band
    parts = []
    for order, dimension, column in ((1, "value_segment", "value_segment"), (2, "persona", "derived_persona")):
        grouped = customers.groupby(column, dropna=False).agg(
            customers=("customer_id", "size"), scored_customers=("health_score", "count"),
            avg_health_score=("health_score", "mean"), avg_previous_health_score=("previous_health_score", "mean"),
            avg_health_change=("health_change", "mean"), green_customers=("green", "sum"),
            yellow_customers=("yellow", "sum"), red_customers=("red", "sum")).reset_index()
        grouped = grouped.rename(columns={column: "dimension_value"}).assign(dimension=dimension, _order=order)
        grouped["_value_order"] = (grouped["dimension_value"].map({"High Value": 1, "Medium Value": 2, "Low Value": 3})
                                   .fillna(4) if order == 1 else 0)
        parts.append(grouped)
    frame = pd.concat(parts).sort_values(["_order", "_value_order", "dimension_value"])
    return frame[["dimension", "dimension_value", "customers", "scored_customers", "avg_health_score",
                  "avg_previous_health_score", "avg_health_change", "green_customers", "yellow_customers",
                  "red_customers"]]


@baseline("health/health_movers", analytics__customer_base=["customer_id", "customer_name"], **HEALTH_TABLES)
def health_movers(tables: Tables, params: dict[str, Any]) -> pd.DataFrame:
    customers = _health(tables, params)
    fallen = customers[customers["health_change"] < 0].sort_values(["health_change", "customer_id"])
    fallen = fallen.head(params["limit"]).merge(tables["analytics.customer_base"][["customer_id", "customer_name"]],
                                                on="customer_id")
    return fallen[["customer_id", "customer_name", "value_segment", "derived_persona", *HEALTH_COLUMNS[1:]]]


@baseline("churn/churn_summary", **CHURN_TABLES)
def churn_summary(tables: Tables, params: dict[str, Any]) -> pd.DataFrame:
    ids = ids_in_view(tables, params)
    scores = tables["analytics.churn_scores"]
    banded = pd.DataFrame({"customer_id": ids}).merge(scores[["customer_id", "churn_band", "churn_probability"]],
                                                      on="customer_id", how="left")
    banded["churn_band"] = banded["churn_band"].fillna("Not scored")
    counted = banded.groupby("churn_band").agg(customers=("customer_id", "size"),
                                               avg_probability=("churn_probability", "mean")).reset_index()
    frame = fixed_rows(["High", "Medium", "Low", "Inactive", "Not scored"], "churn_band", counted, {"customers": 0})
    frame["share"] = frame["customers"] / len(ids) if len(ids) else np.nan
    return frame[["churn_band", "customers", "share", "avg_probability"]]


@baseline("churn/churn_calibration", analytics__churn_calibration=["*"])
def churn_calibration(tables: Tables, params: dict[str, Any]) -> pd.DataFrame:
    return tables["analytics.churn_calibration"].sort_values("bin")[
        ["bin", "bin_lower", "bin_upper", "customers", "mean_predicted", "observed_rate"]]


@baseline("churn/churn_evaluation", analytics__churn_model_evaluation=["*"])
def churn_evaluation(tables: Tables, params: dict[str, Any]) -> pd.DataFrame:
    return tables["analytics.churn_model_evaluation"]


@baseline("churn/churn_top_risks", analytics__customer_base=["customer_id", "customer_name", "csm_owner"],
          **CHURN_TABLES)
def churn_top_risks(tables: Tables, params: dict[str, Any]) -> pd.DataFrame:
    scores = tables["analytics.churn_scores"]
    scores = scores[scores["churn_probability"].notna()].merge(
        customers_in_view(tables, params)[["customer_id", "value_segment"]], on="customer_id")
    top = scores.sort_values(["churn_probability", "customer_id"], ascending=[False, True]).head(params["limit"])
    top = top.merge(tables["analytics.customer_base"][["customer_id", "customer_name", "csm_owner"]], on="customer_id")
    return top[["customer_id", "customer_name", "csm_owner", "value_segment", *SCORES[1:]]]


@baseline("churn/churn_actions", **CHURN_TABLES)
def churn_actions(tables: Tables, params: dict[str, Any]) -> pd.DataFrame:
    scores = tables["analytics.churn_scores"]
    scores = scores[scores["recommended_action"].notna()].merge(
        customers_in_view(tables, params)[["customer_id", "value_segment"]], on="customer_id")
    scores["high_value"] = scores["value_segment"] == "High Value"
    counted = scores.groupby(["recommended_action", "action_due_days"], dropna=False).agg(
        customers=("customer_id", "size"), high_value_customers=("high_value", "sum")).reset_index()
    counted["_no_deadline"] = counted["action_due_days"].isna()
    counted = counted.sort_values(["_no_deadline", "action_due_days", "customers", "recommended_action"],
                                  ascending=[True, True, False, True])
    return counted[["recommended_action", "action_due_days", "customers", "high_value_customers"]]
