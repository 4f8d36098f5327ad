"""Reports as A4 PDFs (WeasyPrint): a header with the title, the newest data date and the generation date, the
filters as the shell's chips print them, then per tab its KPI cards, every chart as a vector SVG (reports.charts)
and tables whose header repeats on each page; "page X of Y" in the footer.

Two kinds: one tab as filtered ("Download PDF"), one document; and reports with a contents page (the full report:
every tab; the usage activity report: a page per team), whose sections are laid out in parallel processes and
joined after a front page that holds the contents with their page numbers (reports.layout). The Customer tab is in
the full report when the view has a customer; the Glossary closes it as an appendix."""

from __future__ import annotations

import base64
import contextvars
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor, as_completed, wait
from dataclasses import dataclass, field
from datetime import datetime

import plotly.graph_objects as go
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from dashapp.shell import chip_texts
from dashapp.state import TABS
from reports.charts import ChartRenderer
from reports.content import TabReport, build_tab_report
from reports.html import on_paper, to_html
from reports.layout import TEMPLATES, LaidOut, LayoutPool, join, lay_out_ahead, outline_of
from reports.view import ReportError, View
from warehouse.filters import Filters
from warehouse.reader import WarehouseReader

BUILD_THREADS = 2
# The order tabs are built in for the full report: by the time a tab takes to build and lay out at scale M
# (bench/report_bench.py), the Glossary first since it needs no query and is the longest to lay out; tabs not listed
# come last. A scheduling choice only: the report's order is TABS'.
LONGEST_FIRST = ("glossary", "usage", "segmentation", "retention", "support", "customer", "product", "sentiment",
                 "overview")
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
    page: int = 0  # where it starts, in a report with a contents page

    @property
    def anchor(self) -> str:
        return f"tab-{self.report.tab_id}"


def report_pdf(reader: WarehouseReader, tab_id: str, filters: Filters, customer: str | None = None) -> bytes:
    report = build_tab_report(reader, tab_id, filters, customer=customer)  # its label: "Account report: <name>"
    return _pdf(report.label, lambda: [(0, report)], filters, reader, contents=False)


def full_report_pdf(reader: WarehouseReader, view: View) -> bytes:
    """Every tab for the view's filters, each from a new page, after a contents page."""
    wanted = [t for t in TABS if t not in NEEDS_CUSTOMER or view.customer]
    skipped = [f"{TABS[t]} (no customer selected)" for t in TABS if t not in wanted]

    def reports() -> Iterator[tuple[int, TabReport]]:
        # two tabs built at a time: a build waits on DuckDB (which runs without the GIL) as much as it computes,
        # so the second thread fills the waits; the longest first, so that the report does not end waiting on a
        # long section started last
        with ThreadPoolExecutor(BUILD_THREADS) as pool:
            # each build in a copy of this thread's context: the signed-in user's account scope (warehouse/scope.py)
            builds = {pool.submit(contextvars.copy_context().run, build_tab_report, reader, tab_id, view.filters,
                                  customer=view.customer): position
                      for position, tab_id in sorted(enumerate(wanted), key=lambda item: _longest_first(item[1]))}
            for build in as_completed(builds):
                yield builds[build], build.result()

    return _pdf("Full report", reports, view.filters, reader, contents=True, skipped=skipped)


def _longest_first(tab_id: str) -> int:
    return LONGEST_FIRST.index(tab_id) if tab_id in LONGEST_FIRST else len(LONGEST_FIRST)


