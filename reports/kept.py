"""What a server process keeps between its reports (the layout workers, reports/layout.py; the charts' browser,
reports/charts.py): reports count themselves in and out, and IDLE seconds after the last one ends the thing is
closed, unless a report began meanwhile. Standard library only: reports/layout.py runs as a bare worker process."""

from __future__ import annotations

import os
import threading


class KeptBetweenReports:
    """Subclasses say whether they hold anything (`_holding`), how long to keep it (`_idle_seconds`: read at each
    report's end, so tests can shorten it) and how to `close(only_if_idle=True)`: nothing to do when a report is on."""

    def __init__(self) -> None:
        self._reset()
        os.register_at_fork(after_in_child=self._reset)  # a forked server worker starts its own

    def _reset(self) -> None:
        self._lock = threading.Lock()
        self._reports = 0
        self._timer: threading.Timer | None = None

    def begin_report(self) -> None:
        with self._lock:
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
            self._reports += 1
            self._report_begun()

    def end_report(self) -> None:
        with self._lock:
            self._reports -= 1
            if self._reports == 0 and self._holding():
                self._timer = threading.Timer(self._idle_seconds(), self.close, kwargs={"only_if_idle": True})
                self._timer.daemon = True
                self._timer.start()

    def _report_begun(self) -> None:
        """Run under the lock when a report begins."""

    def _holding(self) -> bool:
        raise NotImplementedError

    def _idle_seconds(self) -> float:
        raise NotImplementedError

    def close(self, only_if_idle: bool = False) -> None:
        raise NotImplementedError
