"""Small shared pieces of the demo generator: ids, the Arrow schema of each entity, Parquet writing."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

TS = pa.timestamp("us")  # naive local timestamps, like the PRD's ISO strings without a zone

# Column order and Arrow types of each written file; names are exactly the source contract's
# (etl/sources/contract.py). tickets.priority_level is left out on purpose: the ETL classifies it from
# the ticket text.
SCHEMAS: dict[str, pa.Schema] = {
    "customers": pa.schema([
        ("customer_id", pa.string()), ("persona", pa.string()), ("sign_up_date", pa.date32()),
        ("products_owned", pa.int32()), ("lifetime_value", pa.float64()), ("customer_name", pa.string()),
        ("segment", pa.string()), ("country", pa.string()), ("csm_owner", pa.string()),
    ]),
    "interactions": pa.schema([
        ("interaction_id", pa.string()), ("customer_id", pa.string()), ("interaction_date", TS),
        ("agent_id", pa.string()), ("interaction_type", pa.string()), ("interaction_notes", pa.string()),
    ]),
    "reviews": pa.schema([
        ("review_id", pa.string()), ("customer_id", pa.string()), ("product_id", pa.string()),
        ("review_date", TS), ("review_rating", pa.int32()), ("review_text", pa.string()),
        ("review_language", pa.string()),
    ]),
    "tickets": pa.schema([
        ("ticket_id", pa.string()), ("customer_id", pa.string()), ("ticket_date", TS),
        ("ticket_status", pa.string()), ("ticket_category", pa.string()), ("ticket_subcategory", pa.string()),
        ("ticket_description", pa.string()), ("resolved_date", TS),
    ]),
    "usage_events": pa.schema([
        ("user_id", pa.string()), ("customer_id", pa.string()), ("event_date", TS),
        ("feature_name", pa.string()), ("events_count", pa.int32()),
    ]),
    "users": pa.schema([
        ("user_id", pa.string()), ("customer_id", pa.string()), ("user_name", pa.string()),
        ("join_date", pa.date32()), ("last_login_date", TS), ("role", pa.string()),
    ]),
    "orders": pa.schema([
        ("order_id", pa.string()), ("customer_id", pa.string()), ("order_date", TS), ("amount", pa.float64()),
        ("quantity", pa.int32()), ("product_id", pa.string()),
    ]),
}

# zstd keeps the M files small; dictionary encoding suits the repeated ids and pooled texts.
_PARQUET_OPTIONS = {"compression": "zstd", "use_dictionary": True, "write_statistics": True}
ROW_GROUP = 1_000_000


def id_width(count: int) -> int:
    """Zero-padding that fits the largest id (CUST-0001 at 1,000 customers, CUST-000001 at 100,000)."""
    return max(3, len(str(count)))


def make_ids(prefix: str, count: int, width: int | None = None) -> pa.Array:
    """prefix-000001 .. prefix-<count>, built in Arrow (no Python string per row)."""
    numbers = pc.cast(pa.array(np.arange(1, count + 1, dtype=np.int64)), pa.string())
    padded = pc.utf8_lpad(numbers, width=width or id_width(count), padding="0")
    return pc.binary_join_element_wise(f"{prefix}-", padded, "")


def timestamp_array(us: np.ndarray, mask: np.ndarray | None = None) -> pa.Array:
    return pa.array(us, TS, mask=mask)


def conform(entity: str, table: pa.Table) -> pa.Table:
    """Columns in contract order with the declared types (fails loudly if a builder drifts)."""
    schema = SCHEMAS[entity]
    return table.select(schema.names).cast(schema)


def write_table(entity: str, table: pa.Table, path: Path) -> None:
    pq.write_table(conform(entity, table), path, row_group_size=ROW_GROUP, **_PARQUET_OPTIONS)


def open_writer(entity: str, path: Path) -> pq.ParquetWriter:
    """A writer for entities written chunk by chunk (usage events), one row group per chunk."""
    return pq.ParquetWriter(path, SCHEMAS[entity], **_PARQUET_OPTIONS)
