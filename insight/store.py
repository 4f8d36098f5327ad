"""A store of computed results (clusterings, team profiles) per warehouse version and key: in memory and as
joblib files next to the warehouse, shared by every worker and kept across restarts."""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import joblib

log = logging.getLogger(__name__)


class ResultStore:
    """Computed results (clusterings, team profiles) per warehouse version and key: in this process's memory (the last
    `memory_entries`) and persisted as <directory>/<warehouse version>/<key>.joblib, shared by every worker and kept
    across restarts. Saving under a new version deletes the other versions' folders. One computation per key at a
    time: concurrent callers of the same key wait for it instead of computing in parallel. Used by ClusterStore and
    insight.team_profiles (each with its own directory, since a save clears the other versions in it)."""

    def __init__(self, directory: Path, memory_entries: int = 16) -> None:
        self.directory = directory
        self.memory_entries = memory_entries
        self.fits = 0    # counters, for tests and logs
        self.loads = 0
        self._memory: OrderedDict[str, Any] = OrderedDict()
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()

    def path(self, version: str, key: str) -> Path:
        return self.directory / version / f"{key}.joblib"

    def get_or_compute(self, version: str, key: str, compute: Callable[[], Any]) -> Any:
        """The result stored under (version, key): from memory, else from its file, else `compute()` (then saved)."""
        with self._guard:
            if key in self._memory:
                self._memory.move_to_end(key)
                return self._memory[key]
            lock = self._locks.setdefault(key, threading.Lock())
        with lock:
            with self._guard:
                if key in self._memory:
                    return self._memory[key]
            result = self._load(self.path(version, key))
            if result is None:
                started = time.perf_counter()
                result = compute()
                self.fits += 1
                log.info("%s %s computed in %.2f s", type(self).__name__, key, time.perf_counter() - started)
                self._save(version, key, result)
            with self._guard:
                self._memory[key] = result
                while len(self._memory) > self.memory_entries:
                    self._memory.popitem(last=False)
                self._locks.pop(key, None)
        return result

    def _load(self, path: Path) -> Any:
        if not path.is_file():
            return None
        try:
            result = joblib.load(path)
        except Exception:  # unreadable or written by other library versions: refit and overwrite
            log.warning("could not load the stored result %s; computing it again", path, exc_info=True)
            return None
        self.loads += 1
        return result

    def _save(self, version: str, key: str, result: Any) -> None:
        folder, temporary = self.directory / version, None
        try:
            folder.mkdir(parents=True, exist_ok=True)
            # Written to a temporary file and renamed: another worker never loads a half-written model.
            handle, temporary = tempfile.mkstemp(dir=folder, suffix=".tmp")
            os.close(handle)
            joblib.dump(result, temporary)
            os.chmod(temporary, 0o644)  # mkstemp's 0600 would hide the model from workers run as another user
            os.replace(temporary, folder / f"{key}.joblib")
            for other in self.directory.iterdir():
                if other.is_dir() and other.name != version:
                    shutil.rmtree(other, ignore_errors=True)
        except OSError:  # a read-only data folder: the result still serves from memory
            log.warning("could not persist the result under %s", folder, exc_info=True)
        finally:
            if temporary is not None:
                Path(temporary).unlink(missing_ok=True)
