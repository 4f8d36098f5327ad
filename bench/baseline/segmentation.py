"""Segmentation tab in pandas: personas, value segments, churn × upsell, RFM (concentration KPIs, segments, tiers,
Pareto curve, scatter), the clustering's features and the first block of the segment explorer."""

from __future__ import annotations

import hashlib
from typing import Any

import numpy as np
import pandas as pd

from bench.baseline.common import (
    Tables,
    baseline,
    customers_in_view,
    fixed_rows,
    records_in_view,
    reviews_in_view,
    rfm_in_view,
)
from bench.baseline.overview import DIMS, RECORDS

PERSONAS = ["Satisfied", "Frustrated", "Mixed", "Improving", "Deteriorating", "Neutral"]
SEGMENTS = ["High Value", "Medium Value", "Low Value"]
LEVELS = ["High", "Medium", "Low"]
RFM_SEGMENTS = ["Champions", "Loyal", "Potential Loyalists", "New", "At Risk", "Can't Lose", "Hibernating", "Lost"]
TIERS = ["Platinum", "Gold", "Silver", "Bronze"]
RFM = ["customer_id", "recency_days", "frequency", "monetary", "r_score", "f_score", "m_score", "rfm_segment", "value",
       "value_tier", "has_activity", "basis", "value_basis"]
CUSTOMER_TABLES = {"analytics__customer_dimensions": DIMS}
RFM_TABLES = {"analytics__customer_rfm": RFM, **CUSTOMER_TABLES}


@baseline("segmentation/persona_distribution", **CUSTOMER_TABLES)
def persona_distribution(tables: Tables, params: dict[str, Any]) -> pd.DataFrame:
    customers = customers_in_view(tables, params)
    counted = customers.groupby("derived_persona").size().rename("customers").reset_index()
    frame = fixed_rows(PERSONAS, "derived_persona", counted, {"customers": 0})
    frame["share"] = frame["customers"] / len(customers) if len(customers) else 0.0
    return frame


@baseline("segmentation/value_segment_profile", analytics__mart_scored_records=RECORDS,
          analytics__fact_product_reviews=["customer_id", "review_date", "review_rating", "review_language"],
          **CUSTOMER_TABLES)
def value_segment_profile(tables: Tables, params: dict[str, Any]) -> pd.DataFrame:
    records = records_in_view(tables, params)
    customers = customers_in_view(tables, params).groupby("value_segment").size().rename("customers")
    sentiment = records.assign(is_ticket=records["source_type"] == "ticket").groupby("value_segment").agg(
        avg_sentiment=("sentiment_score", "mean"), tickets=("is_ticket", "sum"))
    reviews = reviews_in_view(tables, params)
    segment_of = tables["analytics.customer_dimensions"].set_index("customer_id")["value_segment"]
    ratings = reviews.groupby(reviews["customer_id"].map(segment_of).rename("value_segment"))["review_rating"].mean()
    ratings = ratings.rename("avg_rating")
    frame = pd.DataFrame({"value_segment": SEGMENTS}).set_index("value_segment")
    frame = frame.join(customers).join(sentiment).join(ratings).reset_index()
    frame["tickets"] = frame["tickets"].fillna(0)
    frame["tickets_per_customer"] = frame["tickets"] / frame["customers"].replace(0, np.nan)
    frame["customers"] = frame["customers"].fillna(0)
    return frame[["value_segment", "customers", "avg_sentiment", "tickets", "tickets_per_customer", "avg_rating"]]


@baseline("segmentation/churn_upsell_matrix", **CUSTOMER_TABLES)
def churn_upsell_matrix(tables: Tables, params: dict[str, Any]) -> pd.DataFrame:
    counted = customers_in_view(tables, params).groupby(["churn_risk", "upsell_opportunity"]).size()
    grid = pd.MultiIndex.from_product([LEVELS, LEVELS], names=["churn_risk", "upsell_opportunity"])
    return counted.reindex(grid, fill_value=0).rename("customers").reset_index()


def _with_value(tables: Tables, params: dict[str, Any]) -> pd.DataFrame:
    customers = rfm_in_view(tables, params)
    return customers[customers["value"] > 0]


def _value_basis(tables: Tables) -> Any:
    return tables["analytics.customer_rfm"]["value_basis"].min()


@baseline("segmentation/revenue_concentration", **RFM_TABLES)
def revenue_concentration(tables: Tables, params: dict[str, Any]) -> pd.DataFrame:
    in_view = rfm_in_view(tables, params)
    ranked = in_view[in_view["value"] > 0].sort_values(["value", "customer_id"], ascending=[False, True])
    n, values = len(ranked), ranked["value"].to_numpy(dtype=float)
    total = values.sum() if n else np.nan
    row: dict[str, Any] = {"customers_in_view": len(in_view), "customers_with_value": n, "total_value": total}
    for p in (1, 10, 20):
        k = int(np.count_nonzero(100 * np.arange(n) < p * n))  # ranks i (from 1) with 100 (i - 1) < p n
        row[f"top_{p}pct_customers"] = k
        row[f"top_{p}pct_share"] = values[:k].sum() / total if n else np.nan
    ascending = values[::-1]
    row["gini"] = (2 * np.sum(np.arange(1, n + 1) * ascending) / (n * total) - (n + 1) / n) if n else np.nan
    row["value_basis"] = _value_basis(tables)
    return pd.DataFrame([row])


