"""Download routes on the dashboard's Flask server, for exports too big for a Dash callback (its JSON answer would
carry the whole file, base64-encoded, through the browser's memory):

    GET /export/<dataset>.csv|xlsx?<dashboard query string>&team=ID&user=ID&period_from=D&period_to=D
        raw records (reports.exports.DATASETS): interactions, usage, tickets, reviews, orders
    GET /export/card.csv?card=<card id>&<dashboard query string>     one card's data (a table card: every row)
    GET /export/view.xlsx?<dashboard query string>                    the tab's workbook (tables: every row)

The dashboard query string is the page's own (tab, range, from, to, segment, ...), read as the dashboard reads it;
team, user, period_from, period_to and card are the export's own keys. CSV is streamed as the rows are read. Every
parameter is checked first: an unknown file is a 404, a bad value a 400 with a plain-text reason. The download's
file name is built here from checked parts, never taken from the request."""

from __future__ import annotations

import logging
import re
import tempfile
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from urllib.parse import parse_qsl, urlencode

from flask import Flask, Response, request, send_file

from reports.exports import DATASETS, ExportError, card_csv, raw_csv, raw_export, raw_workbook, safe_name
from reports.view import ReportError
from warehouse.reader import WarehouseReader, WarehouseUnavailable

log = logging.getLogger(__name__)

ROUTE = "/export/<path:name>"  # any path below /export/ is ours: 404 unless a known file
OWN_KEYS = ("team", "user", "period_from", "period_to", "card")
_FILE = re.compile(r"(?P<stem>[a-z]{1,20})\.(?P<suffix>csv|xlsx)")
CSV_TYPE = "text/csv"  # Flask adds "; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class BadRequest(Exception):
    pass


def split_query(query_string: bytes) -> tuple[dict[str, list[str]], str]:
    """The export's own keys and the rest: the dashboard's query string, unchanged in order."""
    try:
        pairs = parse_qsl(query_string.decode("ascii"), keep_blank_values=False, max_num_fields=1000,
                          errors="strict")  # a %-escape that is no UTF-8 is an error, not a silent "�"
    except (UnicodeDecodeError, ValueError) as exc:
        raise BadRequest("the query string cannot be read (not UTF-8, or more than 1,000 fields)") from exc
    own: dict[str, list[str]] = {key: [] for key in OWN_KEYS}
    rest = []
    for key, value in pairs:
        if key in own:
            own[key].append(value)
        else:
            rest.append((key, value))
    return own, urlencode(rest)


def register_routes(server: Flask, reader: WarehouseReader) -> None:
    @server.route("/export/", defaults={"name": ""}, methods=["GET"])
    @server.route(ROUTE, methods=["GET"])
    def export_file(name: str) -> Response:
        match = _FILE.fullmatch(name)
        stem, suffix = (match["stem"], match["suffix"]) if match else ("", "")
        if not match or not (stem in DATASETS or (stem, suffix) in {("card", "csv"), ("view", "xlsx")}):
            files = ", ".join([f"{d}.csv, {d}.xlsx" for d in DATASETS] + ["card.csv", "view.xlsx"])
            return _text(f"No such export. Exports: {files}.", 404)
        try:
            own, search = split_query(request.query_string)
            if stem == "view":
                return _view_workbook(reader, search)
            if stem == "card":
                return _card_csv(reader, search, own["card"])
            return _raw(reader, stem, suffix, search, own)
        except (BadRequest, ExportError, ReportError) as exc:
            return _text(f"The export could not be made: {exc}", 400)
        except WarehouseUnavailable as exc:
            return _text(f"The warehouse cannot be read: {exc}", 503)


def _raw(reader: WarehouseReader, dataset: str, suffix: str, search: str, own: dict[str, list[str]]) -> Response:
    for key in ("period_from", "period_to"):
        if len(own[key]) > 1:
            raise BadRequest(f"{key} is given {len(own[key])} times")
    export = raw_export(reader, dataset, search, own["team"], own["user"],
                        (own["period_from"] or [None])[0], (own["period_to"] or [None])[0])
    if suffix == "csv":
        return _stream(raw_csv(reader, export), export.file_name("csv"))
    # XlsxWriter writes the zip at the end: the file is made in a temporary folder, sent, then removed.
    folder = tempfile.TemporaryDirectory(prefix="ci-export-")
    path = Path(folder.name) / export.file_name("xlsx")
    try:
        raw_workbook(reader, export, str(path))
        response = send_file(path, mimetype=XLSX_TYPE, as_attachment=True, download_name=path.name, max_age=0)
    except BaseException:
        folder.cleanup()
        raise
    response.call_on_close(folder.cleanup)
    return response


def _card_csv(reader: WarehouseReader, search: str, cards: list[str]) -> Response:
    if len(cards) != 1 or not cards[0].strip():
        raise BadRequest("give one card: card=<card id> (the About sheet of the tab's Excel file lists them)")
    card = cards[0].strip()[:120]
    chunks, tab_id = card_csv(reader, search, card)
    return _stream(chunks, f"customer-insight-{tab_id}-{safe_name(card.replace(':', '-'))}-{date.today():%Y-%m-%d}.csv")


def _view_workbook(reader: WarehouseReader, search: str) -> Response:
    from reports.excel import excel_from_search

    made = excel_from_search(reader, search)
    response = Response(made.data, mimetype=XLSX_TYPE)
    response.headers["Content-Disposition"] = \
        f'attachment; filename="customer-insight-{made.tab_id}-{date.today():%Y-%m-%d}.xlsx"'
    response.headers["Cache-Control"] = "no-store"
    return response


def _stream(chunks: Iterator[bytes], file_name: str) -> Response:
    # The first piece is made before the answer starts: the query has run, so a failure is still an error status
    # rather than a file cut short under a 200.
    first = next(chunks, b"")

    def body() -> Iterator[bytes]:
        try:
            yield first
            yield from chunks
        finally:
            close = getattr(chunks, "close", None)
            if close is not None:  # a client gone mid-download: stop the query and close its cursor
                close()

    response = Response(body(), mimetype=CSV_TYPE)
    response.headers["Content-Disposition"] = f'attachment; filename="{file_name}"'
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def _text(message: str, status: int) -> Response:
    return Response(message + "\n", status=status, mimetype="text/plain")
