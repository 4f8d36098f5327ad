"""The SQL floor: the queries a tab's callbacks had to run (bench.dashboard records them), run again alone through
warehouse.queries.run_query on a DuckDB connection of their own, without the result cache, without Dash, figures or
HTTP. What the dashboard adds on top of it is its own cost; nothing it does can be faster than this."""

from __future__ import annotations

import time
from pathlib import Path

from bench.dashboard import QueryCall
from warehouse.duck import connect
from warehouse.queries import run_query


class SqlFloor:
    def __init__(self, path: Path) -> None:
        self._con = connect(path, read_only=True)

    def time_calls(self, calls: list[QueryCall]) -> list[float]:
        """Seconds of each call, run one after the other (as the callbacks ran them), result fetched as a DataFrame
        as the reader fetches it."""
        seconds = []
        for name, params in calls:
            started = time.perf_counter()
            run_query(self._con, name, **params)
            seconds.append(time.perf_counter() - started)
        return seconds

    def close(self) -> None:
        self._con.close()