@baseline("segmentation/rfm_segments", **RFM_TABLES)
def rfm_segments(tables: Tables, params: dict[str, Any]) -> pd.DataFrame:
    customers = rfm_in_view(tables, params)
    counted = customers.assign(without_activity=~customers["has_activity"]).groupby("rfm_segment").agg(
        customers=("customer_id", "size"), customers_without_activity=("without_activity", "sum"),
        avg_recency_days=("recency_days", "mean"), avg_frequency=("frequency", "mean"),
        avg_monetary=("monetary", "mean"), total_monetary=("monetary", "sum")).reset_index()
    frame = pd.DataFrame({"segment_order": range(1, 9), "rfm_segment": RFM_SEGMENTS}).merge(
        counted, on="rfm_segment", how="left")
    frame[["customers", "customers_without_activity", "total_monetary"]] = frame[
        ["customers", "customers_without_activity", "total_monetary"]].fillna(0)
    frame["share_of_customers"] = frame["customers"] / len(customers) if len(customers) else 0.0
    frame["basis"] = tables["analytics.customer_rfm"]["basis"].min()
    return frame


@baseline("segmentation/value_tiers", **RFM_TABLES)
def value_tiers(tables: Tables, params: dict[str, Any]) -> pd.DataFrame:
    customers = rfm_in_view(tables, params)
    counted = customers.groupby("value_tier").agg(
        customers=("customer_id", "size"), total_value=("value", "sum"), min_value=("value", "min"),
        max_value=("value", "max")).reset_index()
    frame = pd.DataFrame({"tier_order": range(1, 5), "value_tier": TIERS}).merge(counted, on="value_tier", how="left")
    frame[["customers", "total_value"]] = frame[["customers", "total_value"]].fillna(0)
    frame["share_of_customers"] = frame["customers"] / len(customers) if len(customers) else 0.0
    value_in_view = customers["value"].sum()
    frame["share_of_value"] = frame["total_value"] / value_in_view if value_in_view else np.nan
    frame["value_basis"] = _value_basis(tables)
    return frame


@baseline("segmentation/pareto_curve", **RFM_TABLES)
def pareto_curve(tables: Tables, params: dict[str, Any]) -> pd.DataFrame:
    ranked = _with_value(tables, params).sort_values(["value", "customer_id"], ascending=[False, True])
    n, most = len(ranked), params["max_points"]
    if not n:
        return pd.DataFrame(columns=["point_index", "customer_share", "value_share"])
    cumulative = np.concatenate([[0.0], ranked["value"].to_numpy(dtype=float).cumsum()])
    index = np.arange(n + 1)
    kept = (n + 1 <= most) | (index == 0) | (index == n) | ((index * (most - 1)) % n < most - 1)
    share = np.where(index == n, 1.0, cumulative / cumulative[-1])
    return pd.DataFrame({"point_index": index[kept], "customer_share": index[kept] / n, "value_share": share[kept],
                         "customers_with_value": n, "total_value": cumulative[-1],
                         "value_basis": _value_basis(tables)})


@baseline("segmentation/rfm_customers", **RFM_TABLES)
def rfm_customers(tables: Tables, params: dict[str, Any]) -> pd.DataFrame:
    customers = rfm_in_view(tables, params)
    md5 = customers["customer_id"].map(lambda c: hashlib.md5(c.encode()).hexdigest())
    sample = customers.assign(_md5=md5, customers_in_view=len(customers)).sort_values(["_md5", "customer_id"])
    return sample.head(params["max_points"])[[c for c in RFM if c != "value_basis"] + ["customers_in_view"]]


@baseline("segmentation/cluster_features", analytics__customer_cluster_features=["*"], **CUSTOMER_TABLES)
def cluster_features(tables: Tables, params: dict[str, Any]) -> pd.DataFrame:
    customers = customers_in_view(tables, params)[["customer_id", "derived_persona"]]
    return tables["analytics.customer_cluster_features"].merge(customers, on="customer_id").sort_values("customer_id")


EXPLORER_SIGNALS = ["customer_id", "avg_sentiment", "sentiment_trend", "ticket_count", "avg_rating", "customer_summary"]


@baseline("segmentation/segment_explorer_page", analytics__customer_persona_signals=EXPLORER_SIGNALS,
          analytics__customer_base=["customer_id", "customer_name", "lifetime_value"], **CUSTOMER_TABLES)
def segment_explorer_page(tables: Tables, params: dict[str, Any]) -> pd.DataFrame:
    """The explorer's default order (highest lifetime value first, then customer id), without a search."""
    if (params["sort_column"], params["sort_direction"], params["search"]) != ("lifetime_value", "desc", None):
        raise NotImplementedError("the baseline pages the explorer in its default order, without a search")
    customers = (customers_in_view(tables, params)
                 .merge(tables["analytics.customer_base"][["customer_id", "customer_name", "lifetime_value"]],
                        on="customer_id")
                 .merge(tables["analytics.customer_persona_signals"][EXPLORER_SIGNALS], on="customer_id"))
    customers["ticket_count"] = customers["ticket_count"].fillna(0)
    page = customers.sort_values(["lifetime_value", "customer_id"], ascending=[False, True], na_position="last")
    page = page.iloc[params["offset"]:params["offset"] + params["page_size"]]
    return page[["customer_id", "customer_name", "value_segment", "lifetime_value", "derived_persona", "churn_risk",
                 "upsell_opportunity", "overall_sentiment", *EXPLORER_SIGNALS[1:]]].assign(
        customers_in_view=len(customers))
