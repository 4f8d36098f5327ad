"""`customer-insight bench`: per tab, in one run, the dashboard's callback times (full refresh and filter change), the
SQL floor of the same queries and the pandas baseline of the same queries; memory of both processes; targets.

    bench(settings, runs=20)            -> the results (a dict, written as JSON by the command)
    bench.report.print_report(results)  -> the table

Order, so that nothing measured competes for the 2 cores: the dashboard (every tab: one warm-up run, then `runs`
timed runs, each followed by the SQL floor of the queries it ran), then the pandas process alone.
"""

from __future__ import annotations

import json
import math
import os
import platform
import statistics
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from bench.baseline.runner import BaselineJob, BaselineResult, current_rss_mb, peak_rss_mb, run_in_process
from bench.dashboard import DashboardBench, TabTimings, tab_modules
from bench.floor import SqlFloor
from config.settings import Settings

# Issue 7's targets (2-core machine, scale M)
TARGETS = {"tab_p95_ms": 250.0, "filter_change_p95_ms": 150.0, "pandas_speedup": 5.0, "memory_fraction": 0.25}
PHASES = ("full", "change")


def bench(settings: Settings, runs: int = 20, tabs: list[str] | None = None, baseline: bool = True,
          echo: Callable[[str], None] = print) -> dict[str, Any]:
    modules = tab_modules(tabs)
    path = settings.duckdb_path
    if path is None:  # the floor and the baseline read a DuckDB file; a server warehouse is the load test's
        raise ValueError(f"the bench reads a DuckDB warehouse, not {settings.backend}")
    echo(f"Warehouse {path} ({path.stat().st_size / 1e6:,.0f} MB); {runs} runs per tab (+1 warm-up), "
         f"{os.cpu_count()} CPUs")
    dashboard = DashboardBench(settings)
    floor = SqlFloor(path)
    timings: list[TabTimings] = []
    floors: dict[str, dict[str, list[list[float]]]] = {}
    try:
        for module in modules:
            dashboard.run_tab(module, 1)  # warm-up: first imports and first-time costs of the tab, not counted
            tab = dashboard.run_tab(module, runs)
            floors[tab.tab] = {phase: [floor.time_calls(_calls(run, phase)) for run in tab.runs] for phase in PHASES}
            timings.append(tab)
            echo(f"  {tab.label:<14} full refresh p50 {_ms(_p50([r.full_seconds for r in tab.runs]))}")
        ours = {"peak_rss_mb": peak_rss_mb(), "rss_after_mb": current_rss_mb()}
    finally:
        floor.close()
        dashboard.reader.close()
    pandas: BaselineResult | None = None
    if baseline:
        echo("Running the pandas baseline in its own process (loading the tables first) ...")
        jobs = [BaselineJob(_job_key(t.tab, i, phase), _calls(run, phase))
                for t in timings for i, run in enumerate(t.runs) for phase in PHASES]
        pandas = run_in_process(path, jobs)
    return _results(settings, runs, timings, floors, ours, pandas)


def to_json(results: dict[str, Any]) -> str:
    """The results as JSON: a figure that could not be measured (NaN) is null, anything else unusual a string."""
    def finite(value: Any) -> Any:
        if isinstance(value, float) and not math.isfinite(value):
            return None
        if isinstance(value, dict):
            return {key: finite(item) for key, item in value.items()}
        if isinstance(value, list | tuple):
            return [finite(item) for item in value]
        return value

    return json.dumps(finite(results), indent=2, default=str, allow_nan=False)


def _calls(run: Any, phase: str) -> list:
    return run.full_queries if phase == "full" else run.change_queries


def _job_key(tab: str, run: int, phase: str) -> str:
    return f"{tab}/{run}/{phase}"


def _results(settings: Settings, runs: int, timings: list[TabTimings], floors: dict, ours: dict[str, float],
             pandas: BaselineResult | None) -> dict[str, Any]:
    tabs = [_tab_result(t, floors[t.tab], pandas) for t in timings]
    memory: dict[str, Any] = {"ours_peak_rss_mb": ours["peak_rss_mb"], "ours_rss_after_mb": ours["rss_after_mb"]}
    if pandas is not None:
        memory |= {"pandas_peak_rss_mb": pandas.peak_rss_mb, "pandas_rss_loaded_mb": pandas.loaded_rss_mb,
                   "pandas_load_seconds": pandas.load_seconds, "pandas_tables": pandas.tables,
                   "fraction": ours["peak_rss_mb"] / pandas.peak_rss_mb, "pandas_errors": pandas.errors}
        memory["target_met"] = memory["fraction"] <= TARGETS["memory_fraction"]
    path = settings.duckdb_path
    return {"generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "machine": {"cpus": os.cpu_count(), "processor": platform.processor() or platform.machine(),
                        "python": platform.python_version()},
            "warehouse": {"path": str(path), "size_mb": path.stat().st_size / 1e6},
            "runs": runs, "targets": TARGETS, "tabs": tabs, "memory": memory}


