"""The bench's printed table: one row per tab, then the memory of both processes, with the targets met or missed."""

from __future__ import annotations

import math
from typing import Any

from rich.console import Console
from rich.table import Table

MET, MISSED = "[green]met[/green]", "[red]missed[/red]"


def print_report(results: dict[str, Any], console: Console | None = None) -> None:
    console = console or Console()
    targets = results["targets"]
    has_pandas = "fraction" in results["memory"]
    table = Table(title=f"Dashboard benchmark, {results['runs']} runs per tab "
                        f"(warehouse {results['warehouse']['size_mb']:,.0f} MB), milliseconds p50 / p95",
                  title_justify="left")
    for header in ("tab", "full refresh", "filter change", "parallel", "SQL floor"):
        table.add_column(header, justify="left" if header == "tab" else "right")
    if has_pandas:
        for header in ("pandas", "pandas ÷ ours", "pandas ÷ SQL"):
            table.add_column(header, justify="right")
    table.add_column(f"p95 ≤ {targets['tab_p95_ms']:.0f} / change ≤ {targets['filter_change_p95_ms']:.0f}"
                     + (f" / ≥ {targets['pandas_speedup']:.0f}×" if has_pandas else ""))
    for tab in results["tabs"]:
        met = tab["targets_met"]
        row = [tab["label"], _pair(tab["full_ms"]), _pair(tab["filter_change_ms"]), _pair(tab["critical_path_ms"]),
               _pair(tab["sql_floor_ms"])]
        if has_pandas:
            row += [_pair(tab["pandas_ms"]), _times(tab["pandas_over_ours"]), _times(tab["pandas_over_sql"])]
        row.append(" / ".join(MET if met[key] else MISSED for key in met))
        table.add_row(*row)
    console.print(table)
    memory = results["memory"]
    line = (f"Memory: dashboard process peak RSS {memory['ours_peak_rss_mb']:,.0f} MB "
            f"({memory['ours_rss_after_mb']:,.0f} MB after the run)")
    if has_pandas:
        line += (f"; pandas process peak RSS {memory['pandas_peak_rss_mb']:,.0f} MB "
                 f"({memory['pandas_rss_loaded_mb']:,.0f} MB with the tables loaded in "
                 f"{memory['pandas_load_seconds']:.1f} s) = {memory['fraction']:.2f} of it, target ≤ "
                 f"{targets['memory_fraction']:.2f}: {MET if memory['target_met'] else MISSED}")
    console.print(line, highlight=False)
    uncovered = sorted({name for tab in results["tabs"] for name in tab.get("not_in_baseline", [])})
    if uncovered:
        console.print(f"Queries without a pandas equivalent (left out of the pandas column): {', '.join(uncovered)}",
                      highlight=False)
    for name, error in (memory.get("pandas_errors") or {}).items():
        console.print(f"[red]pandas baseline failed[/red] on {name} (left out of the pandas column): {error}",
                      highlight=False)
    console.print("full refresh / filter change: every callback of the tab one after the other (one server thread); "
                  "parallel: the longest chain of callbacks (a page with a thread per callback). SQL floor: the same "
                  "queries run alone on DuckDB. pandas: the same queries in pandas over tables held in memory "
                  "(docs/benchmarks.md).", style="dim", highlight=False)
    load = results.get("load_test")
    if load:
        console.print(load.get("text") or _load_summary(load), highlight=False)


def _pair(stats: dict[str, float]) -> str:
    return f"{_number(stats['p50'])} / {_number(stats['p95'])}"


def _number(value: float) -> str:
    return "–" if value is None or math.isnan(value) else f"{value:,.0f}" if value >= 10 else f"{value:.1f}"


def _times(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f}×"


def _load_summary(load: dict[str, Any]) -> str:
    return "Load test: " + ", ".join(f"{key} {value}" for key, value in load.items() if not isinstance(value, dict))
