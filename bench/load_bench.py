"""Benchmark a whole load at one scale: first load (cold enrichment cache), re-load of the unchanged files,
and a forced rebuild (warm cache). Each step runs the real `customer-insight` command in its own process.

    .venv/bin/python bench/load_bench.py                 # scale M in a temporary data folder
    .venv/bin/python bench/load_bench.py --scale S --keep

Prints wall seconds, the load's own stage timings and the peak RSS of each step.
Targets (issue 2, scale M on a 2-core machine): first load < 5 min, re-load of unchanged files < 1 min.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CLI = str(Path(sys.executable).with_name("customer-insight"))


def run(step: str, data: Path, *args: str) -> None:
    env = {**os.environ, "CUSTOMER_INSIGHT_DATA_DIR": str(data), "COLUMNS": "120"}
    env.pop("CUSTOMER_INSIGHT_WAREHOUSE_URL", None)
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.perf_counter()
    result = subprocess.run([CLI, *args], env=env, capture_output=True, text=True, check=True)
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    stages = re.findall(r"│ ([a-z &]+?)\s+│\s+([0-9.]+) │", result.stdout)
    detail = ", ".join(f"{name} {value}s" for name, value in stages if name != "total")
    # ru_maxrss of children is the largest child so far: report it only when this step raised it.
    rss = f"{peak / 1024 / 1024:.1f} GB" if peak > before else "(below an earlier step)"
    print(f"{step:<28} {seconds:7.1f} s   peak RSS {rss}   {detail}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", default="M", choices=["S", "M", "L"])
    parser.add_argument("--data", type=Path, help="data folder (default: a temporary one)")
    parser.add_argument("--keep", action="store_true", help="keep the data folder")
    args = parser.parse_args(argv)
    data = args.data or Path(tempfile.mkdtemp(prefix=f"load_bench_{args.scale}_"))
    source = data / f"demo-{args.scale}"
    print(f"scale {args.scale}, data in {data}, {os.cpu_count()} cores")
    try:
        run("generate", data, "generate", "--scale", args.scale, "--out", str(source))
        run("first load (cold cache)", data, "load", "--source", str(source))
        run("re-load, unchanged files", data, "load", "--source", str(source))
        run("forced rebuild (warm cache)", data, "load", "--source", str(source), "--force")
    finally:
        if not args.keep and not args.data:
            shutil.rmtree(data, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
