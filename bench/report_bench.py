"""Benchmark the PDF reports on a warehouse: time of each kind of report for a few views, with an empty result
cache (every number computed from the warehouse) and again with the cache warm (a second request for the same
view, as a scheduled report after someone looked at it).

    CUSTOMER_INSIGHT_DATA_DIR=/path/with/warehouse .venv/bin/python bench/report_bench.py [--runs 3]

Prints seconds per (kind, view): cold p50 / max and warm, the page count (pdfinfo) and the size of the PDF, and
the part of the cold time spent laying out and drawing the pages (WeasyPrint, single-threaded); the rest is
building the tabs (queries and figures, two tabs at a time) and drawing the charts (Chromium, in parallel)."""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from config.settings import load_settings  # noqa: E402
from reports.kinds import KINDS, pdf_from_search  # noqa: E402
from warehouse.cache import QueryCache  # noqa: E402
from warehouse.reader import WarehouseReader  # noqa: E402

VIEWS = {"all time": "?tab=overview", "90 days, High risk": "?tab=support&range=90d&risk=High",
         "High Value": "?tab=usage&segment=High+Value"}


class Timings:
    """Wraps WeasyPrint's write_pdf to time it."""

    def __init__(self) -> None:
        self.layout = 0.0
        import weasyprint

        write = weasyprint.HTML.write_pdf

        def timed_write(html, *args, **kwargs):
            start = time.perf_counter()
            try:
                return write(html, *args, **kwargs)
            finally:
                self.layout += time.perf_counter() - start
        weasyprint.HTML.write_pdf = timed_write

    def reset(self) -> None:
        self.layout = 0.0


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--kinds", default=",".join(KINDS))
    args = parser.parse_args()
    settings = load_settings()
    timings = Timings()
    print(f"{'report':<10} {'view':<20} {'cold p50':>9} {'cold max':>9} {'warm':>6} {'pages':>6} {'KB':>6}"
          f"   of cold: WeasyPrint / the rest")
    for kind in args.kinds.split(","):
        for name, search in VIEWS.items():
            cold, splits = [], []
            for _ in range(args.runs):
                with tempfile.TemporaryDirectory() as cache_dir:  # an empty result cache: nothing precomputed
                    reader = WarehouseReader(settings.duckdb_path, QueryCache(Path(cache_dir)))
                    timings.reset()
                    start = time.perf_counter()
                    report = pdf_from_search(reader, search, kind)
                    cold.append(time.perf_counter() - start)
                    splits.append((timings.layout, cold[-1] - timings.layout))
                    start = time.perf_counter()
                    pdf_from_search(reader, search, kind)
                    warm = time.perf_counter() - start
                    reader.close()
            info = subprocess.run(["pdfinfo", "-"], input=report.pdf, capture_output=True, check=True).stdout
            pages = int(info.split(b"Pages:")[1].split()[0])
            layout, rest = (statistics.median(s[i] for s in splits) for i in range(2))
            print(f"{kind:<10} {name:<20} {statistics.median(cold):>8.1f}s {max(cold):>8.1f}s {warm:>5.1f}s "
                  f"{pages:>6} {len(report.pdf) // 1000:>6}   {layout:.1f} / {rest:.1f} s", flush=True)


if __name__ == "__main__":
    main()
