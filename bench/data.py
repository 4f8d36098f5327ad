"""The data set and warehouse of a benchmark scale, kept between benchmarks in <data dir>/bench/<scale>/.

The generator's files are written once (demo-<scale>/); `customer-insight load` then runs every time, in a process of
its own (a load at M peaks at several GB, which must not count as the dashboard's memory): it does nothing when the
warehouse already holds exactly these files built by this code (same fingerprint: files, rules, SQL models,
enrichers), and rebuilds it when any of them changed.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from config.settings import DATA_DIR_ENV, WAREHOUSE_URL_ENV, Settings

# clustering and team profiles are stored next to the warehouse (insight/store.py): a stored fit would answer a
# bench's callbacks from disk instead of fitting
RESULT_STORES = ("models/clustering", "models/team_profiles")


def scale_folder(settings: Settings, scale: str) -> Path:
    return settings.data_dir / "bench" / scale


def prepare_scale(settings: Settings, scale: str, echo: Callable[[str], None] = print) -> Settings:
    """Settings whose warehouse is the scale's benchmark warehouse, generated and loaded when missing or stale."""
    folder = scale_folder(settings, scale)
    source = folder / f"demo-{scale}"
    if not (source / "customers.parquet").exists():
        echo(f"Generating the demo data set (scale {scale}) in {source} ...")
        _cli(folder, "generate", "--scale", scale, "--out", str(source))
    started = time.perf_counter()
    echo(f"Loading it into {folder / 'warehouse.duckdb'} (nothing to do when it is up to date) ...")
    _cli(folder, "load", "--source", str(source))
    echo(f"  warehouse ready in {time.perf_counter() - started:.1f} s")
    for store in RESULT_STORES:
        shutil.rmtree(folder / store, ignore_errors=True)
    return replace(settings, data_dir=folder, warehouse_url=f"duckdb:///{folder / 'warehouse.duckdb'}")


def _cli(folder: Path, *args: str) -> None:
    env = {**os.environ, DATA_DIR_ENV: str(folder)}
    env.pop(WAREHOUSE_URL_ENV, None)
    folder.mkdir(parents=True, exist_ok=True)
    done = subprocess.run([sys.executable, "-c", "from cli.main import main; main()", *args], env=env,
                          capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"customer-insight {' '.join(args)} failed ({done.returncode}):\n"
                           f"{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
