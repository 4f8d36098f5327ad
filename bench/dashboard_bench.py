"""Benchmark the dashboard's tabs on the warehouse in service (CUSTOMER_INSIGHT_DATA_DIR), e.g. a real export:

    CUSTOMER_INSIGHT_DATA_DIR=/path/with/warehouse .venv/bin/python bench/dashboard_bench.py [--runs 20] [--baseline]

A thin script over bench.run, kept for warehouses that are not a generated scale; `customer-insight bench --scale S|M|L`
does the same on the generator's data sets, where it also clears the stored clusterings and team profiles first.
Here they are left alone (they belong to that warehouse), so a filter set already fitted there is answered from disk.
What each column means: docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout without installing

from bench.report import print_report  # noqa: E402
from bench.run import bench, to_json  # noqa: E402
from config.settings import load_settings  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--tabs", help="comma-separated tab ids (default: every tab)")
    parser.add_argument("--baseline", action="store_true", help="also run the pandas baseline")
    parser.add_argument("--out", type=Path, help="write the results as JSON")
    args = parser.parse_args(argv)
    results = bench(load_settings(), runs=args.runs, tabs=args.tabs.split(",") if args.tabs else None,
                    baseline=args.baseline)
    print_report(results)
    if args.out:
        args.out.write_text(to_json(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
