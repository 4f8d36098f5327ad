"""Support tab in pandas: ticket KPIs (count, resolution rate, SLA breaches), volume, priority, category, tickets per
customer and the first page of the ticket table."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from bench.baseline.common import RULES, Tables, baseline, between, customers_in_view, share, tickets_in_view, truncate
from bench.baseline.overview import DIMS

TICKETS = ["ticket_id", "customer_id", "ticket_date", "ticket_status", "ticket_category", "ticket_description",
           "priority_level", "expected_resolution_timeframe", "requested_remedy", "resolved_date", "sentiment_score"]
SUPPORT = RULES["support"]
SLA_HOURS = {level: SUPPORT[f"sla_hours_{level.lower()}"] for level in ("Critical", "High", "Medium", "Low")}
TABLES = {"analytics__fact_support_tickets": TICKETS, "analytics__customer_dimensions": DIMS}
BINS = [(1, 0, 0, "0"), (2, 1, 1, "1"), (3, 2, 2, "2"), (4, 3, 5, "3–5"), (5, 6, 10, "6–10"), (6, 11, 20, "11–20"),
        (7, 21, 50, "21–50"), (8, 51, 100, "51–100"), (9, 101, None, "101+")]


def _resolved(tickets: pd.DataFrame) -> pd.Series:
    return tickets["ticket_status"].isin(SUPPORT["resolved_statuses"])


@baseline("support/ticket_totals", **TABLES)
def ticket_totals(tables: Tables, params: dict[str, Any]) -> pd.DataFrame:
    tickets = tickets_in_view(tables, params)
    return pd.DataFrame({"tickets": [len(tickets)], "customers_with_tickets": [tickets["customer_id"].nunique()],
                         "avg_sentiment": [tickets["sentiment_score"].mean()]})


@baseline("support/resolution_rate", **TABLES)
def resolution_rate(tables: Tables, params: dict[str, Any]) -> pd.DataFrame:
    tickets = tickets_in_view(tables, params)
    resolved = int(_resolved(tickets).sum())
    return pd.DataFrame({"tickets": [len(tickets)], "resolved_tickets": [resolved],
                         "resolution_rate_pct": [share(100.0 * resolved, len(tickets))]})


@baseline("support/sla_breach_rate", analytics__warehouse_as_of=["as_of_date"], **TABLES)
def sla_breach_rate(tables: Tables, params: dict[str, Any]) -> pd.DataFrame:
    tickets = tickets_in_view(tables, params)
    end_of_as_of = tables["analytics.warehouse_as_of"]["as_of_date"].iloc[0] + pd.Timedelta(days=1)
    resolved = _resolved(tickets)
    deadline = tickets["ticket_date"] + pd.to_timedelta(tickets["priority_level"].map(SLA_HOURS), unit="h")
    measured_at = tickets["resolved_date"].where(resolved, end_of_as_of)
    measured = deadline.notna() & measured_at.notna()
    breached = (measured_at > deadline).fillna(False) & measured
    return pd.DataFrame({
        "tickets": [len(tickets)], "measured_tickets": [int(measured.sum())], "breached_tickets": [int(breached.sum())],
        "unresolved_tickets": [int((~resolved).sum())],
        "breached_unresolved_tickets": [int((breached & ~resolved).sum())],
        "sla_breach_rate_pct": [share(100.0 * breached.sum(), measured.sum())]})


def _by(tickets: pd.DataFrame, keys: list[pd.Series]) -> pd.core.groupby.DataFrameGroupBy:
    return tickets.groupby(keys)


@baseline("support/ticket_volume", **TABLES)
def ticket_volume(tables: Tables, params: dict[str, Any]) -> pd.DataFrame:
    tickets = tickets_in_view(tables, params)
    keys = [truncate(tickets["ticket_date"], params["grain"]).rename("period"),
            tickets["priority_level"].fillna("Not classified")]
    return _by(tickets, keys).size().rename("tickets").reset_index().sort_values(["period", "priority_level"])


@baseline("support/tickets_by_priority", **TABLES)
def tickets_by_priority(tables: Tables, params: dict[str, Any]) -> pd.DataFrame:
    tickets = tickets_in_view(tables, params)
    result = _by(tickets, [tickets["priority_level"].fillna("Not classified")]).agg(
        tickets=("ticket_id", "size"), avg_sentiment=("sentiment_score", "mean"),
        scored_tickets=("sentiment_score", "count")).reset_index()
    return result.sort_values(["tickets", "priority_level"], ascending=[False, True])


@baseline("support/tickets_by_category", **TABLES)
def tickets_by_category(tables: Tables, params: dict[str, Any]) -> pd.DataFrame:
    tickets = tickets_in_view(tables, params)
    result = _by(tickets, [tickets["ticket_category"].fillna("Uncategorised")]).agg(
        tickets=("ticket_id", "size"), avg_sentiment=("sentiment_score", "mean")).reset_index()
    return result.sort_values(["tickets", "ticket_category"], ascending=[False, True])


@baseline("support/tickets_per_customer", **TABLES)
def tickets_per_customer(tables: Tables, params: dict[str, Any]) -> pd.DataFrame:
    tickets = tables["analytics.fact_support_tickets"]
    counts = tickets.loc[between(tickets["ticket_date_day"], params), "customer_id"].value_counts()
    per_customer = customers_in_view(tables, params)["customer_id"].map(counts).fillna(0)
    rows = []
    for order, low, high, label in BINS:
        inside = (per_customer >= low) & (per_customer <= (high if high is not None else np.inf))
        rows.append({"bin_order": order, "bin_label": label, "min_tickets": low, "max_tickets": high,
                     "customers": int(inside.sum())})
    return pd.DataFrame(rows)


@baseline("support/ticket_page", **TABLES)
def ticket_page(tables: Tables, params: dict[str, Any]) -> pd.DataFrame:
    """The table's default order (newest first, then ticket id); other sort columns are not part of the bench."""
    if (params["sort_column"], params["sort_direction"]) != ("ticket_date", "desc"):
        raise NotImplementedError("the baseline pages tickets in the default order only")
    tickets = tickets_in_view(tables, params)
    page = tickets.sort_values(["ticket_date", "ticket_id"], ascending=[False, True])
    page = page.iloc[params["offset"]:params["offset"] + params["page_size"]]
    columns = ["ticket_id", "ticket_date", "customer_id", "ticket_category", "priority_level", "ticket_status",
               "ticket_description", "expected_resolution_timeframe", "requested_remedy"]
    return page[columns].assign(tickets_in_view=len(tickets))
