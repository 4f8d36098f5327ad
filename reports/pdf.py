"""Reports as A4 PDFs (WeasyPrint): a header with the title, the newest data date and the generation date, the
filters as the shell's chips print them, then per tab its KPI cards, every chart as a vector SVG (reports.charts)
and tables whose header repeats on each page; "page X of Y" in the footer.

Two kinds: one tab as filtered ("Download PDF"), and the full report: every tab in one PDF after a contents page
whose page numbers WeasyPrint fills in (target-counter). The Customer tab is in the full report when the view has a
customer; the Glossary closes it as an appendix."""

from __future__ import annotations

import base64
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import plotly.graph_objects as go
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from dashapp.shell import chip_texts
from dashapp.state import TABS
from reports.charts import ChartRenderer
from reports.content import TabReport, build_tab_report
from reports.html import to_html
from reports.view import ReportError, View
from warehouse.filters import Filters
from warehouse.reader import WarehouseReader

TEMPLATES = Path(__file__).with_name("templates")
BUILD_THREADS = 2
NEEDS_CUSTOMER = {"customer"}  # tabs that report on the view's customer and are left out of a full report without
THREE_D = {"scatter3d", "surface", "mesh3d", "cone", "streamtube", "volume", "isosurface"}  # WebGL only: no vector
_ENV = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]))

__all__ = ["Report", "ReportError", "full_report_pdf", "report_pdf"]


@dataclass
class Report:
    pdf: bytes
    notices: list[str]  # parts of the URL that were dropped, as the dashboard would show them
    tab_id: str  # the tab reported, or the kind of report (reports.kinds.pdf_from_search makes Reports)


@dataclass
class _Section:
    report: TabReport
    cards: list[dict] = field(default_factory=list)

    @property
    def anchor(self) -> str:
        return f"tab-{self.report.tab_id}"


def report_pdf(reader: WarehouseReader, tab_id: str, filters: Filters, customer: str | None = None) -> bytes:
    report = build_tab_report(reader, tab_id, filters, customer=customer)  # its label: "Account report: <name>"
    return _pdf(report.label, lambda: [report], filters, reader, contents=False)


def full_report_pdf(reader: WarehouseReader, view: View) -> bytes:
    """Every tab for the view's filters, each from a new page, after a contents page."""
    wanted = [t for t in TABS if t not in NEEDS_CUSTOMER or view.customer]
    skipped = [f"{TABS[t]} (no customer selected)" for t in TABS if t not in wanted]

    def reports() -> Iterator[TabReport]:
        # two tabs built at a time: a build waits on DuckDB (which runs without the GIL) as much as it computes,
        # so the second thread fills the waits; the charts of the tabs built so far are drawn meanwhile
        with ThreadPoolExecutor(BUILD_THREADS) as pool:
            yield from pool.map(lambda tab_id: build_tab_report(reader, tab_id, view.filters,
                                                                customer=view.customer), wanted)

    return _pdf("Full report", reports, view.filters, reader, contents=True, skipped=skipped)


def _pdf(title: str, reports: Callable[[], Iterable[TabReport]], filters: Filters, reader: WarehouseReader, *,
         contents: bool, skipped: list[str] | None = None) -> bytes:
    """Build the tabs (in order, as `reports` yields them) while the charts of the tabs already built are drawn
    (ChartRenderer), then lay the pages out."""
    from weasyprint import HTML  # imported here: loading Pango costs time the dashboard does not need to pay

    svgs: list[Future] = []

    with ChartRenderer() as charts:
        def placeholder(figure: go.Figure) -> Markup:
            if any(trace.type in THREE_D for trace in figure.data):
                return Markup('<p class="missing">A 3-D chart: turn it in the dashboard; on paper it would be a '
                              "flat picture of one angle.</p>")
            svgs.append(charts.submit(figure))
            return Markup(f"@@figure-{len(svgs) - 1}@@")

        sections = [_Section(report, [{"title": c.title, "help": c.help, "body": to_html(c.body, placeholder),
                                       "table": not isinstance(c.body, go.Figure)} for c in report.cards])
                    for report in reports()]
        html = _ENV.get_template("report.html").render(
            title=title, sections=sections, contents=contents, skipped=skipped or [],
            chips=[text for text, *_ in chip_texts(filters)], newest=reader.date_bounds()[1],
            generated=datetime.now().astimezone())
        for index, future in enumerate(svgs):
            data = base64.b64encode(future.result()).decode()
            html = html.replace(f"@@figure-{index}@@",
                                f'<img class="chart" alt="" src="data:image/svg+xml;base64,{data}">')
    return HTML(string=html, base_url=str(TEMPLATES)).write_pdf()
