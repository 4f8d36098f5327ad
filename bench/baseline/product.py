"""Product tab in pandas: rating trend and distribution, reviews by language, the newest reviews."""

from __future__ import annotations

from typing import Any

import pandas as pd

from bench.baseline.common import Tables, baseline, reviews_in_view, truncate
from bench.baseline.overview import DIMS

REVIEWS = ["review_id", "customer_id", "product_id", "review_date", "review_rating", "review_language",
           "review_text", "review_text_english", "sentiment_score"]
TABLES = {"analytics__fact_product_reviews": REVIEWS, "analytics__customer_dimensions": DIMS}


@baseline("product/rating_trend", **TABLES)
def rating_trend(tables: Tables, params: dict[str, Any]) -> pd.DataFrame:
    reviews = reviews_in_view(tables, params)
    grouped = reviews.groupby(truncate(reviews["review_date"], params["grain"]).rename("period"))
    return (grouped.agg(avg_rating=("review_rating", "mean"), reviews=("review_rating", "size"))
            .reset_index().sort_values("period"))


@baseline("product/rating_distribution", **TABLES)
def rating_distribution(tables: Tables, params: dict[str, Any]) -> pd.DataFrame:
    counts = reviews_in_view(tables, params)["review_rating"].value_counts()
    frame = pd.DataFrame({"review_rating": [1, 2, 3, 4, 5]})
    frame["reviews"] = frame["review_rating"].map(counts).fillna(0).astype(int)
    total = frame["reviews"].sum()
    frame["share"] = frame["reviews"] / total if total else float("nan")
    return frame


@baseline("product/reviews_by_language", **TABLES)
def reviews_by_language(tables: Tables, params: dict[str, Any]) -> pd.DataFrame:
    reviews = reviews_in_view(tables, params)
    result = reviews.groupby("review_language", dropna=False).agg(
        reviews=("review_rating", "size"), avg_sentiment=("sentiment_score", "mean"),
        avg_rating=("review_rating", "mean")).reset_index()
    return result.sort_values(["reviews", "review_language"], ascending=[False, True])


@baseline("product/recent_reviews", analytics__customer_base=["customer_id", "customer_name"], **TABLES)
def recent_reviews(tables: Tables, params: dict[str, Any]) -> pd.DataFrame:
    reviews = reviews_in_view(tables, params)
    page = reviews.sort_values(["review_date", "review_id"], ascending=False)
    page = page.iloc[params["offset"]:params["offset"] + params["page_size"]]
    page = page.merge(tables["analytics.customer_base"][["customer_id", "customer_name"]], on="customer_id",
                      how="left")
    return page[["review_id", "review_date", "customer_id", "customer_name", "product_id", "review_rating",
                 "review_language", "review_text", "review_text_english", "sentiment_score"]].assign(
        total_reviews=len(reviews))
