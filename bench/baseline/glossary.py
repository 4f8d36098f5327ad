"""Glossary tab in pandas: every category value with how many records carry it (no filter applies)."""

from __future__ import annotations

from typing import Any

import pandas as pd

from bench.baseline.common import Tables, baseline

COUNTED = [("analytics.fact_customer_interactions", "interaction_type"),
           ("analytics.fact_support_tickets", "ticket_category"), ("analytics.fact_support_tickets", "ticket_status"),
           ("analytics.fact_support_tickets", "priority_level"), ("analytics.fact_support_tickets", "requested_remedy"),
           ("analytics.fact_product_reviews", "review_language")]


@baseline("glossary/categories", analytics__fact_customer_interactions=["interaction_type"],
          analytics__fact_support_tickets=["ticket_category", "ticket_status", "priority_level", "requested_remedy"],
          analytics__fact_product_reviews=["review_language"],
          analytics__mart_usage_daily=["feature_name", "events"])
def categories(tables: Tables, params: dict[str, Any]) -> pd.DataFrame:
    parts = [tables[table][column].value_counts().rename_axis("value").rename("records").reset_index()
             .assign(dimension=column) for table, column in COUNTED]
    features = tables["analytics.mart_usage_daily"].groupby("feature_name")["events"].sum()
    parts.append(features.rename_axis("value").rename("records").reset_index().assign(dimension="feature_name"))
    frame = pd.concat(parts, ignore_index=True)
    return frame.sort_values(["dimension", "records", "value"], ascending=[True, False, True])[
        ["dimension", "value", "records"]]