def _tab_result(tab: TabTimings, floor: dict[str, list[list[float]]], pandas: BaselineResult | None) -> dict:
    runs = tab.runs
    result: dict[str, Any] = {
        "tab": tab.tab, "label": tab.label,
        "full_ms": _stats([r.full_seconds for r in runs]),
        "filter_change_ms": _stats([r.change_seconds for r in runs]),
        "critical_path_ms": _stats([r.critical_path_seconds for r in runs]),
        "sql_floor_ms": _stats([sum(s) for s in floor["full"]]),
        "sql_floor_change_ms": _stats([sum(s) for s in floor["change"]]),
        "queries_per_run": _stats_plain([len(r.full_queries) for r in runs]),
    }
    by_query: dict[str, dict[str, list[float]]] = {}
    for phase in PHASES:
        for run, seconds in zip(runs, floor[phase], strict=True):
            for (name, _params), value in zip(_calls(run, phase), seconds, strict=True):
                by_query.setdefault(name, {"sql": [], "pandas": []})["sql"].append(value)
    targets = {"tab_p95": result["full_ms"]["p95"] <= TARGETS["tab_p95_ms"],
               "filter_change_p95": result["filter_change_ms"]["p95"] <= TARGETS["filter_change_p95_ms"]}
    if pandas is not None:
        covered_sql = {phase: [] for phase in PHASES}
        totals = {phase: [] for phase in PHASES}
        uncovered: set[str] = set()
        for phase in PHASES:
            for i, (run, sql) in enumerate(zip(runs, floor[phase], strict=True)):
                seconds = pandas.seconds[_job_key(tab.tab, i, phase)]
                calls = _calls(run, phase)
                totals[phase].append(sum(s for s in seconds if s is not None))
                covered_sql[phase].append(sum(q for q, s in zip(sql, seconds, strict=True) if s is not None))
                for (name, _params), value in zip(calls, seconds, strict=True):
                    if value is None:
                        uncovered.add(name)
                    else:
                        by_query[name]["pandas"].append(value)
        result["pandas_ms"] = _stats(totals["full"])
        result["pandas_change_ms"] = _stats(totals["change"])
        result["not_in_baseline"] = sorted(uncovered)
        # the product against the baseline's aggregations alone (no figures, no HTTP): conservative for ours
        result["pandas_over_ours"] = _ratio(result["pandas_ms"]["p50"], result["full_ms"]["p50"])
        # the same queries, engine against engine
        result["pandas_over_sql"] = _ratio(_p50(totals["full"]), _p50(covered_sql["full"]))
        targets["pandas_speedup"] = (result["pandas_over_ours"] or 0) >= TARGETS["pandas_speedup"]
    result["targets_met"] = targets
    result["by_query"] = {name: {"calls": len(v["sql"]), "sql_p50_ms": _p50(v["sql"]) * 1000,
                                 "pandas_p50_ms": _p50(v["pandas"]) * 1000 if v["pandas"] else None}
                          for name, v in sorted(by_query.items())}
    return result


def _stats(seconds: list[float]) -> dict[str, float]:
    """p50 / p95 (nearest rank) / max in milliseconds, and the samples."""
    ms = [s * 1000 for s in seconds]
    return {"p50": _p50(ms), "p95": _percentile(ms, 95), "max": max(ms, default=math.nan),
            "samples": [round(v, 2) for v in ms]}


def _stats_plain(values: list[int]) -> dict[str, float]:
    return {"p50": _p50(values), "max": max(values, default=0)}


def _p50(values: list[float]) -> float:
    return statistics.median(values) if values else math.nan


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(len(ordered) * q / 100) - 1)] if ordered else math.nan


def _ratio(numerator: float, denominator: float) -> float | None:
    return numerator / denominator if denominator and not math.isnan(denominator) else None


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:,.0f} ms"
