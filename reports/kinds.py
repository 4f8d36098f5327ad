"""The PDF reports by kind, for the dashboard's download menu, the CLI (`report --kind`) and scheduled emails:
every kind reads the view (tab, filters, customer) of a dashboard URL or permalink."""

from __future__ import annotations

from collections.abc import Callable

from reports.pdf import Report, full_report_pdf, report_pdf
from reports.view import View, view_from_search
from warehouse.reader import WarehouseReader


def _tab(reader: WarehouseReader, view: View) -> bytes:
    return report_pdf(reader, view.tab, view.filters, view.customer)


def _executive(reader: WarehouseReader, view: View) -> bytes:
    from reports.executive import executive_report_pdf

    return executive_report_pdf(reader, view)


def _activity(reader: WarehouseReader, view: View) -> bytes:
    from reports.usage_activity import activity_report_pdf

    return activity_report_pdf(reader, view)


# kind -> builder (the menu's labels: dashapp/shell.py PDF_MENU)
KINDS: dict[str, Callable[[WarehouseReader, View], bytes]] = {
    "tab": _tab,
    "full": full_report_pdf,
    "executive": _executive,
    "activity": _activity,
}


def pdf_from_search(reader: WarehouseReader, url_or_search: str, kind: str = "tab") -> Report:
    """The PDF of a kind for a dashboard URL, a permalink or a query string; Report.tab_id is the tab for "tab",
    else the kind (it names the downloaded file)."""
    view = view_from_search(reader, url_or_search)
    return Report(KINDS[kind](reader, view), view.notices, view.tab if kind == "tab" else kind)
