"""The executive summary (issue 6): one or two A4 pages for a dashboard view: the headline KPIs, the key findings in
sentences with their severity (reports.findings), the recommended actions as a numbered list, and what could not
be judged. Also as HTML and as plain text, for an email body (docs/executive.md).

The KPI cards are the tabs' own: their texts come from the functions the tabs register (dashapp.components via
reports.content.registry), as build_tab_report reads them, without building the tabs' charts (an executive summary
has none: every finding names the tab whose charts show it)."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

from dashapp.shell import chip_texts
from dashapp.state import TABS
from reports.content import Kpi, registry, tab_module
from reports.findings import Finding, Summary, collect_findings
from reports.view import View
from warehouse.filters import Filters
from warehouse.reader import WarehouseReader

log = logging.getLogger(__name__)
TEMPLATES = Path(__file__).with_name("templates")
TITLE = "Executive summary"
# The headline numbers: (tab, KPI ids of that tab's cards), printed in this order, four to a row.
HEADLINE_KPIS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("overview", ("overview-kpi-sentiment", "overview-kpi-interactions", "overview-kpi-churn", "overview-kpi-rating")),
    ("support", ("support-kpi-tickets", "support-kpi-sla", "support-kpi-overdue")),
    ("retention", ("health-kpi-red",)),
)
SEVERITY_WORDS = {"act": "Act", "watch": "Watch", "good": "Good"}
_ENV = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]))

__all__ = ["ExecutiveContent", "executive_content", "executive_report_html", "executive_report_pdf",
           "executive_summary_text"]


@dataclass
class HeadlineKpi:
    kpi: Kpi
    tab: str  # the tab's label


@dataclass
class ExecutiveContent:
    kpis: list[HeadlineKpi]
    summary: Summary
    chips: list[str]               # the filters, as the dashboard's chips print them
    newest: date                   # the newest data date
    generated: datetime
    notices: list[str] = field(default_factory=list)  # parts of the view's URL that were dropped

    @property
    def actions(self) -> list[Finding]:
        """The findings with a recommended action, most severe first (the numbered list)."""
        return [finding for finding in self.summary.findings if finding.action]

    def counts(self) -> str:
        """'2 to act on, 1 to watch, 5 good'."""
        found = [f.severity for f in self.summary.findings]
        parts = [f"{found.count('act')} to act on" if "act" in found else "",
                 f"{found.count('watch')} to watch" if "watch" in found else "",
                 f"{found.count('good')} good" if "good" in found else ""]
        return ", ".join(part for part in parts if part) or "none"

    def comparison_text(self) -> str:
        if self.summary.comparison:
            return f"Changes are against {self.summary.comparison}."
        return ("There is no earlier period of the same length in the data, so levels are judged without changes "
                "against a previous period.")


def headline_kpis(reader: WarehouseReader, filters: Filters) -> list[HeadlineKpi]:
    """The KPI cards of HEADLINE_KPIS, each text from its tab's registered function (one call per group of cards, as
    the tab makes it); a card whose query fails reads "–" and the rest are still made."""
    out: list[HeadlineKpi] = []
    for tab_id, kpi_ids in HEADLINE_KPIS:
        items, _ids = registry(reader, tab_module(tab_id))
        texts: dict[int, dict] = {}
        for kpi_id in kpi_ids:
            item = items[kpi_id]
            try:
                key = id(item["texts"])
                if key not in texts:
                    texts[key] = item["texts"](filters)
                value, detail, *_colour = texts[key][kpi_id]
            except Exception as exc:  # one failed query must not cost the executive the whole summary
                log.exception("executive KPI %s failed", kpi_id)
                value, detail = "–", f"could not be loaded ({type(exc).__name__})"
            out.append(HeadlineKpi(Kpi(item.get("label", kpi_id), value, detail), TABS.get(tab_id, tab_id)))
    return out


def executive_content(reader: WarehouseReader, view: View) -> ExecutiveContent:
    return ExecutiveContent(headline_kpis(reader, view.filters), collect_findings(reader, view.filters),
                            [text for text, *_ in chip_texts(view.filters)], reader.date_bounds()[1],
                            datetime.now().astimezone(), list(view.notices))


def executive_report_html(reader: WarehouseReader, view: View, content: ExecutiveContent | None = None) -> str:
    """The summary as an HTML page (the one the PDF is made from; its stylesheet is reports/templates/report.css)."""
    content = content or executive_content(reader, view)
    return _ENV.get_template("executive.html").render(
        title=TITLE, c=content, tabs=TABS, words=SEVERITY_WORDS)


def executive_report_pdf(reader: WarehouseReader, view: View) -> bytes:
    """The summary as an A4 PDF (WeasyPrint), one or two pages. No charts: no browser is needed."""
    from reports.weasy import HTML  # imported here: loading Pango costs time the dashboard does not need to pay

    return HTML(string=executive_report_html(reader, view), base_url=str(TEMPLATES)).write_pdf()


def executive_summary_text(reader: WarehouseReader, view: View, content: ExecutiveContent | None = None) -> str:
    """The summary as plain text, for an email body: the same numbers and sentences as the PDF."""
    c = content or executive_content(reader, view)
    lines = [f"Customer Insight · {TITLE}", f"Data up to {c.newest:%d %b %Y}.",
             f"Filters: {' · '.join(c.chips)}"]
    lines += [f"Note: {notice}" for notice in c.notices]
    lines += ["", f"Findings: {c.counts()}. {c.comparison_text()}", "", "HEADLINE NUMBERS"]
    lines += [f"- {h.kpi.label}: {h.kpi.value} ({h.kpi.detail}) [{h.tab} tab]" for h in c.kpis]
    lines += ["", "KEY FINDINGS"]
    lines += [f"- [{SEVERITY_WORDS[f.severity].upper()}] {f.topic}: {f.text} [{TABS.get(f.tab, f.tab)} tab]"
              for f in c.summary.findings]
    if c.actions:
        lines += ["", "RECOMMENDED ACTIONS"]
        lines += [f"{n}. {f.action} ({f.topic})" for n, f in enumerate(c.actions, start=1)]
    if c.summary.notes:
        lines += ["", "NOT JUDGED (TOO LITTLE DATA)"]
        lines += [f"- {note.topic}: {note.text}" for note in c.summary.notes]
    if c.summary.left_out:
        lines += ["", "Also checked, not shown for space: "
                  + "; ".join(f"{f.topic} ({SEVERITY_WORDS[f.severity].lower()})" for f in c.summary.left_out)
                  + "."]
    return "\n".join(lines) + "\n"
