"""A load killed with SIGKILL at any point leaves the previous warehouse readable and unchanged."""

from __future__ import annotations

import hashlib
import os
import random
import signal
import subprocess
import time
from pathlib import Path

import duckdb
import pytest

from etl.demo.generator import generate
from tests.etl.conftest import CLI, SAMPLES, run_cli


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _counts(path: Path) -> dict[str, int]:
    with duckdb.connect(str(path), read_only=True) as con:
        return dict(con.execute("select 'customers', count(*) from analytics.customer_base union all "
                                "select 'signals', count(*) from analytics.customer_persona_signals").fetchall())


@pytest.fixture(scope="module")
def demo_source(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("demo-S")
    generate("S", folder)
    return folder


@pytest.mark.slow
def test_sigkill_at_random_points_keeps_the_previous_warehouse(tmp_path, demo_source):
    # Time a full load of the bigger data set (cold enrichment cache) to spread the kills over its stages.
    timing_dir = tmp_path / "timing"
    started = time.monotonic()
    run_cli(timing_dir, "load", "--source", str(demo_source))
    full_load = time.monotonic() - started

    data = tmp_path / "served"
    run_cli(data, "load", "--source", str(SAMPLES / "prd_raw_10"))
    warehouse = data / "warehouse.duckdb"
    before, counts = _digest(warehouse), _counts(warehouse)
    assert counts == {"customers": 10, "signals": 10}

    env = {**os.environ, "CUSTOMER_INSIGHT_DATA_DIR": str(data)}
    env.pop("CUSTOMER_INSIGHT_WAREHOUSE_URL", None)
    rng = random.Random(20261121)
    kills = 0
    # Early, middle and late points of a load (the cache warms as attempts get further, so later
    # attempts reach the build and swap stages sooner).
    for delay in sorted(rng.uniform(0.3, 0.9 * full_load) for _ in range(8)):
        process = subprocess.Popen([CLI, "load", "--source", str(demo_source)], env=env,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        if process.poll() is not None:  # finished before the kill: restore the baseline and go on
            run_cli(data, "load", "--source", str(SAMPLES / "prd_raw_10"))
            before = _digest(warehouse)
            continue
        process.send_signal(signal.SIGKILL)
        process.wait()
        if _digest(warehouse) != before:
            # Killed after the atomic swap, while printing its report or exiting: the load had completed, so the
            # warehouse must be the whole new one, never a mix. Restore the baseline and go on.
            assert _counts(warehouse) == {"customers": 1000, "signals": 1000}, f"killed after {delay:.1f} s"
            run_cli(data, "load", "--source", str(SAMPLES / "prd_raw_10"))
            before = _digest(warehouse)
            continue
        kills += 1
        assert _counts(warehouse) == counts
    assert kills >= 5

    # The next load cleans up what the killed ones left and completes.
    run_cli(data, "load", "--source", str(demo_source))
    assert _counts(warehouse) == {"customers": 1000, "signals": 1000}
    assert list(data.glob("warehouse.duckdb.building*")) == []
