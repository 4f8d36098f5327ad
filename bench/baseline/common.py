"""What every pandas baseline function shares: the tables held in memory, the registry of functions by query name,
and the global filters as boolean masks (the pandas reading of sql/snippets/*_in_view.sql).

The baseline computes each card the way the seed dashboards did: the whole tables sit in memory as DataFrames,
loaded once at start; every callback masks them with the filters and aggregates with groupby. Nothing is shared
between callbacks and nothing is cached, as in the seed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from config.rules import load_rules

Tables = dict[str, pd.DataFrame]  # table name (as in the warehouse, e.g. "analytics.customer_dimensions") -> rows
Baseline = Callable[[Tables, dict[str, Any]], pd.DataFrame]

# query name (sql/queries/<name>.sql) -> the pandas function that gives the same numbers from the same tables
BASELINES: dict[str, Baseline] = {}
# table -> the columns some baseline function reads (loaded once, at start)
TABLES: dict[str, set[str]] = {}

CUSTOMER_FILTERS = {"value_segments": "value_segment", "personas": "derived_persona", "churn_risks": "churn_risk",
                    "upsell_opportunities": "upsell_opportunity"}
DIMS = "analytics.customer_dimensions"
RULES = load_rules()


def baseline(query: str, **tables: list[str]) -> Callable[[Baseline], Baseline]:
    """Register the decorated function as the pandas version of sql/queries/<query>.sql. `tables` names the columns
    it reads per table, with "__" for the schema dot: analytics__fact_support_tickets=["ticket_date", ...]."""

    def register(function: Baseline) -> Baseline:
        BASELINES[query] = function
        for table, columns in tables.items():
            TABLES.setdefault(table.replace("__", "."), set()).update(columns)
        return function

    return register


def derived_columns(tables: Tables) -> None:
    """Columns the seed computed once when it loaded its frames: the day of each timestamp (the SQL casts them to
    dates in every query), so that per-callback masks compare days."""
    for table, column in (("analytics.fact_support_tickets", "ticket_date"),
                          ("analytics.fact_product_reviews", "review_date"),
                          ("analytics.fact_customer_interactions", "interaction_date")):
        if table in tables and column in tables[table]:
            tables[table][f"{column}_day"] = tables[table][column].dt.normalize()


def in_list(column: pd.Series, values: list | None) -> pd.Series:
    """list_contains(:values, column) with NULL meaning "no filter" (a NULL column value is never in a list)."""
    if values is None:
        return pd.Series(True, index=column.index)
    return column.isin(values)


def customer_mask(frame: pd.DataFrame, params: dict[str, Any]) -> pd.Series:
    """snippet_customer_in_view over a frame that carries the customer attributes."""
    mask = pd.Series(True, index=frame.index)
    for parameter, column in CUSTOMER_FILTERS.items():
        mask &= in_list(frame[column], params.get(parameter))
    return mask


def customers_in_view(tables: Tables, params: dict[str, Any]) -> pd.DataFrame:
    dims = tables[DIMS]
    return dims[customer_mask(dims, params)]


def ids_in_view(tables: Tables, params: dict[str, Any]) -> pd.Series:
    return customers_in_view(tables, params)["customer_id"]


def of_customers_in_view(frame: pd.DataFrame, tables: Tables, params: dict[str, Any]) -> pd.Series:
    """Rows of customers in view; without a customer filter every row, without a lookup (as the seed skipped a
    filter nobody set)."""
    if all(params.get(name) is None for name in CUSTOMER_FILTERS):
        return pd.Series(True, index=frame.index)
    return frame["customer_id"].isin(ids_in_view(tables, params))


def between(column: pd.Series, params: dict[str, Any]) -> pd.Series:
    return column.between(pd.Timestamp(params["date_from"]), pd.Timestamp(params["date_to"]))


def records_in_view(tables: Tables, params: dict[str, Any]) -> pd.DataFrame:
    """snippet_records_in_view: every scored record of the customers in view in the date range, with the
    interaction-type filter on interactions and the review-language filter on reviews."""
    records = tables["analytics.mart_scored_records"]
    mask = between(records["record_date"], params) & customer_mask(records, params)
    if params.get("interaction_types") is not None:
        chosen = records["interaction_type"].isin(params["interaction_types"])
        mask &= (records["source_type"] != "interaction") | chosen
    if params.get("review_languages") is not None:
        mask &= (records["source_type"] != "review") | records["review_language"].isin(params["review_languages"])
    return records[mask]


def reviews_in_view(tables: Tables, params: dict[str, Any]) -> pd.DataFrame:
    """snippet_reviews_in_view: the reviews in the date range and languages, of the customers in view."""
    reviews = tables["analytics.fact_product_reviews"]
    mask = (between(reviews["review_date_day"], params)
            & in_list(reviews["review_language"], params.get("review_languages"))
            & of_customers_in_view(reviews, tables, params))
    return reviews[mask]


def tickets_in_view(tables: Tables, params: dict[str, Any]) -> pd.DataFrame:
    """snippet_tickets_in_view: the tickets in the date range of the customers in view."""
    tickets = tables["analytics.fact_support_tickets"]
    mask = between(tickets["ticket_date_day"], params) & of_customers_in_view(tickets, tables, params)
    return tickets[mask]


def rfm_in_view(tables: Tables, params: dict[str, Any]) -> pd.DataFrame:
    rfm = tables["analytics.customer_rfm"]
    return rfm[of_customers_in_view(rfm, tables, params)]


def truncate(dates: pd.Series, grain: str) -> pd.Series:
    """date_trunc(grain, date) for 'week' (weeks start on Monday) and 'month'."""
    days = dates.dt.normalize()
    if grain == "week":
        return days - pd.to_timedelta(days.dt.day_of_week, unit="D")
    if grain == "month":
        return days - pd.to_timedelta(days.dt.day - 1, unit="D")
    raise ValueError(f"unknown grain {grain!r}")


def fixed_rows(labels: list[str], column: str, counted: pd.DataFrame, fill: dict[str, Any]) -> pd.DataFrame:
    """Every label of a fixed list in its order, with the counted rows' values (the SQL's values list left-joined
    to the counts), `fill` for the labels nobody has."""
    frame = pd.DataFrame({column: labels}).merge(counted, on=column, how="left")
    return frame.fillna(fill)


def share(part: pd.Series | float, whole: float) -> Any:
    return part / whole if whole else np.nan
