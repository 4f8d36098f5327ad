"""Query results cached per (query, parameters, warehouse version), shared by every user of the server.

flask-caching's backends are used directly (no Flask needed here): a file-system cache when a folder is
given, so that all gunicorn workers share results, else an in-process one. A new load changes the
warehouse version, so old entries are never served again (they age out by the cache's threshold).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
from flask_caching.backends import FileSystemCache, SimpleCache


class QueryCache:
    def __init__(self, directory: Path | None = None, max_entries: int = 5000) -> None:
        if directory is not None:
            directory.mkdir(parents=True, exist_ok=True)
            self._backend = FileSystemCache(str(directory), threshold=max_entries, default_timeout=0)
        else:
            self._backend = SimpleCache(threshold=max_entries, default_timeout=0)

    @staticmethod
    def key(name: str, version: str, params: dict[str, Any]) -> str:
        text = repr((name, version, sorted((k, repr(v)) for k, v in params.items())))
        return hashlib.sha256(text.encode()).hexdigest()

    def get_or_compute(self, key: str, compute: Callable[[], pd.DataFrame]) -> pd.DataFrame:
        found = self._backend.get(key)
        if found is not None:
            return found.copy()
        result = compute()
        self._backend.set(key, result)
        return result.copy()

    def clear(self) -> None:
        self._backend.clear()
