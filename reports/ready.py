"""A server's reports made ready before the first one is asked for.

A process's first full report used to start everything it needs - Chromium with plotly.js for the charts (~2.8
CPU-s), the two layout worker processes with WeasyPrint (~0.4 CPU-s each), the Glossary appendix's layout (~1.9
CPU-s) - and took 13-14 s at scale M instead of ~9 (bench/report_bench.py). A server worker does that once at its
start instead, in the background (dashapp/wsgi.py), and keeps it ready (reports/kept.py): after 5 minutes without a
report the browser and the workers are started again afresh rather than only stopped, so that their memory goes back
to a fresh start's (~0.5 GB a server worker: Chromium ~0.3 GB, each layout process ~80 MB).
CUSTOMER_INSIGHT_REPORTS_READY=off leaves that to the first report (small machines); the CLI and cron runs make one
report and do not use this."""

from __future__ import annotations

import concurrent.futures
import logging

from reports import charts, layout
from reports.pdf import glossary_ahead
from reports.view import ReportError
from warehouse.reader import WarehouseReader

log = logging.getLogger(__name__)


def prepare(reader: WarehouseReader) -> None:
    """Start this process's charts' browser and layout workers and keep them ready, lay out the Glossary appendix
    into the part cache, import what the front page and the join need. Never raises: whatever could not be made
    ready (no Chromium, a warehouse that cannot be read) is left to the first report, which says what is wrong.
    Returns when all is ready."""
    browser = None
    try:
        browser = charts.keep_ready()  # starts in its own thread while the rest is done here
    except ReportError as exc:
        log.warning("reports: %s", exc)
    try:
        layout.keep_ready()
    except OSError as exc:  # the worker processes could not be started: the first report tries again
        log.warning("reports: the layout workers could not be started ahead (%s)", exc)
    import pikepdf  # noqa: F401 - the join of the parts and the front page are made in this process

    import reports.weasy  # noqa: F401
    try:
        glossary_ahead(reader)
    except Exception as exc:  # noqa: BLE001 - the first full report lays it out then, and says what is wrong
        # one line, no traceback: the usual cause is the server stopping during its first seconds
        log.warning("reports: the Glossary could not be laid out ahead (%s: %s)", type(exc).__name__, exc)
    if browser is not None:
        concurrent.futures.wait([browser])  # its failure is logged by reports.charts
