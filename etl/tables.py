"""Arrow schemas of the tables the ETL writes, so that column types never depend on the data seen
(an all-empty optional column is still a TIMESTAMP, not a NULL-typed column)."""

from __future__ import annotations

import pandas as pd
import pyarrow as pa

from etl.sources.contract import DATE, INTEGER, NUMBER, TIMESTAMP, Entity
from etl.sources.readers import ROW_COLUMN
from etl.sources.validate import ATTRIBUTES_COLUMN, QUARANTINE_COLUMNS, SOURCE_FILE_COLUMN

_ARROW_TYPES = {INTEGER: pa.int64(), NUMBER: pa.float64(), DATE: pa.date32(), TIMESTAMP: pa.timestamp("us")}

ENRICHMENT_SCHEMAS: dict[str, pa.Schema] = {
    "enriched_interactions": pa.schema(
        [("interaction_id", pa.string()), ("language", pa.string()), ("sentiment_score", pa.float64())]),
    "enriched_reviews": pa.schema([
        ("review_id", pa.string()), ("review_language", pa.string()), ("sentiment_score", pa.float64()),
        ("review_text_english", pa.string())]),
    "enriched_tickets": pa.schema([
        ("ticket_id", pa.string()), ("language", pa.string()), ("sentiment_score", pa.float64()),
        ("priority_level", pa.string()), ("expected_resolution_timeframe", pa.string()),
        ("requested_remedy", pa.string())]),
    "enriched_customer_quotes": pa.schema(
        [("customer_id", pa.string()), ("key_quote", pa.string()), ("provider_summary", pa.string())]),
}

QUARANTINE_SCHEMA = pa.schema([
    ("load_id", pa.string()), ("source_file", pa.string()), ("entity", pa.string()), ("source_row", pa.int64()),
    ("column_name", pa.string()), ("reason", pa.string()), ("record", pa.string())])


def raw_schema(entity: Entity) -> pa.Schema:
    fields = [(c.name, _ARROW_TYPES.get(c.kind, pa.string())) for c in entity.columns]
    fields += [(ATTRIBUTES_COLUMN, pa.string()), (SOURCE_FILE_COLUMN, pa.string()), (ROW_COLUMN, pa.int64())]
    return pa.schema(fields)


def empty_rows(entity: Entity) -> pd.DataFrame:
    return raw_schema(entity).empty_table().to_pandas()


def to_arrow(frame: pd.DataFrame, schema: pa.Schema) -> pa.Table:
    columns = {}
    for field in schema:
        values = frame[field.name] if field.name in frame.columns else pd.Series(None, index=frame.index)
        if pa.types.is_temporal(field.type) and not pd.api.types.is_datetime64_any_dtype(values):
            values = pd.to_datetime(values).astype("datetime64[us]")  # e.g. an all-missing column
        if pa.types.is_date32(field.type):
            values = values.dt.date
        columns[field.name] = pa.array(values, type=field.type, from_pandas=True)
    return pa.table(columns, schema=schema)


def quarantine_table(frames: list[pd.DataFrame], load_id: str) -> pa.Table:
    frame = pd.concat([f for f in frames if len(f)], ignore_index=True) if any(len(f) for f in frames) \
        else pd.DataFrame(columns=QUARANTINE_COLUMNS)
    return to_arrow(frame.assign(load_id=load_id), QUARANTINE_SCHEMA)
