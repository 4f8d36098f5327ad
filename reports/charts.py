"""Plotly figures as SVG for the PDF reports: kaleido drives the system's Chromium (BROWSER_PATH), one browser per
process, every report's figures through it.

Speed (measured at scale M, 2 cores): kaleido reloads its page (and plotly.js, 4 MB of JavaScript) after every
figure: here only every RELOAD_EVERY figures (`_ReportKaleido`), 0.07 s a figure instead of 0.2-0.3 s. The browser
is this process's, kept between reports for IDLE_SECONDS (`_SharedBrowser`: starting it and loading plotly.js costs
~2.8 CPU-s; a server starts it ahead of the first report, reports/ready.py), and draws in a thread of its own while the
report's queries run. kaleido is pinned (1.5.0): `_return_kaleido_tab` is its
tab-pool hook, exercised by every PDF test."""

from __future__ import annotations

import asyncio
import atexit
import concurrent.futures
import contextlib
import logging
import os
import shutil
import threading
import warnings
from types import TracebackType

import plotly.graph_objects as go

from reports.kept import KeptBetweenReports
from reports.svg import merge_points, simplify
from reports.view import ReportError

CHART_WIDTH_PX = 900  # rendered size; the PDF scales it to the page width (a vector: stays sharp)
CHART_HEIGHT_PX = 400
IDLE_SECONDS = 300  # the browser (~150 MB) is closed after this long without a report
RELOAD_EVERY = 200  # figures drawn between two reloads of the browser's page
log = logging.getLogger(__name__)
NO_BROWSER = ("charts in PDF reports need Chromium: install it (scripts/system-packages.sh runtime, or "
              "apt-get install chromium) or set BROWSER_PATH to a Chrome/Chromium binary")


