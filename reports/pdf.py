"""A tab's report as an A4 PDF (WeasyPrint): header with the tab, the newest data date and the generation date,
the filters as the shell's chips print them, the KPI cards, every chart as a vector SVG (kaleido + Chromium, one
browser session per report) and tables whose header repeats on each page; "page X of Y" in the footer."""

from __future__ import annotations

import base64
import os
import shutil
import threading
import warnings
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import plotly.graph_objects as go
import plotly.io as pio
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from dashapp.shell import chip_texts, filter_options
from dashapp.state import TABS, parse_search
from reports.content import TabReport, build_tab_report
from reports.html import to_html
from warehouse.filters import Filters
from warehouse.reader import WarehouseReader

TEMPLATES = Path(__file__).with_name("templates")
CHART_WIDTH_PX = 900  # rendered size; the PDF scales it to the page width (a vector: stays sharp)
CHART_HEIGHT_PX = 400
# kaleido's sync server is one per process: reports render one at a time
_KALEIDO_LOCK = threading.Lock()
_ENV = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]))


class ReportError(Exception):
    """A report that cannot be made (unknown tab, no browser for the charts): the message says why."""


@dataclass
class Report:
    pdf: bytes
    notices: list[str]  # parts of the URL that were dropped, as the dashboard would show them
    tab_id: str


def report_from_search(reader: WarehouseReader, url_or_search: str) -> Report:
    """The PDF of the tab a dashboard URL (or its query string) shows, with that URL's filters."""
    tab_id, filters, notices = view_from_search(reader, url_or_search)
    return Report(report_pdf(reader, tab_id, filters), notices, tab_id)


def view_from_search(reader: WarehouseReader, url_or_search: str) -> tuple[str, Filters, list[str]]:
    """The tab, the filters and the notices about dropped values of a dashboard URL, as the dashboard reads it
    (an unknown tab is an error here: a report asked for by name must not fall back to Overview)."""
    search = urlsplit(url_or_search).query if "://" in url_or_search else url_or_search.split("?", 1)[-1]
    tabs = parse_qs(search).get("tab") or ["overview"]
    if tabs[0] not in TABS:  # the dashboard falls back to Overview; a report asked for by name must not
        raise ReportError(f"unknown tab '{tabs[0][:60]}'; tabs: {', '.join(TABS)}")

    def customer_exists(customer_id: str) -> bool:
        return not reader.query("customer/customer_label", customer_id=customer_id).empty

    state, notices = parse_search(search, filter_options(reader), customer_exists)
    return state.tab, state.filters(reader.date_bounds()), notices


def report_pdf(reader: WarehouseReader, tab_id: str, filters: Filters) -> bytes:
    from weasyprint import HTML  # imported here: loading Pango costs time the dashboard does not need to pay

    report = build_tab_report(reader, tab_id, filters)
    html = render_html(report, filters, reader.date_bounds()[1])
    return HTML(string=html, base_url=str(TEMPLATES)).write_pdf()


def render_html(report: TabReport, filters: Filters, newest: object) -> str:
    figures: list[go.Figure] = []

    def placeholder(figure: go.Figure) -> Markup:
        figures.append(figure)
        return Markup(f"@@figure-{len(figures) - 1}@@")

    cards = [{"title": c.title, "help": c.help, "body": to_html(c.body, placeholder),
              "table": not isinstance(c.body, go.Figure)} for c in report.cards]
    html = _ENV.get_template("report.html").render(
        report=report, cards=cards, chips=[text for text, *_ in chip_texts(filters)], newest=newest,
        generated=datetime.now().astimezone())
    for index, svg in enumerate(render_svgs(figures)):
        data = base64.b64encode(svg).decode()
        html = html.replace(f"@@figure-{index}@@", f'<img class="chart" alt="" src="data:image/svg+xml;base64,{data}">')
    return html


def render_svgs(figures: list[go.Figure]) -> list[bytes]:
    """SVG of each figure, all in one kaleido browser session (starting Chromium costs about 2 s)."""
    if not figures:
        return []
    browser = os.environ.get("BROWSER_PATH") or shutil.which("chromium") or shutil.which("chromium-browser") \
        or shutil.which("google-chrome")
    if not browser:
        raise ReportError("charts in PDF reports need Chromium: install it (scripts/system-packages.sh runtime, "
                          "or apt-get install chromium) or set BROWSER_PATH to a Chrome/Chromium binary")
    os.environ["BROWSER_PATH"] = browser  # kaleido finds the browser through it
    import kaleido

    with _KALEIDO_LOCK, warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "kopts ignored when using a server": we do not pass any
        kaleido.start_sync_server(silence_warnings=True)
        try:
            return [pio.to_image(_without_webgl(f), format="svg", width=CHART_WIDTH_PX,
                                 height=f.layout.height or CHART_HEIGHT_PX) for f in figures]
        finally:
            kaleido.stop_sync_server(silence_warnings=True)


def _without_webgl(figure: go.Figure) -> go.Figure:
    """WebGL traces (scattergl, used for big scatters in the browser) come out of kaleido as a raster image inside
    the SVG: on paper they are drawn as plain SVG scatters, same data and style."""
    if not any(trace.type == "scattergl" for trace in figure.data):
        return figure
    data = [{**trace.to_plotly_json(), "type": "scatter"} if trace.type == "scattergl" else trace
            for trace in figure.data]
    return go.Figure(data=data, layout=figure.layout)
