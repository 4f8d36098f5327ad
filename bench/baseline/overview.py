"""Overview tab (and the counts above every tab) in pandas: KPI cards, sentiment trend, customers by label."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from bench.baseline.common import Tables, baseline, customers_in_view, records_in_view, reviews_in_view, truncate

RECORDS = ["customer_id", "record_date", "sentiment_score", "source_type", "interaction_type", "review_language",
           "value_segment", "derived_persona", "churn_risk", "upsell_opportunity"]
DIMS = ["customer_id", "sign_up_date", "value_segment", "derived_persona", "churn_risk", "upsell_opportunity",
        "overall_sentiment"]
REVIEWS = ["customer_id", "review_date", "review_rating", "review_language"]


@baseline("filters/in_view_counts", analytics__mart_scored_records=RECORDS, analytics__customer_dimensions=DIMS)
def in_view_counts(tables: Tables, params: dict[str, Any]) -> pd.DataFrame:
    return pd.DataFrame({"customers": [len(customers_in_view(tables, params))],
                         "records": [len(records_in_view(tables, params))]})


@baseline("overview/kpis", analytics__mart_scored_records=RECORDS, analytics__customer_dimensions=DIMS,
          analytics__fact_product_reviews=REVIEWS)
def kpis(tables: Tables, params: dict[str, Any]) -> pd.DataFrame:
    records = records_in_view(tables, params)
    active = records[["customer_id", "churn_risk"]].drop_duplicates()
    ratings = reviews_in_view(tables, params)["review_rating"]
    return pd.DataFrame({
        "avg_sentiment": [records["sentiment_score"].mean()],
        "total_interactions": [int((records["source_type"] == "interaction").sum())],
        "pct_high_churn_risk": [100.0 * (active["churn_risk"] == "High").mean() if len(active) else np.nan],
        "avg_rating": [ratings.mean()],
        "active_customers": [len(active)],
    })


@baseline("overview/sentiment_trend", analytics__mart_scored_records=RECORDS)
def sentiment_trend(tables: Tables, params: dict[str, Any]) -> pd.DataFrame:
    records = records_in_view(tables, params)
    grouped = records.groupby(truncate(records["record_date"], params["grain"]).rename("period"))
    return (grouped.agg(avg_sentiment=("sentiment_score", "mean"), records=("customer_id", "size"))
            .reset_index().sort_values("period"))


def _customers_by(tables: Tables, params: dict[str, Any], label: str) -> pd.DataFrame:
    counted = customers_in_view(tables, params).groupby(label, dropna=False).size().rename("customers")
    return counted.reset_index().sort_values("customers", ascending=False, kind="stable")


@baseline("overview/customers_by_overall_sentiment", analytics__customer_dimensions=DIMS)
def customers_by_overall_sentiment(tables: Tables, params: dict[str, Any]) -> pd.DataFrame:
    return _customers_by(tables, params, "overall_sentiment")


@baseline("overview/customers_by_churn_risk", analytics__customer_dimensions=DIMS)
def customers_by_churn_risk(tables: Tables, params: dict[str, Any]) -> pd.DataFrame:
    return _customers_by(tables, params, "churn_risk")