class _ClosingNoise(logging.Filter):
    """choreographer (kaleido's browser channel) logs a traceback when the browser's goodbye ("{bye}") arrives in
    one read with other messages as the browser closes: harmless, and alarming on a CLI user's terminal."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith("JSONError decoding message")



def browser_path() -> str | None:
    """The Chromium the charts are drawn with: BROWSER_PATH if set (kaleido's own setting), else one on PATH."""
    configured = os.environ.get("BROWSER_PATH")
    if configured:
        return configured if os.access(configured, os.X_OK) else None
    return shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")


def check_browser() -> str:
    browser = browser_path()
    if not browser:
        raise ReportError(NO_BROWSER + (f" (BROWSER_PATH={os.environ['BROWSER_PATH']!r} is not an executable)"
                                        if os.environ.get("BROWSER_PATH") else ""))
    return browser


class ChartRenderer:
    """`with ChartRenderer() as charts: future = charts.submit(figure)`: figures are drawn in order by this process's
    browser in a background thread while the caller goes on (building the next tab); `future.result()` is the SVG.
    The browser starts with the first figure (a report without charts, the Glossary, needs no Chromium)."""

    def __enter__(self) -> ChartRenderer:
        _BROWSER.begin_report()
        return self

    def submit(self, figure: go.Figure) -> concurrent.futures.Future:
        return _BROWSER.submit(_without_webgl(figure))

    def __exit__(self, exc_type: type | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        _BROWSER.end_report()


class _SharedBrowser(KeptBetweenReports):
    """This process's Chromium for charts, shared by its reports: started by the first figure, kept while reports
    come (starting it costs ~2.8 CPU-s, a sixth of a full report's), closed IDLE_SECONDS after the last report ends
    and at exit. A browser that failed (did not start, crashed, a figure it could not draw) is closed and started
    again by the next report. Its one tab draws the figures one at a time, in the order they come."""

    def _reset(self) -> None:  # also in a forked child: threads do not survive a fork, the child starts its own
        super()._reset()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._renderer: object | None = None
        self._opened: concurrent.futures.Future | None = None
        self._failed = False

    def begin_report(self) -> None:
        super().begin_report()
        with self._lock:
            failed = self._failed or (self._opened is not None and self._opened.done()
                                      and self._opened.exception() is not None) or not self._alive()
        if failed:
            self.close(only_if_unused_by_others=True)

    def _alive(self) -> bool:
        """False when the browser's process has ended (killed while idle, out of memory)."""
        # choreographer's launcher process (it starts Chromium): it may still look alive for a moment after Chromium
        # died, and poll() says None while choreographer's watchdog waits on it; a figure that meets a dead browser
        # is drawn again on a new one (_render)
        process = getattr(self._renderer, "subprocess", None)
        return process is None or process.poll() is None

    def _holding(self) -> bool:
        return self._loop is not None

    def _start_ready(self) -> concurrent.futures.Future:
        # one small figure: the browser started and kaleido's page loaded with plotly.js (~2.8 CPU-s) before the
        # first report's figures come; if it fails here, the first report starts the browser again (begin_report)
        drawn = self.submit(_READY_FIGURE)
        drawn.add_done_callback(_log_failure)
        return drawn

    def _idle_seconds(self) -> float:
        return IDLE_SECONDS

    def submit(self, figure: go.Figure) -> concurrent.futures.Future:
        with self._lock:
            if self._loop is None:
                self._start()
            return asyncio.run_coroutine_threadsafe(self._render(figure), self._loop)

    def _start(self) -> None:
        browser = check_browser()
        self._failed = False
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="report-charts", daemon=True)
        self._thread.start()
        self._path = browser
        self._reopening = asyncio.Lock()
        self._opened = asyncio.run_coroutine_threadsafe(self._open(browser), self._loop)

    def close(self, only_if_idle: bool = False, only_if_unused_by_others: bool = False) -> None:
        with self._lock:
            if (only_if_idle and self._reports) or (only_if_unused_by_others and self._reports > 1):
                return
            loop, thread, renderer = self._loop, self._thread, self._renderer
            self._loop = self._thread = self._renderer = self._opened = None
            self._failed = False
        if loop is None:
            return
        try:
            asyncio.run_coroutine_threadsafe(self._close(renderer), loop).result(timeout=30)
        except Exception:  # noqa: BLE001 - a browser that cannot even close is left to the operating system
            log.warning("the charts' browser did not close cleanly", exc_info=True)
        finally:
            loop.call_soon_threadsafe(loop.stop)
            thread.join(timeout=30)
            if not thread.is_alive():
                loop.close()

    async def _open(self, browser: str) -> None:
        import kaleido  # imported here: the dashboard does not pay for it until the first report
        import kaleido.errors

        # after kaleido's import: choreographer has made its logger (a subclass; getLogger before would not)
        channel_log = logging.getLogger("choreographer.channels.pipe")
        if not any(isinstance(f, _ClosingNoise) for f in channel_log.filters):
            channel_log.addFilter(_ClosingNoise())

        class _ReportKaleido(kaleido.Kaleido):
            drawn = 0

            async def _return_kaleido_tab(self, tab) -> None:
                # kaleido reloads its page (and 4 MB of plotly.js) after every figure; here only every
                # RELOAD_EVERY figures, which is enough to keep the page's memory from growing
                self.drawn += 1
                if self.drawn % RELOAD_EVERY == 0:
                    await super()._return_kaleido_tab(tab)
                else:
                    await self.tabs_ready.put(tab)

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                self._renderer = _ReportKaleido(n=1, path=browser)
                await self._renderer.open()
            except (kaleido.errors.ChromeNotFoundError, kaleido.errors.BrowserFailedError) as exc:
                raise ReportError(f"{NO_BROWSER}: {exc}") from exc

    async def _render(self, figure: go.Figure) -> bytes:
        await asyncio.wrap_future(self._opened)  # the browser first (raises its error for every figure)
        for attempt in (1, 2):
            renderer = self._renderer
            try:
                svg = await renderer.calc_fig(figure, opts={"format": "svg", "width": CHART_WIDTH_PX,
                                                            "height": figure.layout.height or CHART_HEIGHT_PX})
                return simplify(merge_points(svg))
            except (Exception, asyncio.CancelledError) as failure:
                if isinstance(failure, asyncio.CancelledError):
                    if self._renderer is not renderer:  # this process closes the browser (idle, exit): stop here
                        raise
                    # the browser died under the figure: choreographer's watchdog closed it and kaleido cancelled
                    # the figures it was drawing, this one included. Not a cancellation of the report: draw again.
                    asyncio.current_task().uncancel()
                if attempt == 2:
                    self._failed = True  # the next report starts with a new browser
                    if isinstance(failure, asyncio.CancelledError):
                        raise ReportError("the charts' browser stopped twice while drawing a figure") from None
                    raise
                # the browser died since the last report (killed, out of memory): a new one, and this figure again
                log.warning("the charts' browser failed: starting a new one", exc_info=True)
                async with self._reopening:
                    if self._renderer is renderer:  # not replaced yet by another figure's retry
                        await self._close(renderer)
                        await self._open(self._path)
        raise AssertionError("unreachable")

    @staticmethod
    async def _close(renderer: object | None) -> None:
        if renderer is not None:
            with contextlib.suppress(Exception):  # a browser that never started has nothing to close
                await renderer.close()


_READY_FIGURE = go.Figure(go.Bar(x=["ready"], y=[1]))
_BROWSER = _SharedBrowser()
atexit.register(_BROWSER.shut_down)


def _log_failure(drawn: concurrent.futures.Future) -> None:
    if not drawn.cancelled() and drawn.exception() is not None:
        log.warning("the charts' browser could not be started ahead of the reports: %s", drawn.exception())


def keep_ready() -> concurrent.futures.Future:
    """Start this process's charts' browser now and keep it ready (reports.kept); the Future is done when it is.
    Without Chromium: ReportError."""
    return _BROWSER.keep_ready()


def render_svgs(figures: list[go.Figure]) -> list[bytes]:
    """SVG of each figure, in order, all in one browser session."""
    if not figures:
        return []
    with ChartRenderer() as charts:
        futures = [charts.submit(figure) for figure in figures]
        return [future.result() for future in futures]


def _without_webgl(figure: go.Figure) -> go.Figure:
    """WebGL traces (scattergl, used for big scatters in the browser) come out of kaleido as a raster image inside
    the SVG: on paper they are drawn as plain SVG scatters, same data and style."""
    if not any(trace.type == "scattergl" for trace in figure.data):
        return figure
    data = [{**trace.to_plotly_json(), "type": "scatter"} if trace.type == "scattergl" else trace
            for trace in figure.data]
    return go.Figure(data=data, layout=figure.layout)
