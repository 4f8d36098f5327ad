"""The data behind a tab's view as an Excel workbook (XlsxWriter) and one card's data as CSV.

The frames are the ones the tab's own card builds read for the filters (reports.content.build_tab_data), written
as they are: no number computed a second way. The workbook has an "About" sheet (tab, newest data date, generation
date, the filters as the dashboard's chips print them, which sheet holds which card and query), then one sheet per
frame: bold frozen header, autofilter, widths from the content, typed cells. Formats: integers "#,##0", decimals
"#,##0.00", dates "yyyy-mm-dd" (with the time when there is one); a decimal column whose name holds "share" or
"rate" (not a "..._pct" one, those are already in percent) and whose values all lie in 0..1 as "0.0%".
Text is always written as text: a formula-looking string (=, +, -, @ ...) never becomes a formula in the
workbook, and is prefixed with a single quote in CSV, where there are no types to keep it from being one.
Table cards the tab shows a page at a time (reports.exports.FULL_TABLES) get every row that matches the filters, up to
Excel's row limit (the About sheet says so); sheets are written row by row in XlsxWriter's constant-memory mode, so a
sheet of a million rows does not hold a million rows of cell objects in memory."""

from __future__ import annotations

import io
import math
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

import numpy as np
import pandas as pd
import xlsxwriter
from xlsxwriter.worksheet import Worksheet

from appstate.cells import spreadsheet_safe
from dashapp.figures.common import is_missing
from dashapp.shell import chip_texts
from reports.content import CardData, TabData, build_tab_data
from reports.view import ReportError, view_from_search
from warehouse.filters import Filters
from warehouse.reader import WarehouseReader

# A tab's workbook holds at most this many rows of a full table: 1M tickets took 110 s, 97 MB and 2 GB of server
# memory at scale M (one user's click); the card's CSV (Export data) streams every row in constant memory.
WORKBOOK_TABLE_ROWS = 100_000
MAX_ROWS = 1_048_575  # Excel's sheet size less the header row
_SLICE_ROWS = 20_000
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")


@dataclass
class Export:
    data: bytes
    notices: list[str]  # parts of the URL that were dropped, as the dashboard would show them
    tab_id: str


def excel_from_search(reader: WarehouseReader, url_or_search: str) -> Export:
    """The workbook of the tab a dashboard URL shows, with that URL's filters."""
    from reports.exports import use_full_tables  # not at the top: reports.exports writes with this module

    view = view_from_search(reader, url_or_search)
    data = build_tab_data(reader, view.tab, view.filters, customer=view.customer)
    notes = use_full_tables(reader, data, view.filters, max_rows=WORKBOOK_TABLE_ROWS)
    return Export(workbook_bytes(data, view.filters, reader.date_bounds()[1], notes), view.notices, view.tab)


def csv_from_search(reader: WarehouseReader, url_or_search: str, card: str) -> Export:
    """CSV of one card's data: `card` is a card id (its first query) or `<card id>:<n>` for its n-th query."""
    from reports.exports import full_table_chunks  # not at the top: reports.exports writes with this module

    view = view_from_search(reader, url_or_search)
    tab_id, notices = view.tab, view.notices
    card_id, _, number = card.partition(":")
    full = full_table_chunks(reader, tab_id, card_id, view.filters) if number in ("", "1") else None
    if full is not None:  # a table card: every row that matches the filters, not the page the tab shows
        return Export(b"".join(csv_chunks(full)), notices, tab_id)
    data = build_tab_data(reader, tab_id, view.filters, customer=view.customer)
    found = next((c for c in data.cards if c.card_id == card_id), None)
    if found is None:
        raise ReportError(f"unknown card '{card_id[:60]}' on the {tab_id} tab; cards: "
                          f"{', '.join(c.card_id for c in data.cards)}")
    if found.error:
        raise ReportError(f"card '{card_id}' {found.error}")
    index = int(number) - 1 if number.isdigit() else 0
    if not 0 <= index < len(found.frames):
        raise ReportError(f"card '{card_id}' reads {len(found.frames)} queries: "
                          f"{', '.join(f'{card_id}:{n}' for n in range(1, len(found.frames) + 1))}")
    return Export(csv_bytes(found.frames[index][1]), notices, tab_id)


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """UTF-8 with a BOM (Excel then reads the accents right), formula-looking text prefixed with a quote."""
    return _escaped(frame).to_csv(index=False, lineterminator="\r\n").encode("utf-8-sig")


