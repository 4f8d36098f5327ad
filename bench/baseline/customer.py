"""Customer tab in pandas, before a customer is chosen: the suggested customers (most at risk first)."""

from __future__ import annotations

from typing import Any

import pandas as pd

from bench.baseline.common import Tables, baseline, customers_in_view
from bench.baseline.overview import DIMS

RISK_ORDER = {"High": 1, "Medium": 2, "Low": 3}


@baseline("customer/suggested_customers", analytics__customer_dimensions=DIMS,
          analytics__customer_base=["customer_id", "customer_name", "lifetime_value"],
          analytics__churn_scores=["customer_id", "churn_probability"])
def suggested_customers(tables: Tables, params: dict[str, Any]) -> pd.DataFrame:
    customers = (customers_in_view(tables, params)[["customer_id", "churn_risk", "value_segment"]]
                 .merge(tables["analytics.customer_base"][["customer_id", "customer_name", "lifetime_value"]],
                        on="customer_id")
                 .merge(tables["analytics.churn_scores"][["customer_id", "churn_probability"]], on="customer_id",
                        how="left"))
    customers["_risk"] = customers["churn_risk"].map(RISK_ORDER).fillna(4)
    customers["_probability"] = -customers["churn_probability"]  # highest first, no score last
    customers["_value"] = -customers["lifetime_value"]
    top = customers.sort_values(["_probability", "_risk", "_value", "customer_id"], na_position="last")
    return top.head(params["limit"])[["customer_id", "customer_name", "value_segment", "churn_risk",
                                      "churn_probability", "lifetime_value"]]
