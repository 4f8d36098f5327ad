"""Sentiment tab in pandas: sentiment over time and distribution by source, by interaction type, and the
volatility-vs-trend scatter."""

from __future__ import annotations

import hashlib
from typing import Any

import numpy as np
import pandas as pd

from bench.baseline.common import Tables, baseline, between, in_list, of_customers_in_view, records_in_view, truncate
from bench.baseline.overview import DIMS, RECORDS

INTERACTIONS = ["customer_id", "interaction_date", "interaction_type", "sentiment_score"]
TRENDS = ["customer_id", "sentiment_volatility", "sentiment_trend", "avg_sentiment", "sentiment_count"]


@baseline("sentiment/sentiment_over_time_by_source", analytics__mart_scored_records=RECORDS)
def over_time_by_source(tables: Tables, params: dict[str, Any]) -> pd.DataFrame:
    records = records_in_view(tables, params)
    scored = records[records["sentiment_score"].notna() & records["source_type"].isin(params["source_types"])]
    grouped = scored.groupby([truncate(scored["record_date"], params["grain"]).rename("period"), "source_type"])
    return (grouped.agg(avg_sentiment=("sentiment_score", "mean"), records=("sentiment_score", "size"))
            .reset_index().sort_values(["period", "source_type"]))


@baseline("sentiment/sentiment_distribution_by_source", analytics__mart_scored_records=RECORDS)
def distribution_by_source(tables: Tables, params: dict[str, Any]) -> pd.DataFrame:
    records = records_in_view(tables, params)
    scored = records[records["sentiment_score"].notna()]
    bins = np.minimum(np.floor(scored["sentiment_score"] * 10).astype(int) + 10, 19).rename("bin")
    counted = scored.groupby(["source_type", bins]).size().rename("records").reset_index()
    counted["bin_start"] = -1.0 + 0.1 * counted["bin"]
    counted["bin_end"] = -1.0 + 0.1 * (counted["bin"] + 1)
    counted["source_records"] = counted.groupby("source_type")["records"].transform("sum")
    counted["share"] = counted["records"] / counted["source_records"]
    return counted.sort_values(["source_type", "bin"])


@baseline("sentiment/sentiment_by_interaction_type", analytics__fact_customer_interactions=INTERACTIONS,
          analytics__customer_dimensions=DIMS)
def by_interaction_type(tables: Tables, params: dict[str, Any]) -> pd.DataFrame:
    facts = tables["analytics.fact_customer_interactions"]
    mask = (between(facts["interaction_date_day"], params) & facts["sentiment_score"].notna()
            & in_list(facts["interaction_type"], params.get("interaction_types")))
    kept = facts[mask & of_customers_in_view(facts, tables, params)]
    result = (kept.groupby("interaction_type", dropna=False)
              .agg(avg_sentiment=("sentiment_score", "mean"), interactions=("sentiment_score", "size")).reset_index())
    return result.sort_values(["avg_sentiment", "interaction_type"], ascending=[False, True])


@baseline("sentiment/sentiment_volatility_vs_trend", analytics__mart_scored_records=RECORDS,
          analytics__sentiment_trends=TRENDS, analytics__customer_dimensions=DIMS)
def volatility_vs_trend(tables: Tables, params: dict[str, Any]) -> pd.DataFrame:
    records = records_in_view(tables, params)
    active = records.loc[records["sentiment_score"].notna(), "customer_id"].unique()
    trends = tables["analytics.sentiment_trends"]
    customers = trends[trends["customer_id"].isin(active)].merge(
        tables["analytics.customer_dimensions"][["customer_id", "overall_sentiment"]], on="customer_id")
    customers = customers.assign(customers_in_view=len(customers),
                                 _md5=customers["customer_id"].map(lambda c: hashlib.md5(c.encode()).hexdigest()))
    sample = customers.sort_values(["_md5", "customer_id"]).head(params["max_points"])
    return sample[["customer_id", *TRENDS[1:], "overall_sentiment", "customers_in_view"]]
