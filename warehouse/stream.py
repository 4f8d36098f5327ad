"""A named query's result in chunks, for exports too big to hold or to cache (hundreds of thousands of usage events
at scale M): the same sql/queries/<name>.sql and the same parameter binding as WarehouseReader.query, read from a
cursor a few thousand rows at a time and never put in the query cache (a file of millions of rows would push every
dashboard result out of it)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pandas as pd

from warehouse.filters import Filters
from warehouse.queries import query_parameters, to_duckdb_parameters
from warehouse.reader import WarehouseReader
from warehouse.sqlfiles import read_sql

# DuckDB hands results over in vectors of 2,048 rows: 25 of them (51,200 rows) make a chunk of a few megabytes.
CHUNK_VECTORS = 25


def query_chunks(reader: WarehouseReader, name: str, filters: Filters | None = None,
                 chunk_vectors: int = CHUNK_VECTORS, **params: Any) -> Iterator[pd.DataFrame]:
    """The rows of query `name` as DataFrames in order; always at least one (empty, with the columns, when no row
    matches). The query runs when the first chunk is asked for; closing the iterator (a client that went away)
    closes the cursor and stops the query."""
    if filters is not None:
        params = {**filters.params(*reader.date_bounds()), **params}
    used = query_parameters(name)
    missing = used - params.keys()
    if missing:
        raise TypeError(f"query {name} needs parameter(s): {', '.join(sorted(missing))}")
    sql = to_duckdb_parameters(read_sql(f"queries/{name}.sql"))
    # A cursor of the reader's connection: the warehouse file in service, opened read-only, reopened after a load.
    cursor = reader._connection().cursor()
    try:
        cursor.execute(sql, {k: v for k, v in params.items() if k in used})
        first = True
        while True:
            chunk = cursor.fetch_df_chunk(chunk_vectors)
            if chunk.empty and not first:
                return
            yield chunk
            if chunk.empty:
                return
            first = False
    finally:
        cursor.close()
