"""Build a real DuckDB warehouse from hand-written rows, bypassing reading and enrichment, so that the SQL
models can be tested on exact sentiment values and ticket counts."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd

from etl.sources.contract import ENTITIES
from etl.tables import ENRICHMENT_SCHEMAS, QUARANTINE_SCHEMA, raw_schema, to_arrow
from warehouse import duck
from warehouse.models import build_models


def build_warehouse(
    path: Path,
    customers: list[dict],
    interactions: list[dict] = (),
    reviews: list[dict] = (),
    tickets: list[dict] = (),
    usage_events: list[dict] = (),
    users: list[dict] = (),
    orders: list[dict] = (),
) -> duckdb.DuckDBPyConnection:
    """customers: dicts of customer columns; interactions/reviews/tickets: dicts with the source columns plus
    `sentiment_score` (and for tickets `priority_level`). Returns a read-only connection to the result."""
    con = duckdb.connect(str(path))
    frames = {
        "customers": pd.DataFrame(customers),
        "interactions": pd.DataFrame(list(interactions)),
        "reviews": pd.DataFrame(list(reviews)),
        "tickets": pd.DataFrame(list(tickets)),
        "usage_events": pd.DataFrame(list(usage_events)),
        "users": pd.DataFrame(list(users)),
        "orders": pd.DataFrame(list(orders)),
    }
    for name, entity in ENTITIES.items():
        frame = frames.get(name, pd.DataFrame())
        for column in ("interaction_date", "review_date", "ticket_date", "resolved_date", "sign_up_date",
                       "event_date", "join_date", "last_login_date", "order_date"):
            if column in frame:
                frame[column] = pd.to_datetime(frame[column], format="ISO8601")
        frame = frame.reindex(columns=[f.name for f in raw_schema(entity)])
        duck.write_table(con, f"raw_{name}", to_arrow(frame, raw_schema(entity)))
    enrichment = {
        "enriched_interactions": frames["interactions"].reindex(
            columns=["interaction_id", "language", "sentiment_score"]),
        "enriched_reviews": frames["reviews"].reindex(
            columns=["review_id", "review_language", "sentiment_score", "review_text_english"]),
        "enriched_tickets": frames["tickets"].reindex(
            columns=["ticket_id", "language", "sentiment_score", "priority_level", "expected_resolution_timeframe",
                     "requested_remedy"]),
        "enriched_customer_quotes": pd.DataFrame(columns=["customer_id", "key_quote", "provider_summary"]),
    }
    for name, frame in enrichment.items():
        duck.write_table(con, name, to_arrow(frame, ENRICHMENT_SCHEMAS[name]))
    duck.write_table(con, "quarantine", QUARANTINE_SCHEMA.empty_table())
    build_models(con)
    con.close()
    return duckdb.connect(str(path), read_only=True)


def customer(customer_id: str, ltv: float | None = 100.0, **extra: object) -> dict:
    return {"customer_id": customer_id, "sign_up_date": "2024-01-01", "lifetime_value": ltv, "products_owned": 1,
            **extra}


def scored(customer_id: str, *scores: float) -> list[dict]:
    """Interactions with the given sentiment scores, one day apart, in this order."""
    return [{"interaction_id": f"{customer_id}-I{i}", "customer_id": customer_id,
             "interaction_date": f"2024-02-{i + 1:02d}", "interaction_type": "call", "interaction_notes": "note",
             "sentiment_score": s} for i, s in enumerate(scores)]


def tickets_for(customer_id: str, count: int, category: str = "billing") -> list[dict]:
    return [{"ticket_id": f"{customer_id}-T{i}", "customer_id": customer_id, "ticket_date": f"2024-03-{i + 1:02d}",
             "ticket_category": category, "ticket_description": "text", "ticket_status": "open",
             "priority_level": "Low"} for i in range(count)]
