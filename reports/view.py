"""What a report shows: the tab, filters and customer of a dashboard URL, read exactly as the dashboard reads it."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial
from urllib.parse import parse_qs, urlsplit

from dashapp.shell import customer_exists, filter_options
from dashapp.state import TABS, parse_search
from warehouse.filters import Filters
from warehouse.reader import WarehouseReader


class ReportError(Exception):
    """A report that cannot be made (unknown tab, no browser for the charts): the message says why."""


@dataclass(frozen=True)
class View:
    tab: str
    filters: Filters
    customer: str | None = None  # the Customer tab's customer (the account report's subject)
    notices: list[str] = field(default_factory=list)  # parts of the URL that were dropped, as the dashboard shows


def search_of(url_or_search: str) -> str:
    """The query string of a full URL, of "?a=b" or of "a=b"."""
    return urlsplit(url_or_search).query if "://" in url_or_search else url_or_search.split("?", 1)[-1]


def resolve_link(url_or_search: str) -> str:
    """A permalink (…/s/<code>) as the dashboard URL it stands for; any other URL as it is."""
    path = urlsplit(url_or_search).path if "://" in url_or_search else url_or_search.split("?", 1)[0]
    if path.rstrip("/").rsplit("/", 2)[-2:-1] != ["s"]:
        return url_or_search
    from appstate.db import open_store  # the app-state database: only needed for permalinks
    from appstate.permalinks import ProtectedPermalink, resolve_permalink
    from config.settings import load_settings

    code = path.rstrip("/").rsplit("/", 1)[-1]
    try:
        search = resolve_permalink(open_store(load_settings()), code)
    except ProtectedPermalink:
        # No --password: a password typed on a command line stays in the shell's history and the process list. The
        # person who has it opens the link in the dashboard and gives the report the address it leads to.
        raise ReportError(f"permalink '{code}' is protected by a password: open it in the dashboard (with its "
                          "password) and give the address it opens, http://…/?tab=…, to --url instead") from None
    if search is None:
        raise ReportError(f"unknown permalink '{code[:20]}'")
    return search


def view_from_search(reader: WarehouseReader, url_or_search: str) -> View:
    """The view of a dashboard URL, a permalink or a query string, as the dashboard reads it; an unknown tab is an
    error here: a report asked for by name must not fall back to Overview as the dashboard does."""
    search = search_of(resolve_link(url_or_search))
    tabs = parse_qs(search).get("tab") or ["overview"]
    if tabs[0] not in TABS:
        raise ReportError(f"unknown tab '{tabs[0][:60]}'; tabs: {', '.join(TABS)}")
    state, notices = parse_search(search, filter_options(reader), partial(customer_exists, reader))
    return View(state.tab, state.filters(reader.date_bounds()), state.customer, notices)
