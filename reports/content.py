"""What a tab's report holds: its KPI and chart ids in layout order, rebuilt for the given filters through the
registry the tabs fill (dashapp.components.REPORT_ITEMS), so every number is the tab's own.

Cards of the Customer tab are about one customer (the account report): their builds take `customer=`, and a report
of that tab without a customer is a ReportError. Long server-side tables take `all_rows=`: the PDF prints their first
rows, the data export (build_tab_data) reads all of them."""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

import dash
import pandas as pd

from dashapp import components
from dashapp.tabs import TAB_MODULES
from reports.view import ReportError
from warehouse.filters import Filters
from warehouse.reader import WarehouseReader

log = logging.getLogger(__name__)
# REPORT_ITEMS is module-level and its builds close over the reader of the last registration: registering and
# taking the snapshot happen under one lock so that two reports at once (gunicorn threads) cannot mix readers.
_REGISTRY_LOCK = threading.Lock()
NO_CUSTOMER = "the account report needs a customer: pick one on the Customer tab (customer=<id> in the URL)"


@dataclass
class Kpi:
    label: str
    value: str
    detail: str


@dataclass
class Card:
    chart_id: str
    title: str
    help: str | None
    body: object  # a go.Figure or a Dash component (tables), or an error text


@dataclass
class TabReport:
    tab_id: str
    label: str
    kpis: list[Kpi] = field(default_factory=list)
    cards: list[Card] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # cards of the tab that reports cannot rebuild yet


def layout_item_ids(component: Any) -> list[str]:
    """Chart ids (`<id>-body`), KPI ids (`<id>-value`) and the ids of grids that load their rows from the server
    (they have no rows in the layout, so a report must rebuild them too) of a layout tree, in layout order, without
    repeats."""
    found: list[str] = []
    component_id = getattr(component, "id", None)
    if isinstance(component_id, str):
        for suffix in ("-body", "-value"):
            if component_id.endswith(suffix):
                found.append(component_id[: -len(suffix)])
        if getattr(component, "_type", "") == "AgGrid" and getattr(component, "rowModelType", None) == "infinite":
            found.append(component_id)
    children = getattr(component, "children", None)
    for child in children if isinstance(children, list | tuple) else [children]:
        if hasattr(child, "to_plotly_json"):
            found += [i for i in layout_item_ids(child) if i not in found]
    return found


def tab_module(tab_id: str) -> ModuleType | None:
    return next((m for m in TAB_MODULES if tab_id == m.TAB_ID), None)


def registry(reader: WarehouseReader, module: ModuleType) -> tuple[dict[str, dict[str, Any]], list[str]]:
    """The report items with builds bound to `reader`, and the tab's item ids in layout order."""
    with _REGISTRY_LOCK:
        # an app of its own for the callbacks to register on; no Flask server (a third of the cost), none is served
        module.register(dash.Dash(__name__, suppress_callback_exceptions=True, server=False), reader)
        ids = layout_item_ids(module.layout())  # chart_card/kpi_card record titles and labels
        return {i: dict(components.REPORT_ITEMS.get(i, {})) for i in ids}, ids


def build_tab_report(reader: WarehouseReader, tab_id: str, filters: Filters,
                     customer: str | None = None) -> TabReport:
    module = tab_module(tab_id)
    if module is None:
        raise KeyError(tab_id)
    items, ids = registry(reader, module)
    _check_customer(items, customer)
    report = TabReport(tab_id, _label(module, reader, customer))
    kpi_texts: dict[int, dict[str, tuple[str, ...]]] = {}  # one texts() call per KPI group, as in the tab
    for item_id in ids:
        item = items[item_id]
        if item.get("kind") == "kpi" and "texts" in item:
            key = id(item["texts"])
            try:
                if key not in kpi_texts:
                    kpi_texts[key] = item["texts"](filters)
                value, detail, *_colour = kpi_texts[key][item_id]
            except Exception as exc:  # one failed query prints its error; the rest of the report is still made
                log.exception("report KPI %s failed", item_id)
                value, detail = "–", f"could not be loaded ({type(exc).__name__})"
            report.kpis.append(Kpi(item.get("label", item_id), value, detail))
        elif item.get("kind") == "chart" and "build" in item:
            try:
                body: object = run_build(item, filters, customer, all_rows=False)
            except Exception as exc:
                log.exception("report chart %s failed", item_id)
                body = f"This chart could not be loaded: {type(exc).__name__}: {exc}"[:300]
            report.cards.append(Card(item_id, item.get("title", item_id), item.get("help"), body))
        else:
            report.missing.append(item.get("title") or item.get("label") or item_id)
    return report


