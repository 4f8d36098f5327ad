"""`customer-insight export`: raw records (interactions, usage events, tickets, reviews, orders) as CSV or Excel, for
a dashboard URL's filters, teams, users and a period. Registered on the main command group in cli/main.py."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import click

EXIT_BAD_INPUT = 2  # as `customer-insight report`: a request that cannot be made, or no warehouse
DATASET_NAMES = ["interactions", "usage", "tickets", "reviews", "orders"]  # reports.exports.DATASETS, checked there


@click.command(help="Export raw records for the filters of a dashboard URL, optionally for some teams (customer "
                    "ids), users (usage events only) and a period. CSV (UTF-8 with BOM) or Excel, from the --out "
                    "suffix.")
@click.option("--dataset", required=True, type=click.Choice(DATASET_NAMES))
@click.option("--url", default="", help='A dashboard URL for its filters, e.g. "http://host/?range=90d&risk=High" '
                                        "(default: no filters, all time).")
@click.option("--team", "teams", multiple=True, help="A team (customer id); repeat for several. Default: all teams "
                                                    "the filters keep.")
@click.option("--user", "users", multiple=True, help="A user id (usage events only); repeat for several.")
@click.option("--from", "date_from", default=None, help="First day, YYYY-MM-DD (default: the URL's date range).")
@click.option("--to", "date_to", default=None, help="Last day, YYYY-MM-DD (default: the URL's date range).")
@click.option("--out", "out_file", type=click.Path(path_type=Path, dir_okay=False), required=True,
              help="file.csv or file.xlsx")
def export(dataset: str, url: str, teams: tuple[str, ...], users: tuple[str, ...], date_from: str | None,
           date_to: str | None, out_file: Path) -> None:
    import pandas as pd

    from config.settings import load_settings
    from reports.excel import csv_chunks
    from reports.exports import ExportError, raw_chunks, raw_export, raw_workbook
    from warehouse.reader import WarehouseUnavailable, open_reader

    suffix = out_file.suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        _fail(f"--out must end in .csv or .xlsx, not '{out_file.name}'")
    settings = load_settings()
    try:
        reader = open_reader(settings)
        reader.version  # noqa: B018 (raises WarehouseUnavailable when there is nothing loaded to export)
    except WarehouseUnavailable as exc:
        _fail(str(exc))
    try:
        request = raw_export(reader, dataset, url, teams, users, date_from, date_to)
        # written next to the target and renamed at the end: a failed export leaves no half file behind
        partial = out_file.with_name(f".{out_file.name}.partial")
        try:
            if suffix == ".csv":
                counted = [0]

                def counting(frames: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
                    for frame in frames:
                        counted[0] += len(frame)
                        yield frame

                with partial.open("wb") as handle:
                    for piece in csv_chunks(counting(raw_chunks(reader, request))):
                        handle.write(piece)
                rows, left_out = counted[0], False
            else:
                rows, left_out = raw_workbook(reader, request, str(partial))
            partial.replace(out_file)
        finally:
            partial.unlink(missing_ok=True)
    except (ExportError, WarehouseUnavailable) as exc:
        _fail(str(exc))
    for notice in request.notices:  # the same notices the dashboard shows for this link
        click.echo(f"notice: {notice}", err=True)
    if left_out:
        click.echo(f"notice: only the first {rows:,} rows fit in an Excel sheet; export CSV for all of them", err=True)
    click.echo(f"{request.dataset.label}: {rows:,} rows, {request.filters.date_from} to {request.filters.date_to} "
               f"-> {out_file}")


def _fail(message: str) -> None:
    click.echo(f"error: {message}", err=True)
    sys.exit(EXIT_BAD_INPUT)
