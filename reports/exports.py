"""Exports of whole tables and raw records, as CSV or Excel.

- Full tables: the table cards the dashboard shows a page at a time (FULL_TABLES: card id -> the query in
  sql/queries/exports/ that reads every row the card's own query pages through, with the same snippet, columns and
  order). The tab's workbook (reports.excel.excel_from_search) and the card's CSV hold all of them.
- Raw records (DATASETS): interactions, usage events, tickets, reviews and orders as loaded and enriched, filtered by
  the dashboard's filters (the customer filters choose the teams; the record filters apply where they apply on the
  tabs), optionally by teams (customer ids), users (usage events only) and a period (default: the filters' range).

Rows are read in chunks (warehouse.stream) and written as they come: a CSV of millions of usage events never sits
in memory. Excel holds at most reports.excel.MAX_ROWS rows per sheet; the About sheet says when rows were left out.
Decisions: docs/exports.md."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path
from typing import IO, Any

import pandas as pd

from dashapp.shell import chip_texts
from reports.content import TabData
from reports.excel import MAX_ROWS, csv_chunks, new_workbook, write_frames
from reports.view import ReportError, view_from_search
from warehouse.filters import Filters
from warehouse.reader import WarehouseReader
from warehouse.stream import query_chunks

log = logging.getLogger(__name__)

MAX_IDS = 200  # teams or users in one export: more is a different question (use the customer filters)
MAX_ID_CHARS = 200
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


class ExportError(ValueError):
    """An export that cannot be made as asked (unknown team, a date that is not one, ...): the message says why."""


@dataclass(frozen=True)
class FullTable:
    tab: str    # the tab the card is on
    query: str  # every row of the card's table


FULL_TABLES: dict[str, FullTable] = {
    "support-tickets": FullTable("support", "exports/tickets_table"),
    "product-reviews": FullTable("product", "exports/reviews_table"),
}


@dataclass(frozen=True)
class Dataset:
    name: str
    label: str
    query: str
    has_users: bool  # only usage events belong to a user of the team
    applies: str     # which filters apply, for the About sheet and the dialog


DATASETS: dict[str, Dataset] = {d.name: d for d in [
    Dataset("interactions", "Interactions", "exports/interactions", False,
            "interaction date in the period; customer filters; interaction type"),
    Dataset("usage", "Usage events", "exports/usage_events", True,
            "event date in the period; customer filters choose the teams; users"),
    Dataset("tickets", "Tickets", "exports/tickets", False, "ticket date in the period; customer filters"),
    Dataset("reviews", "Reviews", "exports/reviews", False,
            "review date in the period; customer filters; review language"),
    Dataset("orders", "Orders", "exports/orders", False, "order date in the period; customer filters"),
]}


# ---------------------------------------------------------------- full tables

def full_table_chunks(reader: WarehouseReader, tab_id: str, card_id: str,
                      filters: Filters) -> Iterator[pd.DataFrame] | None:
    """Every row of a table card for the filters, in chunks; None when the card is no full table of that tab."""
    table = FULL_TABLES.get(card_id)
    if table is None or table.tab != tab_id:
        return None
    return query_chunks(reader, table.query, filters)


def use_full_tables(reader: WarehouseReader, data: TabData, filters: Filters,
                    max_rows: int = MAX_ROWS) -> dict[str, str]:
    """Replace the page a table card shows by every row that matches the filters (at most `max_rows`); returns a
    note per replaced card for the About sheet."""
    notes: dict[str, str] = {}
    for card in data.cards:
        chunks = full_table_chunks(reader, data.tab_id, card.card_id, filters)
        if chunks is None or card.error:
            continue
        frame, left_out = _collect(chunks, max_rows)
        card.frames = [(FULL_TABLES[card.card_id].query, frame)]
        notes[card.card_id] = (
            f"more rows match than this workbook holds: only the first {max_rows:,} are here; the card's CSV "
            "(Export data) has them all" if left_out
            else "every row that matches the filters (the tab shows them a page at a time)")
    return notes


def _collect(chunks: Iterable[pd.DataFrame], max_rows: int) -> tuple[pd.DataFrame, bool]:
    """The first `max_rows` rows of chunked results, and whether there were more."""
    kept: list[pd.DataFrame] = []
    rows = 0
    for chunk in chunks:
        if rows + len(chunk) > max_rows:
            kept.append(chunk.head(max_rows - rows))
            return pd.concat(kept, ignore_index=True), True
        kept.append(chunk)
        rows += len(chunk)
    return pd.concat(kept, ignore_index=True), False


# ---------------------------------------------------------------- raw records

@dataclass(frozen=True)
class RawExport:
    """A checked request for raw records: the dataset, the filters with the period as their date range, teams and
    users (empty = all), and the notices about parts of the dashboard URL that were dropped."""
    dataset: Dataset
    filters: Filters
    teams: tuple[str, ...] = ()
    users: tuple[str, ...] = ()
    notices: tuple[str, ...] = ()

    def params(self) -> dict[str, Any]:
        return {"team_ids": list(self.teams) or None, "user_ids": list(self.users) or None}

    def file_name(self, suffix: str) -> str:
        """Built from checked parts only: a dataset name of DATASETS and ISO dates."""
        return (f"customer-insight-{self.dataset.name}-{self.filters.date_from:%Y-%m-%d}-"
                f"{self.filters.date_to:%Y-%m-%d}.{suffix}")


def parse_date(value: str | date | None, what: str) -> date | None:
    """A YYYY-MM-DD date, or None for none given; anything else is an ExportError naming `what`."""
    if value is None or isinstance(value, date):
        return value
    text = value.strip()
    if not text:
        return None
    try:
        if not _ISO_DATE.fullmatch(text):
            raise ValueError(text)
        return date.fromisoformat(text)
    except ValueError:
        raise ExportError(f"{what}: '{text[:40]}' is not a date; write it as YYYY-MM-DD") from None


def raw_export(reader: WarehouseReader, dataset: str, search: str = "", teams: Iterable[str] = (),
               users: Iterable[str] = (), date_from: str | date | None = None,
               date_to: str | date | None = None) -> RawExport:
    """Check a raw-records request: `search` is a dashboard URL or query string (its filters; its tab does not
    matter), `teams` customer ids, `users` user ids (usage events only), the period's ends (default: the range of
    the filters). Every problem is an ExportError with a message for the user."""
    spec = DATASETS.get(dataset)
    if spec is None:
        raise ExportError(f"unknown dataset '{str(dataset)[:40]}'; datasets: {', '.join(DATASETS)}")
    try:
        view = view_from_search(reader, search)
    except ReportError as exc:
        raise ExportError(str(exc)) from None
    team_ids, user_ids = _ids(teams, "team"), _ids(users, "user")
    if user_ids and not spec.has_users:
        raise ExportError(f"{spec.label.lower()} have no users: a user applies to usage events only")
    start = parse_date(date_from, "start of the period") or view.filters.date_from
    end = parse_date(date_to, "end of the period") or view.filters.date_to
    if start > end:
        raise ExportError(f"the period ends ({end}) before it starts ({start})")
    if team_ids:
        known = set(reader.query("exports/teams", team_ids=list(team_ids))["customer_id"])
        unknown = [t for t in team_ids if t not in known]
        if unknown:
            raise ExportError(f"unknown team(s): {_listed(unknown)} (a team is a customer id)")
    if user_ids:
        found = reader.query("exports/users", team_ids=list(team_ids) or None, user_ids=list(user_ids), search=None,
                             limit=len(user_ids) * MAX_IDS)
        known = set(found["user_id"])
        unknown = [u for u in user_ids if u not in known]
        if unknown:
            where = " of the chosen team(s)" if team_ids else ""
            raise ExportError(f"unknown user(s){where}: {_listed(unknown)}")
    return RawExport(spec, replace(view.filters, date_from=start, date_to=end), team_ids, user_ids,
                     tuple(view.notices))


def _ids(values: Iterable[str], what: str) -> tuple[str, ...]:
    ids = tuple(dict.fromkeys(v.strip() for v in values if v and v.strip()))
    if len(ids) > MAX_IDS:
        raise ExportError(f"at most {MAX_IDS} {what}s in one export ({len(ids)} given)")
    too_long = [v for v in ids if len(v) > MAX_ID_CHARS]
    if too_long:
        raise ExportError(f"a {what} id is at most {MAX_ID_CHARS} characters")
    return ids


def _listed(values: list[str]) -> str:
    shown = ", ".join(f"'{v[:40]}'" for v in values[:5])
    return shown + (f" and {len(values) - 5} more" if len(values) > 5 else "")


def raw_chunks(reader: WarehouseReader, export: RawExport) -> Iterator[pd.DataFrame]:
    return query_chunks(reader, export.dataset.query, export.filters, **export.params())


def raw_csv(reader: WarehouseReader, export: RawExport) -> Iterator[bytes]:
    """The CSV (UTF-8 with BOM, formula-looking text quote-prefixed) in pieces, as the rows are read."""
    return csv_chunks(raw_chunks(reader, export))


def raw_workbook(reader: WarehouseReader, export: RawExport, target: str | Path | IO[bytes],
                 max_rows: int = MAX_ROWS) -> tuple[int, bool]:
    """The Excel file: an About sheet (dataset, filters, period, teams, users, rows) and the records (typed cells,
    bold frozen header, autofilter). Returns the rows written and whether rows were left out (Excel's limit)."""
    book = new_workbook(target)
    about = book.add_worksheet("About")
    written, left_out = write_frames(book, book.add_worksheet(export.dataset.label), raw_chunks(reader, export),
                                     max_rows)
    bold = book.add_format({"bold": True})
    cell_formats = {date: book.add_format({"num_format": "yyyy-mm-dd", "align": "left"}),
                    datetime: book.add_format({"num_format": "yyyy-mm-dd hh:mm", "align": "left"}),
                    int: book.add_format({"num_format": "#,##0", "align": "left"})}
    about.write_string(0, 0, f"Customer Insight – {export.dataset.label}",
                       book.add_format({"bold": True, "font_size": 14}))
    facts: list[tuple[str, object]] = [
        ("Dataset", export.dataset.label), ("Data up to", reader.date_bounds()[1]),
        ("Generated", datetime.now().replace(second=0, microsecond=0)),
        ("Period", f"{export.filters.date_from:%Y-%m-%d} to {export.filters.date_to:%Y-%m-%d}"),
        ("Filters", [text for text, *_rest in chip_texts(export.filters)[1:]] or ["none"]),
        ("Teams", list(export.teams) or ["all teams the filters keep"]),
        ("Users", list(export.users) or ["all"]),
        ("What applies", export.dataset.applies),
        ("Rows", written),
    ]
    if left_out:
        facts.append(("Note", f"more rows match than fit in a sheet: only the first {max_rows:,} are here; the CSV "
                              "export has them all"))
    facts += [("Notice", notice) for notice in export.notices]
    row = 1
    for label, value in facts:
        about.write_string(row, 0, label, bold)
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, datetime):
                about.write_datetime(row, 1, item, cell_formats[datetime])
            elif isinstance(item, date):
                about.write_datetime(row, 1, datetime(item.year, item.month, item.day), cell_formats[date])
            elif isinstance(item, int):
                about.write_number(row, 1, item, cell_formats[int])
            else:
                about.write_string(row, 1, str(item))
            row += 1
    about.set_column(0, 0, 16)
    about.set_column(1, 1, 60)
    book.close()
    return written, left_out


# ---------------------------------------------------------------- one card's CSV, streamed

def safe_name(text: str) -> str:
    """A piece of a download file name: letters, digits, dot, dash and underscore only."""
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", text).strip(".-")[:80] or "export"


def card_csv(reader: WarehouseReader, search: str, card: str) -> tuple[Iterator[bytes], str]:
    """One card's CSV for a dashboard view, in pieces, and the tab id: a full table streamed as it is read, any other
    card through reports.excel.csv_from_search (its frames are small)."""
    from reports.excel import csv_from_search

    view = view_from_search(reader, search)
    card_id, _, number = card.partition(":")
    chunks = full_table_chunks(reader, view.tab, card_id, view.filters) if number in ("", "1") else None
    if chunks is not None:
        return csv_chunks(chunks), view.tab
    return iter([csv_from_search(reader, search, card).data]), view.tab