def run_build(item: dict[str, Any], filters: Filters, customer: str | None, all_rows: bool) -> object:
    """Call a card's build with the keywords it was registered to take (register_report_item)."""
    keywords: dict[str, Any] = {}
    if item.get("per_customer"):
        keywords["customer"] = customer
    if item.get("paged"):
        keywords["all_rows"] = all_rows
    return item["build"](filters, **keywords)


def _check_customer(items: dict[str, dict[str, Any]], customer: str | None) -> None:
    if not customer and any(item.get("per_customer") for item in items.values()):
        raise ReportError(NO_CUSTOMER)


def _label(module: ModuleType, reader: WarehouseReader, customer: str | None) -> str:
    """The tab's label, or what the tab calls a report of it for a customer (the account's name and id)."""
    report_label = getattr(module, "report_label", None)
    if report_label is None or not customer:
        return module.LABEL
    label = report_label(reader, customer)
    if label is None:  # an id the URL parser would have dropped: only a direct call gets here
        raise ReportError(f"customer '{customer[:60]}' is not in the warehouse")
    return label


class RecordingReader:
    """A reader that hands every query on to the real one and records what it returned, in order: with it the
    tabs' own builds tell which frames are "the data behind" each card (what Excel and CSV exports write)."""

    def __init__(self, reader: WarehouseReader) -> None:
        self._reader = reader
        self.frames: list[tuple[str, pd.DataFrame]] = []
        self._paused = 0  # inside not_exported blocks

    def query(self, name: str, filters: Filters | None = None, **params: Any) -> pd.DataFrame:
        frame = self._reader.query(name, filters, **params)
        if not self._paused:
            self.frames.append((name, frame))
        return frame

    def export(self, name: str, frame: pd.DataFrame) -> None:
        """A frame computed from query results (dashapp.components.export_frame): data behind the card too."""
        self.frames.append((name, frame))

    @contextlib.contextmanager
    def paused(self) -> Iterator[None]:
        """Queries in this block are not recorded (dashapp.components.not_exported)."""
        self._paused += 1
        try:
            yield
        finally:
            self._paused -= 1

    def __getattr__(self, name: str) -> Any:  # date_bounds, version, cache...: the real reader's
        return getattr(self._reader, name)


@dataclass
class CardData:
    card_id: str  # the chart id, or "kpis" ("kpis-2", ...) for a group of KPI cards filled by one query set
    title: str
    frames: list[tuple[str, pd.DataFrame]]  # (query name, its result for the filters), in the order read
    error: str | None = None


@dataclass
class TabData:
    tab_id: str
    label: str
    cards: list[CardData] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)


def build_tab_data(reader: WarehouseReader, tab_id: str, filters: Filters,
                   customer: str | None = None) -> TabData:
    """The frames each card of a tab reads for `filters`, found by running the card's own build (the one the
    dashboard and the PDF use) with a recording reader: one number, one query. Long tables give all their rows."""
    module = tab_module(tab_id)
    if module is None:
        raise KeyError(tab_id)
    recorder = RecordingReader(reader)
    items, ids = registry(recorder, module)  # type: ignore[arg-type]  # duck-typed: the builds only query
    _check_customer(items, customer)
    data = TabData(tab_id, _label(module, reader, customer))
    done_groups: set[int] = set()
    for item_id in ids:
        item = items[item_id]
        if item.get("kind") == "kpi" and "texts" in item:
            if id(item["texts"]) in done_groups:
                continue
            done_groups.add(id(item["texts"]))
            card_id = "kpis" if len(done_groups) == 1 else f"kpis-{len(done_groups)}"
            title = "KPIs"
        elif item.get("kind") == "chart" and "build" in item:
            card_id, title = item_id, item.get("title", item_id)
        else:
            data.missing.append(item.get("title") or item.get("label") or item_id)
            continue
        recorder.frames = []
        error = None
        try:
            if item["kind"] == "kpi":
                item["texts"](filters)
            else:
                run_build(item, filters, customer, all_rows=True)
        except Exception as exc:  # one failed query is reported; the other cards are still exported
            log.exception("export of %s failed", card_id)
            error = f"could not be loaded: {type(exc).__name__}: {exc}"[:300]
        frames = [(name, frame) for name, frame in recorder.frames if not name.startswith("filters/")]
        data.cards.append(CardData(card_id, title, frames, error))
    return data
