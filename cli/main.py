"""The `customer-insight` command: load data, generate and load the demo, serve the dashboard."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from rich.console import Console
from rich.markup import escape

from config.settings import WAREHOUSE_URL_ENV, load_settings

EXIT_SOURCE_ERROR = 2
EXIT_LOAD_ERROR = 3


@click.group(help=f"""Customer Insight: customer analytics over a SQL warehouse.

The warehouse is set by {WAREHOUSE_URL_ENV} (a SQLAlchemy URL; default: a DuckDB file in ./data,
or in CUSTOMER_INSIGHT_DATA_DIR).""")
def main() -> None:
    pass


@main.command(help="Load source files into a new warehouse and swap it in.")
@click.option("--source", "source_dir", type=click.Path(path_type=Path, file_okay=False),
              help="Folder with files named after the contract (customers.json, interactions.csv, ...).")
@click.option("--mapping", "mapping_file", type=click.Path(path_type=Path, dir_okay=False),
              help="TOML mapping file for files with their own column names.")
@click.option("--force", is_flag=True, help="Rebuild even if these exact files are already loaded.")
def load(source_dir: Path | None, mapping_file: Path | None, force: bool) -> None:
    from sqlalchemy.exc import OperationalError

    from etl.load import LoadError, run_load
    from etl.sources.discover import plan_from_folder, plan_from_mapping
    from etl.sources.errors import SourceError
    from warehouse.models import ModelBuildError

    if (source_dir is None) == (mapping_file is None):
        raise click.UsageError("give exactly one of --source DIR or --mapping FILE.toml")
    settings = load_settings()
    out = Console()
    try:
        plan = plan_from_folder(source_dir) if source_dir else plan_from_mapping(mapping_file)
        report = run_load(settings, plan, force=force)
    except SourceError as exc:
        # escaped: a message quotes the user's file ("[[files]] entry 2", a "[customer_id]" header), not markup
        out.print(f"[red]error[/red] {escape(str(exc))}\nThe warehouse in service was not changed.", highlight=False)
        sys.exit(EXIT_SOURCE_ERROR)
    except LoadError as exc:
        out.print(f"[red]error[/red] {escape(str(exc))}", highlight=False)
        sys.exit(EXIT_LOAD_ERROR)
    except ModelBuildError as exc:
        out.print(f"[red]error[/red] {escape(str(exc).strip())}\nThe warehouse in service was not changed.",
                  highlight=False)
        sys.exit(EXIT_LOAD_ERROR)
    except OperationalError as exc:  # a server warehouse went away mid-load (restart, network, terminated)
        reason = str(exc.orig or exc).strip().splitlines()[0]
        out.print(f"[red]error[/red] the connection to the warehouse database was lost during the load "
                  f"({escape(reason)})."
                  "\nThe warehouse in service was not changed; run the load again.", highlight=False)
        sys.exit(EXIT_LOAD_ERROR)
    report.print(out)
    out.print(f"Warehouse: {settings.warehouse_shown}", highlight=False)


@main.command(help="Write the demo data set (all seven entities) as Parquet files.")
@click.option("--scale", type=click.Choice(["S", "M", "L"]), default="S", show_default=True)
@click.option("--out", "out_dir", type=click.Path(path_type=Path, file_okay=False), required=True)
@click.option("--seed", type=int, default=42, show_default=True)
def generate(scale: str, out_dir: Path, seed: int) -> None:
    from etl.demo.generator import generate as generate_demo

    paths = generate_demo(scale, out_dir, seed=seed)
    for entity, path in paths.items():
        click.echo(f"{entity:<14} {path}")


@main.command(help="Generate the demo data, load it and start the dashboard.")
@click.option("--scale", type=click.Choice(["S", "M", "L"]), default="S", show_default=True)
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8050, show_default=True, type=int)
@click.option("--no-serve", is_flag=True, help="Only generate and load; do not start the server.")
def demo(scale: str, host: str, port: int, no_serve: bool) -> None:
    from etl.demo.generator import generate as generate_demo
    from etl.load import run_load
    from etl.sources.discover import plan_from_folder

    settings = load_settings()
    folder = settings.data_dir / f"demo-{scale}"
    out = Console()
    if not (folder / "customers.parquet").exists():
        out.print(f"Generating the demo data set (scale {scale}) in {folder} ...")
        generate_demo(scale, folder)
    report = run_load(settings, plan_from_folder(folder))
    report.print(out)
    if not no_serve:
        _serve(settings, host, port, workers=1, debug=False)


@main.command(help="Start the dashboard (gunicorn).")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8050, show_default=True, type=int)
@click.option("--workers", default=2, show_default=True, type=int)
@click.option("--debug", is_flag=True, help="Flask development server with reload (not for production).")
def serve(host: str, port: int, workers: int, debug: bool) -> None:
    _serve(load_settings(), host, port, workers, debug)


@main.command(help="Write the report of a dashboard view (the tab and filters of its URL): a PDF, the Excel "
                   "workbook of the data behind it, or one card's data as CSV.")
@click.option("--url", required=True, help='A dashboard URL, e.g. "http://host/?tab=support&range=30d&risk=High".')
@click.option("--out", "out_file", type=click.Path(path_type=Path, dir_okay=False), required=True)
@click.option("--format", "out_format", type=click.Choice(["pdf", "xlsx", "csv"]), default=None,
              help="Default: from the --out suffix (.xlsx, .csv), else pdf.")
@click.option("--card", default=None, help="With --format csv: the card id (e.g. support-volume); "
                                          "<card id>:<n> for the n-th query of a card that reads several.")
@click.option("--kind", type=click.Choice(["tab", "full", "executive", "activity"]), default="tab", show_default=True,
              help="PDF: the URL's tab; full = every tab with a contents page; executive = KPIs, findings and "
                   "actions in words; activity = usage in the last 30 days with a page per team.")
def report(url: str, out_file: Path, out_format: str | None, card: str | None, kind: str) -> None:
    from reports.kinds import pdf_from_search
    from reports.view import ReportError
    from warehouse.reader import WarehouseUnavailable, open_reader

    out_format = out_format or {".xlsx": "xlsx", ".csv": "csv"}.get(out_file.suffix.lower(), "pdf")
    if out_format == "csv" and not card:
        click.echo("error: --format csv needs --card <card id> (the About sheet of the Excel file lists them)",
                   err=True)
        sys.exit(EXIT_SOURCE_ERROR)
    settings = load_settings()
    try:
        reader = open_reader(settings)
        reader.version  # noqa: B018 (raises WarehouseUnavailable when there is nothing loaded to report on)
    except WarehouseUnavailable as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(EXIT_SOURCE_ERROR)
    try:
        if out_format == "pdf":
            result = pdf_from_search(reader, url, kind)
            content, tab_id, notices = result.pdf, result.tab_id, result.notices
        else:
            from reports.excel import csv_from_search, excel_from_search

            export = csv_from_search(reader, url, card) if out_format == "csv" else excel_from_search(reader, url)
            content, tab_id, notices = export.data, export.tab_id, export.notices
    except (ReportError, WarehouseUnavailable) as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(EXIT_SOURCE_ERROR)
    for notice in notices:  # the same notices the dashboard shows for this link
        click.echo(f"notice: {notice}", err=True)
    out_file.write_bytes(content)
    click.echo(f"{tab_id} report: {out_file} ({len(content):,} bytes)")


def _serve(settings, host: str, port: int, workers: int, debug: bool) -> None:
    from dashapp.app import create_app

    click.echo(f"Customer Insight on http://{host}:{port}/  (warehouse: {settings.warehouse_shown})")
    try:
        app = create_app(settings)
    except Exception as exc:
        from etl.targets import disk_fault, fault_state

        fault = disk_fault(exc)
        if fault is None:
            raise
        code, file = fault
        folder = file.parent if file is not None and file != settings.data_dir else settings.data_dir
        click.echo(f"error: cannot start: the folder {folder} {fault_state(code)}. The dashboard keeps its query cache "
                   f"and, unless CUSTOMER_INSIGHT_APP_DB_URL says otherwise, its app database (users, schedules) in "
                   f"the data folder {settings.data_dir}: make it writable, or set CUSTOMER_INSIGHT_DATA_DIR to a "
                   "writable folder (and CUSTOMER_INSIGHT_WAREHOUSE_URL=duckdb:///<path of the warehouse file> to "
                   "serve a warehouse that stays read-only).", err=True)
        sys.exit(EXIT_LOAD_ERROR)
    if debug:
        app.run(host=host, port=port, debug=True)
        return
    from dashapp.wsgi import run_gunicorn

    run_gunicorn(app.server, host, port, workers)


# Scheduled reports and KPI alerts (cli/schedule.py): registered here, last, so the groups live in their own file.
from cli.schedule import alert, schedule  # noqa: E402

main.add_command(schedule)
main.add_command(alert)

# Raw-records export (cli/export.py).
from cli.export import export  # noqa: E402

main.add_command(export)

# Benchmarks (cli/bench.py, bench/).
from cli.bench import bench  # noqa: E402

main.add_command(bench)

# Dashboard users (cli/users.py, issue 8).
from cli.users import users  # noqa: E402

main.add_command(users)

if __name__ == "__main__":
    main()
