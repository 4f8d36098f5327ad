"""Time the demo-data generator at one scale and report peak memory.

    .venv/bin/python bench/generate_bench.py            # scale M into a temporary directory
    .venv/bin/python bench/generate_bench.py --scale S --out data/demo_s --keep

Prints per-entity progress (seconds since start, rows), total seconds, peak RSS (resource.getrusage: the
process high-water mark, which includes the interpreter and imported libraries) and file sizes.
Budget for M on a 2-core machine: well under 120 s and under 6 GB.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout without installing

from etl.demo.generator import SCALES, generate  # noqa: E402


def peak_rss_mb() -> float:
    # ru_maxrss is in KiB on Linux (bytes on macOS); the project targets Linux.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", default="M", choices=sorted(SCALES))
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--out", type=Path, help="output directory (default: a temporary one)")
    parser.add_argument("--keep", action="store_true", help="keep the output directory")
    args = parser.parse_args(argv)

    out = args.out or Path(tempfile.mkdtemp(prefix=f"demo_{args.scale}_"))
    start = time.perf_counter()

    def progress(entity: str, rows: int) -> None:
        print(f"  {time.perf_counter() - start:7.1f} s  {entity:<13} {rows:>12,} rows", flush=True)

    try:
        paths = generate(args.scale, out, seed=args.seed, progress=progress)
        seconds = time.perf_counter() - start
        total_rows = sum(SCALES[args.scale].values())
        size_mb = sum(p.stat().st_size for p in paths.values()) / 1e6
        print(f"scale {args.scale}: {total_rows:,} rows in {seconds:.1f} s, "
              f"peak RSS {peak_rss_mb():,.0f} MB, files {size_mb:,.0f} MB in {out}")
    finally:
        if not (args.keep or args.out):
            shutil.rmtree(out, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
