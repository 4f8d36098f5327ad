"""`customer-insight bench`: the dashboard's speed per tab against the SQL floor and a pandas baseline
(bench/, docs/benchmarks.md)."""

from __future__ import annotations

from pathlib import Path

import click
from rich.console import Console

from config.settings import load_settings


@click.command(help="Time every tab of the dashboard (full refresh and filter change, p50/p95) on the demo data "
                    "of a scale, next to the SQL floor of the same queries and a pandas baseline doing the same "
                    "aggregations; memory of both; issue 7's targets met or missed. The scale's data set and "
                    "warehouse are kept in <data dir>/bench/<scale> and made when missing.")
@click.option("--scale", type=click.Choice(["S", "M", "L"]), default="S", show_default=True)
@click.option("--runs", type=click.IntRange(min=1), default=20, show_default=True,
              help="Timed runs per tab, each with filters not used before (plus one warm-up run).")
@click.option("--tabs", default=None, help="Comma-separated tab ids (default: every tab), e.g. overview,support.")
@click.option("--no-baseline", is_flag=True, help="Skip the pandas baseline (and its memory).")
@click.option("--out", "out_file", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="Write every figure (samples included) to this JSON file.")
@click.option("--load-users", type=click.IntRange(min=1), default=None,
              help="Also run the load test with this many simulated users against `customer-insight serve`.")
@click.option("--load-seconds", type=click.IntRange(min=1), default=60, show_default=True,
              help="Length of the load test.")
def bench(scale: str, runs: int, tabs: str | None, no_baseline: bool, out_file: Path | None,
          load_users: int | None, load_seconds: int) -> None:
    from bench.dashboard import tab_modules
    from bench.data import prepare_scale
    from bench.report import print_report
    from bench.run import bench as run_bench
    from bench.run import to_json
    from bench.server import load_test

    console = Console()
    chosen = [t.strip() for t in tabs.split(",") if t.strip()] if tabs else None
    try:
        tab_modules(chosen)  # an unknown tab id is an error before minutes of generating and loading
    except ValueError as exc:
        raise click.UsageError(str(exc)) from exc
    settings = prepare_scale(load_settings(), scale, echo=console.print)
    results = run_bench(settings, runs=runs, tabs=chosen, baseline=not no_baseline, echo=console.print)
    results["scale"] = scale
    if load_users:
        console.print(f"Load test: {load_users} users for {load_seconds} s against customer-insight serve ...")
        results["load_test"] = load_test(settings, load_users, load_seconds)
    print_report(results, console)
    if out_file is not None:
        out_file.write_text(to_json(results))
        console.print(f"Results: {out_file}", highlight=False)