def _pdf(title: str, reports: Callable[[], Iterable[tuple[int, TabReport]]], filters: Filters,
         reader: WarehouseReader, *, contents: bool, skipped: list[str] | None = None) -> bytes:
    """The report of the TabReports that `reports` yields as (position in the report, report), in the order they
    are built. Their charts are drawn while the next ones are built (ChartRenderer). Without a contents page (one
    section) the report is one document; with one, each section is laid out in a worker process as soon as its
    charts are drawn, then the front page with the contents, and the parts are joined (reports.layout)."""
    page = {"title": title, "chips": [text for text, *_ in chip_texts(filters)], "newest": reader.date_bounds()[1],
            "generated": datetime.now().astimezone(), "skipped": skipped or []}
    if not contents:
        with ChartRenderer() as charts:
            [(_, report)] = reports()
            section, svgs = _section(report, charts)
            html = _ENV.get_template("report.html").render(sections=[section], **page)
            return _weasyprint(_with_charts(html, [svg.result() for svg in svgs]))
    with LayoutPool() as layout:
        sections: dict[int, tuple[_Section, Future]] = {}
        all_svgs: list[Future] = []
        with ChartRenderer() as charts:
            for position, report in reports():
                section, svgs = _section(report, charts)
                sections[position] = section, layout.submit(_part_html(section), fill=_with_charts, after=svgs)
                all_svgs += svgs
            wait(all_svgs)
        ordered = [sections[position] for position in sorted(sections)]
        return _front_and_join([section for section, _ in ordered], [part.result() for _, part in ordered], page)


def glossary_ahead(reader: WarehouseReader) -> None:
    """Lay out the full report's Glossary appendix into the part cache (reports/layout.py) as a full report would,
    ahead of the first one (reports/ready.py): the longest part to lay out, and the same in every full report."""
    section, _ = _section(build_tab_report(reader, "glossary", Filters()), charts=None)
    lay_out_ahead(_part_html(section))


def _part_html(section: _Section) -> str:
    """A section laid out on its own (the parts of a report with a contents page): its HTML depends on the section
    only, so that the same section (the Glossary) is the same part, laid out once (reports/layout.py's cache)."""
    return _ENV.get_template("part.html").render(section=section)


def _section(report: TabReport, charts: ChartRenderer | None) -> tuple[_Section, list[Future]]:
    """A section's template data, its charts as placeholders (@@figure-<i>@@, i-th of the returned futures);
    `charts` None for a report that has none (the Glossary)."""
    svgs: list[Future] = []

    def placeholder(figure: go.Figure) -> Markup:
        if any(trace.type in THREE_D for trace in figure.data):
            return Markup('<p class="missing">A 3-D chart: turn it in the dashboard; on paper it would be a '
                          "flat picture of one angle.</p>")
        if charts is None:
            raise ValueError(f"{report.tab_id} has charts: it needs a ChartRenderer")
        svgs.append(charts.submit(figure))
        return Markup(f"@@figure-{len(svgs) - 1}@@")

    cards = [{"title": c.title, "help": on_paper(c.help), "body": to_html(c.body, placeholder),
              "table": not isinstance(c.body, go.Figure)} for c in report.cards]
    return _Section(report, cards), svgs


def _with_charts(html: str, svgs: list[bytes]) -> str:
    for index, svg in enumerate(svgs):
        data = base64.b64encode(svg).decode()
        html = html.replace(f"@@figure-{index}@@", f'<img class="chart" alt="" src="data:image/svg+xml;base64,{data}">')
    return html


def _front_and_join(sections: list[_Section], parts: list[LaidOut], page: dict) -> bytes:
    """The first page (title, filters, contents with each section's page number) laid out now that the parts'
    page counts are known, then everything joined. The contents fit one page unless a report has many sections:
    if the guess is wrong, the front is laid out once more with the right count."""
    from reports.weasy import HTML

    front_pages = 1
    while True:
        first = front_pages + 1
        for section, part in zip(sections, parts, strict=True):
            section.page, first = first, first + part.pages
        html = _ENV.get_template("front.html").render(sections=sections, footer_pages=first - 1 - front_pages,
                                                      **page)
        front = HTML(string=html, base_url=str(TEMPLATES)).render()
        if len(front.pages) == first - 1:
            break
        front_pages = len(front.pages) - (first - 1 - front_pages)
    return join(front.write_pdf(), front_pages, outline_of(front.make_bookmark_tree()), parts,
                [section.anchor for section in sections], f"Customer Insight · {page['title']}")


def _weasyprint(html: str) -> bytes:
    from reports.weasy import HTML  # imported here: loading Pango costs time the dashboard does not need to pay

    return HTML(string=html, base_url=str(TEMPLATES)).write_pdf()
