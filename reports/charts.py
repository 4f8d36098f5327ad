"""Plotly figures as SVG for the PDF reports: kaleido drives the system's Chromium (BROWSER_PATH), one browser per
report, all of the report's figures through it.

Speed (measured at scale M, 2 cores): kaleido reloads its page (and plotly.js, 4 MB of JavaScript) after every
figure; a report's figures go through one fresh browser that is closed afterwards, so the reload buys nothing and
is skipped (`_ReportKaleido`): 0.07 s a figure instead of 0.2-0.3 s. The browser starts (1.5 s) and draws in a
thread of its own while the report's queries run (`ChartRenderer`). kaleido is pinned (1.5.0):
`_return_kaleido_tab` is its tab-pool hook, exercised by every PDF test."""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import logging
import os
import shutil
import threading
import warnings
from types import TracebackType

import plotly.graph_objects as go

from reports.svg import merge_points, simplify
from reports.view import ReportError

CHART_WIDTH_PX = 900  # rendered size; the PDF scales it to the page width (a vector: stays sharp)
CHART_HEIGHT_PX = 400
# Chromium for charts costs ~150 MB a report: two reports at a time at most, the others wait their turn
_BROWSERS = threading.BoundedSemaphore(2)
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
    """`with ChartRenderer() as charts: future = charts.submit(figure)`: figures are drawn in order by one browser
    in a background thread while the caller goes on (building the next tab); `future.result()` is the SVG. The
    browser starts with the first figure: a report without charts (the Glossary) needs no Chromium."""

    def __init__(self) -> None:
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._renderer: object | None = None
        self._opened: concurrent.futures.Future | None = None

    def __enter__(self) -> ChartRenderer:
        return self

    def submit(self, figure: go.Figure) -> concurrent.futures.Future:
        if self._loop is None:
            self._start()
        return asyncio.run_coroutine_threadsafe(self._render(_without_webgl(figure)), self._loop)

    def _start(self) -> None:
        browser = check_browser()
        _BROWSERS.acquire()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="report-charts", daemon=True)
        self._thread.start()
        self._opened = asyncio.run_coroutine_threadsafe(self._open(browser), self._loop)

    def __exit__(self, exc_type: type | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        if self._loop is None:  # no figure was submitted: no browser to close
            return
        try:
            asyncio.run_coroutine_threadsafe(self._close(), self._loop).result(timeout=30)
        finally:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout=30)
            self._loop.close()
            _BROWSERS.release()

    async def _open(self, browser: str) -> None:
        import kaleido  # imported here: the dashboard does not pay for it until the first report
        import kaleido.errors

        # after kaleido's import: choreographer has made its logger (a subclass; getLogger before would not)
        channel_log = logging.getLogger("choreographer.channels.pipe")
        if not any(isinstance(f, _ClosingNoise) for f in channel_log.filters):
            channel_log.addFilter(_ClosingNoise())

        class _ReportKaleido(kaleido.Kaleido):
            async def _return_kaleido_tab(self, tab) -> None:  # no page reload between a report's figures
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
        svg = await self._renderer.calc_fig(figure, opts={"format": "svg", "width": CHART_WIDTH_PX,
                                                          "height": figure.layout.height or CHART_HEIGHT_PX})
        return simplify(merge_points(svg))

    async def _close(self) -> None:
        if self._renderer is not None:
            with contextlib.suppress(Exception):  # a browser that never started has nothing to close
                await self._renderer.close()


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