def csv_chunks(frames: Iterable[pd.DataFrame]) -> Iterator[bytes]:
    """One CSV, as csv_bytes writes it, from frames that continue one another (the chunks of one query result):
    the BOM and the header come with the first, so a big export is sent while it is read."""
    for number, frame in enumerate(frames):
        text = _escaped(frame).to_csv(index=False, header=number == 0, lineterminator="\r\n")
        yield text.encode("utf-8-sig" if number == 0 else "utf-8")


def _escaped(frame: pd.DataFrame) -> pd.DataFrame:
    escaped = frame.copy()
    for column in escaped.columns:
        if escaped[column].dtype == object or pd.api.types.is_string_dtype(escaped[column]):
            escaped[column] = escaped[column].map(
                lambda v: spreadsheet_safe(v) if isinstance(v, str) else v)
    return escaped


def new_workbook(target: str | Path | IO[bytes]) -> xlsxwriter.Workbook:
    """A workbook that writes every string as the string it is (no option turns text into formulas, numbers or
    links), sheet by sheet in constant memory: rows must be written in order (write_frame, write_frames do)."""
    return xlsxwriter.Workbook(target, {"constant_memory": True, "strings_to_formulas": False,
                                        "strings_to_numbers": False, "strings_to_urls": False})


def workbook_bytes(data: TabData, filters: Filters, newest: date, notes: dict[str, str] | None = None) -> bytes:
    """The workbook of a tab's data; `notes` (card id -> text) are printed next to the card in the About sheet."""
    buffer = io.BytesIO()
    book = new_workbook(buffer)
    names = SheetNames()
    about = book.add_worksheet(names.add("About"))
    sheets: list[tuple[str, CardData, str, pd.DataFrame]] = []
    for card in data.cards:
        for name, frame in card.frames:
            title = card.title if len(card.frames) == 1 else f"{card.title} - {name.rsplit('/', 1)[-1]}"
            sheets.append((names.add(title), card, name, frame))
    _write_about(book, about, data, filters, newest, sheets, notes or {})
    for sheet_name, _card, _query, frame in sheets:
        write_frame(book, book.add_worksheet(sheet_name), frame)
    book.close()
    return buffer.getvalue()


class SheetNames:
    """Excel sheet names: at most 31 characters, none of []:*?/\\, not starting or ending with a quote, unique
    without regard to case ("History" is Excel's own)."""

    def __init__(self) -> None:
        self.used = {"history"}

    def add(self, wanted: str) -> str:
        base = _BAD_SHEET_CHARS.sub("-", wanted).strip().strip("'") or "Sheet"
        name, number = base[:31], 1
        while name.lower() in self.used:
            number += 1
            suffix = f" ({number})"
            name = base[: 31 - len(suffix)] + suffix
        self.used.add(name.lower())
        return name


def _write_about(book: xlsxwriter.Workbook, sheet: Worksheet, data: TabData, filters: Filters, newest: date,
                 sheets: list[tuple[str, CardData, str, pd.DataFrame]], notes: dict[str, str]) -> None:
    bold = book.add_format({"bold": True})
    day = book.add_format({"num_format": "yyyy-mm-dd", "align": "left"})
    stamp = book.add_format({"num_format": "yyyy-mm-dd hh:mm", "align": "left"})
    sheet.write_string(0, 0, f"Customer Insight – {data.label}", book.add_format({"bold": True, "font_size": 14}))
    sheet.write_string(1, 0, "Tab", bold)
    sheet.write_string(1, 1, data.label)
    sheet.write_string(2, 0, "Data up to", bold)
    sheet.write_datetime(2, 1, datetime(newest.year, newest.month, newest.day), day)
    sheet.write_string(3, 0, "Generated", bold)
    sheet.write_datetime(3, 1, datetime.now().replace(second=0, microsecond=0), stamp)
    sheet.write_string(4, 0, "Filters", bold)
    row = 4
    for text, *_rest in chip_texts(filters):
        sheet.write_string(row, 1, text)
        row += 1
    row += 1
    for column, header in enumerate(["Sheet", "Card", "Card id", "Query", "Rows"]):  # notes: next to the rows
        sheet.write_string(row, column, header, bold)
    for sheet_name, card, query, frame in sheets:
        row += 1
        for column, value in enumerate([sheet_name, card.title, card.card_id, query]):
            sheet.write_string(row, column, value)
        sheet.write_number(row, 4, len(frame))
        if card.card_id in notes:
            sheet.write_string(row, 5, notes[card.card_id])
        elif len(frame) > MAX_ROWS:
            sheet.write_string(row, 5, f"only the first {MAX_ROWS:,} rows fit in a sheet")
    for card in data.cards:
        if card.error:
            row += 1
            sheet.write_string(row, 0, f"{card.title} ({card.card_id}) {card.error}")
    if data.missing:
        row += 1
        sheet.write_string(row, 0, "Not in the export yet: " + ", ".join(data.missing))
    sheet.set_column(0, 0, 24)
    sheet.set_column(1, 3, 36)
    sheet.set_column(5, 5, 60)


