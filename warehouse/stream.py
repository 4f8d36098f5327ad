"""A named query's result in chunks, for exports too big to hold or to cache (hundreds of thousands of usage events
at scale M): the same sql/queries/<name>.sql and the same parameter binding as the reader's query(), read a few
thousand rows at a time (reader.stream: a DuckDB cursor, or a PostgreSQL server-side cursor) and never put in the
query cache (a file of millions of rows would push every dashboard result out of it)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pandas as pd

from warehouse.filters import Filters
from warehouse.reader import BaseReader

# DuckDB hands results over in vectors of 2,048 rows: 25 of them (51,200 rows) make a chunk of a few megabytes.
CHUNK_VECTORS = 25


def query_chunks(reader: BaseReader, name: str, filters: Filters | None = None,
                 chunk_vectors: int = CHUNK_VECTORS, **params: Any) -> Iterator[pd.DataFrame]:
    """The rows of query `name` as DataFrames in order; always at least one (empty, with the columns, when no row
    matches). The query runs when the first chunk is asked for; closing the iterator (a client that went away)
    closes the cursor and stops the query."""
    return reader.stream(name, filters, chunk_rows=chunk_vectors * 2048, **params)
