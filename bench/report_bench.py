"""Benchmark the PDF reports on a warehouse: time of each kind of report for a few views, with an empty result
cache (every number computed from the warehouse) and again with the cache warm (a second request for the same
view, as a scheduled report after someone looked at it).

    CUSTOMER_INSIGHT_DATA_DIR=/path/with/warehouse .venv/bin/python bench/report_bench.py [--runs 3]

Prints seconds per (kind, view): cold p50 / max and warm, the page count (pdfinfo), the size of the PDF and the CPU
seconds of a cold report (this process, its layout workers and Chromium: on N cores the wall time cannot go below
CPU / N). One process makes every report, as a server worker would: it first makes the reports ready as a server
worker does at its start (reports/ready.py: the charts' browser and the layout workers started, the Glossary appendix
laid out; printed with its time), then every report reuses them. `--no-ready` leaves that to the first report, as
the CLI and cron runs do: that first report is then the "cold max"."""

from __future__ import annotations

import argparse
import contextlib
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from config.settings import load_settings  # noqa: E402
from reports.kinds import KINDS, pdf_from_search  # noqa: E402
from reports.ready import prepare  # noqa: E402
from warehouse.cache import QueryCache  # noqa: E402
from warehouse.reader import WarehouseReader  # noqa: E402

VIEWS = {"all time": "?tab=overview", "90 days, High risk": "?tab=support&range=90d&risk=High",
         "High Value": "?tab=usage&segment=High+Value"}


def cpu_seconds() -> float:
    """CPU time of this process, of its running descendants (the layout workers and Chromium, which outlive a
    report: reports/layout.py, reports/charts.py) and of its children that have ended."""
    own, ended = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    total = own.ru_utime + own.ru_stime + ended.ru_utime + ended.ru_stime
    for process in psutil.Process().children(recursive=True):
        with contextlib.suppress(psutil.Error):  # ended meanwhile
            times = process.cpu_times()
            total += times.user + times.system
    return total


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--kinds", default=",".join(KINDS))
    parser.add_argument("--no-ready", action="store_true", help="do not make the reports ready first")
    args = parser.parse_args()
    settings = load_settings()
    if not args.no_ready:
        with tempfile.TemporaryDirectory() as cache_dir:
            reader = WarehouseReader(settings.duckdb_path, QueryCache(Path(cache_dir)))
            start, start_cpu = time.perf_counter(), cpu_seconds()
            prepare(reader)
            print(f"reports made ready (as a server worker at its start): {time.perf_counter() - start:.1f} s, "
                  f"{cpu_seconds() - start_cpu:.1f} CPU s", flush=True)
            reader.close()
    print(f"{'report':<10} {'view':<20} {'cold p50':>9} {'cold max':>9} {'warm':>6} {'pages':>6} {'KB':>6}"
          f" {'CPU s':>6}")
    for kind in args.kinds.split(","):
        for name, search in VIEWS.items():
            cold, cpu = [], []
            for _ in range(args.runs):
                with tempfile.TemporaryDirectory() as cache_dir:  # an empty result cache: nothing precomputed
                    reader = WarehouseReader(settings.duckdb_path, QueryCache(Path(cache_dir)))
                    reader.date_bounds()  # opening the warehouse is not the report's time
                    start, start_cpu = time.perf_counter(), cpu_seconds()
                    report = pdf_from_search(reader, search, kind)
                    cold.append(time.perf_counter() - start)
                    cpu.append(cpu_seconds() - start_cpu)
                    start = time.perf_counter()
                    pdf_from_search(reader, search, kind)
                    warm = time.perf_counter() - start
                    reader.close()
            info = subprocess.run(["pdfinfo", "-"], input=report.pdf, capture_output=True, check=True).stdout
            pages = int(info.split(b"Pages:")[1].split()[0])
            print(f"{kind:<10} {name:<20} {statistics.median(cold):>8.1f}s {max(cold):>8.1f}s {warm:>5.1f}s "
                  f"{pages:>6} {len(report.pdf) // 1000:>6} {statistics.median(cpu):>6.1f}", flush=True)


if __name__ == "__main__":
    main()