def write_frame(book: xlsxwriter.Workbook, sheet: Worksheet, frame: pd.DataFrame) -> None:
    """One frame on a sheet: bold frozen header, autofilter, typed and formatted cells, widths from content."""
    write_frames(book, sheet, [frame])


def write_frames(book: xlsxwriter.Workbook, sheet: Worksheet, frames: Iterable[pd.DataFrame],
                 max_rows: int = MAX_ROWS) -> tuple[int, bool]:
    """Frames that continue one another (the chunks of one query result) on one sheet, as write_frame writes one,
    row by row; formats and widths from the first frame. At most `max_rows` rows: returns the rows written and
    whether more rows were left out."""
    columns: list[Any] | None = None
    formats: list[Any] = []
    written = 0
    for frame in frames:
        if columns is None:
            columns = list(frame.columns)
            if not columns:
                sheet.write_string(0, 0, "(no columns)")
                return 0, False
            header = book.add_format({"bold": True, "bottom": 1})
            for index, column in enumerate(columns):
                sheet.write_string(0, index, str(column), header)
                sheet.set_column(index, index, _width(str(column), frame[column]))
            formats = [book.add_format({"num_format": _number_format(str(c), frame[c])}) for c in columns]
        room = max_rows - written
        left_out = len(frame) > room
        for start in range(0, min(len(frame), room), _SLICE_ROWS):  # Python objects for a slice at a time only
            part = frame.iloc[start:min(start + _SLICE_ROWS, room)]
            for values in zip(*(part[c].tolist() for c in columns), strict=True):
                written += 1
                for index, value in enumerate(values):
                    _write_cell(sheet, written, index, value, formats[index])
        if left_out:
            break
    else:
        left_out = False
    if columns is None:
        sheet.write_string(0, 0, "(no columns)")
        return 0, False
    sheet.freeze_panes(1, 0)
    sheet.autofilter(0, 0, written, len(columns) - 1)
    return written, left_out


def _number_format(name: str, series: pd.Series) -> str:
    if pd.api.types.is_bool_dtype(series):
        return "General"
    if pd.api.types.is_integer_dtype(series):
        return "#,##0"
    if pd.api.types.is_float_dtype(series):
        lowered, values = name.lower(), series.dropna()
        if ("share" in lowered or "rate" in lowered) and not lowered.endswith("pct") \
                and len(values) and values.between(0, 1).all():
            return "0.0%"
        return "#,##0.00"
    if pd.api.types.is_datetime64_any_dtype(series):
        values = series.dropna()
        values = values.dt.tz_localize(None) if values.dt.tz is not None else values
        with_time = bool((values != values.dt.normalize()).any())
        return "yyyy-mm-dd hh:mm" if with_time else "yyyy-mm-dd"
    if series.map(lambda v: isinstance(v, date) and not isinstance(v, datetime)).any():
        return "yyyy-mm-dd"
    return "General"


def _write_cell(sheet: Worksheet, row: int, column: int, value: Any, cell_format: Any) -> None:
    if is_missing(value):
        return
    if isinstance(value, bool | np.bool_):
        sheet.write_boolean(row, column, bool(value))
    elif isinstance(value, int | float | np.integer | np.floating | Decimal):
        number = float(value)
        if math.isfinite(number):
            sheet.write_number(row, column, number, cell_format)
        else:
            sheet.write_string(row, column, str(value))
    elif isinstance(value, datetime):  # pd.Timestamp too; Excel has no time zones
        sheet.write_datetime(row, column, value.replace(tzinfo=None), cell_format)
    elif isinstance(value, date):
        sheet.write_datetime(row, column, datetime(value.year, value.month, value.day), cell_format)
    elif isinstance(value, list | tuple | np.ndarray):
        sheet.write_string(row, column, ", ".join(str(v) for v in value))
    else:
        sheet.write_string(row, column, str(value)[:32767])  # a string cell, never a formula


def _width(name: str, series: pd.Series) -> float:
    sample = series.head(500).map(lambda v: "" if v is None else str(v))
    longest = max([len(name), *sample.map(len).tolist()])
    return float(min(max(longest + 2, 8), 60))
