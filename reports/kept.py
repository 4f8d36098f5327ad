"""What a process keeps between its reports (the layout workers, reports/layout.py; the charts' browser,
reports/charts.py): reports count themselves in and out, and IDLE seconds after the last one ends the thing is
closed, unless a report began meanwhile.

A server keeps them ready instead (`keep_ready`, reports/ready.py): started with the server's worker process, before
any report, and IDLE seconds after the last report started again afresh rather than only closed, so that no report
pays for starting them and their memory goes back to what a fresh start takes. Standard library only:
reports/layout.py runs as a bare worker process."""

from __future__ import annotations

import logging
import os
import threading

log = logging.getLogger(__name__)


class KeptBetweenReports:
    """Subclasses say whether they hold anything (`_holding`), how long to keep it (`_idle_seconds`: read at each
    report's end, so tests can shorten it), how to `close(only_if_idle=True)` (nothing to do when a report is on) and
    how to `_start_ready` (start, or do nothing if started; may run while a report begins)."""

    def __init__(self) -> None:
        self._reset()
        os.register_at_fork(after_in_child=self._reset)  # a forked server worker starts its own

    def _reset(self) -> None:
        self._lock = threading.Lock()
        self._reports = 0
        self._timer: threading.Timer | None = None
        self._ready = False  # keep_ready was called: restart when idle instead of only closing

    def keep_ready(self) -> object:
        """Start now, ahead of the first report, and from now on start afresh after each idle close. Returns what
        `_start_ready` returns (the charts' browser: a Future done when it is ready)."""
        self._ready = True
        return self._start_ready()

    def shut_down(self) -> None:
        """Close for good (at the process's exit): an idle restart that comes later does nothing."""
        self._ready = False
        self.close()

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
                self._timer = threading.Timer(self._idle_seconds(), self._when_idle)
                self._timer.daemon = True
                self._timer.start()

    def _when_idle(self) -> None:
        self.close(only_if_idle=True)
        with self._lock:
            restart = self._ready and not self._reports and not self._holding()  # closed, and no report began
        if restart:
            try:
                self._start_ready()
            except Exception:  # noqa: BLE001 - the next report starts them as it would without keep_ready
                log.warning("could not start %s again after the idle time", type(self).__name__, exc_info=True)

    def _report_begun(self) -> None:
        """Run under the lock when a report begins."""

    def _start_ready(self) -> object:
        raise NotImplementedError

    def _holding(self) -> bool:
        raise NotImplementedError

    def _idle_seconds(self) -> float:
        raise NotImplementedError

    def close(self, only_if_idle: bool = False) -> None:
        raise NotImplementedError
