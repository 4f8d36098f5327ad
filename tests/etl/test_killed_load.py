"""A load killed with SIGKILL at any point leaves the previous warehouse readable and unchanged: at random times
(inside a step too), and at every stage of a load (checkpoints counted by tests/etl/kill_at.py)."""

from __future__ import annotations

import hashlib
import json
import os
import random
import select
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from tests.conftest import copy_enrichment_cache
from tests.etl.conftest import CLI, SAMPLES, run_cli
from warehouse.filters import Filters
from warehouse.reader import WarehouseReader


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _counts(path: Path) -> dict[str, int]:
    with duckdb.connect(str(path), read_only=True) as con:
        return dict(con.execute("select 'customers', count(*) from analytics.customer_base union all "
                                "select 'signals', count(*) from analytics.customer_persona_signals").fetchall())


@pytest.mark.slow
def test_sigkill_at_random_points_keeps_the_previous_warehouse(tmp_path):
    """Kills at random moments, inside a step too (a DuckDB write, a checkpoint), which the checkpoints below do not
    reach: the 100-customer sample loaded over the 10-customer one."""
    source = SAMPLES / "prd_raw_100"
    data = tmp_path / "served"
    run_cli(data, "load", "--source", str(SAMPLES / "prd_raw_10"))
    warehouse = data / "warehouse.duckdb"
    before, counts = _digest(warehouse), _counts(warehouse)
    assert counts == {"customers": 10, "signals": 10}
    # The enrichment cache of the source's texts, so that the killed loads spend their time in the steps that write
    # the warehouse: with a cold cache, building the sentiment scorers took ~90 % of a load, and nearly every random
    # kill fell there, before any file was opened. (Kills inside the enrich stage are the checkpoint test's, below.)
    for folder in (data, tmp_path / "timing"):
        copy_enrichment_cache(source, folder)

    env = {**os.environ, "CUSTOMER_INSIGHT_DATA_DIR": str(data)}
    env.pop("CUSTOMER_INSIGHT_WAREHOUSE_URL", None)

    def start() -> subprocess.Popen:
        return subprocess.Popen([CLI, "load", "--source", str(source)], env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    # Time a whole load of the source into another folder (the same cache), to spread the kills over the load's
    # stages
    started, timing = time.monotonic(), subprocess.Popen(
        [CLI, "load", "--source", str(source)], env={**env, "CUSTOMER_INSIGHT_DATA_DIR": str(tmp_path / "timing")},
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    assert timing.wait() == 0
    full_load = time.monotonic() - started

    rng = random.Random(20261121)
    kills = 0
    for delay in sorted(rng.uniform(0.3 * full_load, 0.95 * full_load) for _ in range(3)):
        process = start()
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
            assert _counts(warehouse) == {"customers": 100, "signals": 100}, f"killed after {delay:.1f} s"
            run_cli(data, "load", "--source", str(SAMPLES / "prd_raw_10"))
            before = _digest(warehouse)
            continue
        kills += 1
        assert _counts(warehouse) == counts
    assert kills >= 2

    # The next load cleans up what the killed ones left and completes.
    assert start().wait() == 0
    assert _counts(warehouse) == {"customers": 100, "signals": 100}
    assert list(data.glob("warehouse.duckdb.building*")) == []


# --- Killed at every stage -------------------------------------------------------------------------------------
# tests/etl/kill_at.py runs real loads that SIGKILL themselves at checkpoint N (the steps of a load, counted by
# patches installed in the load's process only). The warehouse in service is built from the 100-customer sample; the
# killed loads load the 10-customer one, so old and new data differ in every count.
REPO = Path(__file__).resolve().parents[2]
OLD_SOURCE, NEW_SOURCE = SAMPLES / "prd_raw_100", SAMPLES / "prd_raw_10"
# The checkpoints killed at: (stage, which), `which` being "first", "middle" or "last" of that stage's checkpoints,
# or a checkpoint's detail. Every stage kind of a load is in; the test below checks that no stage is missed.
KILL_POINTS = [
    ("read & validate", "first"), ("read & validate", "last"),
    ("enrich", "first"), ("enrich", "last"),
    ("build file", "opened"),
    ("write table", "first"), ("write table", "last"),
    ("build models", "first"), ("build models", "middle"), ("build models", "last"),
    ("churn model", "first"), ("write table", "analytics.churn_scores"), ("churn model", "last"),
    ("swap", "entry"), ("swap", "after os.replace"), ("swap", "returned"),
]
# Killed at or after these checkpoints, the new warehouse is in service (the rename has happened).
AFTER_RENAME = {("swap", "after os.replace"), ("swap", "returned")}


def _json_rows(folder: Path, name: str) -> int:
    return len(json.loads((folder / name).read_text()))


def _expected(source: Path, loads: int) -> dict[str, int]:
    """Counts of a warehouse holding `source`, computed from its JSON files, not by the product."""
    customers = _json_rows(source, "customers.json")
    interactions = _json_rows(source, "customer_interactions.json")
    reviews = _json_rows(source, "product_reviews.json")
    tickets = _json_rows(source, "support_tickets.json")
    return {"raw_customers": customers, "raw_interactions": interactions, "raw_reviews": reviews,
            "raw_tickets": tickets, "customer_base": customers, "load_runs": loads}


def _warehouse_counts(path: Path) -> tuple[dict[str, int], set[str]]:
    """Row counts and the names of every table and view, read from the file opened read-only."""
    with duckdb.connect(str(path), read_only=True) as con:
        counts = dict(con.execute(
            "select 'raw_customers', count(*) from raw_customers union all "
            "select 'raw_interactions', count(*) from raw_interactions union all "
            "select 'raw_reviews', count(*) from raw_reviews union all "
            "select 'raw_tickets', count(*) from raw_tickets union all "
            "select 'customer_base', count(*) from analytics.customer_base union all "
            "select 'load_runs', count(*) from load_runs").fetchall())
        names = {f"{schema}.{name}" for schema, name in con.execute(
            "select table_schema, table_name from information_schema.tables").fetchall()}
    return counts, names


class Loads:
    """The kill_at.py server: each run is a `customer-insight` process forked from it."""

    def __init__(self, workdir: Path) -> None:
        env = {**os.environ}
        env.pop("CUSTOMER_INSIGHT_WAREHOUSE_URL", None)
        self.workdir = workdir
        self.runs = 0
        self.process = subprocess.Popen([sys.executable, "-m", "tests.etl.kill_at"], cwd=REPO, env=env, text=True,
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE)

    def run(self, data_dir: Path, source: Path, kill_at: int | None = None) -> tuple[int, list[tuple[str, str]]]:
        """Exit status (-9: killed) and the checkpoints (stage, detail) the load passed, in order."""
        self.runs += 1
        log = self.workdir / f"load-{self.runs}.log"
        request = {"data_dir": str(data_dir), "args": ["load", "--source", str(source)], "kill_at": kill_at,
                   "log": str(log)}
        self.process.stdin.write(json.dumps(request) + "\n")
        self.process.stdin.flush()
        ready, _, _ = select.select([self.process.stdout], [], [], 300)
        assert ready, f"no answer from the load in 300 s; its output:\n{log.read_text()}"
        answer = self.process.stdout.readline()
        assert answer, f"tests/etl/kill_at.py exited ({self.process.poll()}); see its output above"
        returncode = json.loads(answer)["returncode"]
        lines = log.read_text().splitlines()
        checkpoints = [tuple(line.split("\t")[1:]) for line in lines if line.split("\t", 1)[0].isdigit()]
        if returncode not in (0, -signal.SIGKILL):
            raise AssertionError(f"load of {source} failed ({returncode}):\n" + "\n".join(lines))
        return returncode, checkpoints

    def close(self) -> None:
        self.process.stdin.close()
        try:
            self.process.wait(timeout=30)
        finally:
            if self.process.poll() is None:
                self.process.kill()
                self.process.wait()


@pytest.fixture(scope="module")
def loads(tmp_path_factory) -> Iterator[Loads]:
    server = Loads(tmp_path_factory.mktemp("kill-at-logs"))
    yield server
    server.close()


@pytest.fixture(scope="module")
def stage_runs(loads, tmp_path_factory) -> tuple[Path, Path, list[tuple[str, str]]]:
    """The data folder, a copy of the old warehouse (100 customers) and the checkpoints of a whole load of the new
    source, run once without a kill. The old warehouse is the session's load of its source by the command (run_cli:
    copied when another test made it already); the enrichment cache is the new source's load's, so that no load of
    this module scores a text (tests/etl/kill_at.py builds no sentiment scorers: seconds per language)."""
    data = tmp_path_factory.mktemp("served")
    run_cli(data, "load", "--source", str(OLD_SOURCE))
    shutil.rmtree(data / "enrichment_cache")
    copy_enrichment_cache(NEW_SOURCE, data)
    old = data.parent / "old-warehouse.duckdb"
    shutil.copyfile(data / "warehouse.duckdb", old)
    returncode, checkpoints = loads.run(data, NEW_SOURCE)
    assert returncode == 0
    return data, old, checkpoints


def _kill_point(checkpoints: list[tuple[str, str]], stage: str, which: str) -> int:
    """Checkpoint number (from 1) of (stage, which) in a whole load."""
    numbers = [n for n, (name, _) in enumerate(checkpoints, start=1) if name == stage]
    assert numbers, f"no checkpoint of stage {stage!r} in {checkpoints}"
    if which in ("first", "middle", "last"):
        return {"first": numbers[0], "middle": numbers[len(numbers) // 2], "last": numbers[-1]}[which]
    matching = [n for n in numbers if checkpoints[n - 1][1] == which]
    assert len(matching) == 1, f"{stage} {which!r}: {len(matching)} checkpoints in {checkpoints}"
    return matching[0]


def test_checkpoints_of_a_load_cover_every_stage(stage_runs):
    _, _, checkpoints = stage_runs
    stages = list(dict.fromkeys(stage for stage, _ in checkpoints))
    assert stages == ["read & validate", "enrich", "build file", "write table", "build models", "churn model", "swap"]
    assert {stage for stage, _ in KILL_POINTS} == set(stages)
    # one per source file, per enrich step (etl/enrich/pipeline.py) and per SQL model of sql/staging, sql/analytics
    assert [detail for stage, detail in checkpoints if stage == "read & validate"][-1] == "4/4"
    assert [detail for stage, detail in checkpoints if stage == "enrich"] == ["1/4", "2/4", "3/4", "4/4"]
    models = len(list((REPO / "sql" / "staging").glob("*.sql"))) + len(list((REPO / "sql" / "analytics").glob("*.sql")))
    assert sum(stage == "build models" for stage, _ in checkpoints) == models
    assert [detail for stage, detail in checkpoints if stage == "swap"] == ["entry", "after os.replace", "returned"]


@pytest.mark.parametrize(("stage", "which"), KILL_POINTS, ids=[f"{s}-{w}" for s, w in KILL_POINTS])
def test_load_killed_at_each_stage_leaves_a_whole_warehouse_serving(loads, stage_runs, stage, which):
    data, old, checkpoints = stage_runs
    served = data / "warehouse.duckdb"
    shutil.copyfile(old, data / "incoming")
    os.replace(data / "incoming", served)
    old_digest = _digest(served)
    old_counts, tables = _warehouse_counts(old)
    assert old_counts == _expected(OLD_SOURCE, loads=1)
    reader = WarehouseReader(served)
    try:
        assert len(reader.query("loads/load_history")) == 1  # the reader is connected to the old file
        kill_at = _kill_point(checkpoints, stage, which)

        returncode, passed = loads.run(data, NEW_SOURCE, kill_at=kill_at)

        assert returncode == -signal.SIGKILL
        assert len(passed) == kill_at and passed[-1] == checkpoints[kill_at - 1]
        builds = list(data.glob("warehouse.duckdb.building*"))
        renamed = (stage, which) in AFTER_RENAME
        # "and serving": the reader opened before the kill answers (after the rename, from the new file)
        reader.cache.clear()
        customers = reader.query("filters/in_view_counts", filters=Filters())["customers"].tolist()
        assert customers == [_json_rows(NEW_SOURCE if renamed else OLD_SOURCE, "customers.json")]
    finally:
        # closed before the file is opened again below: DuckDB would hand this process the database it has open
        reader.close()
    if renamed:
        # the whole new warehouse is in service, every table of a load in it
        assert _warehouse_counts(served) == (_expected(NEW_SOURCE, loads=2), tables)
    else:
        assert _digest(served) == old_digest
        assert _warehouse_counts(served) == (old_counts, tables)
        # killed between the build file's creation and the rename, the load leaves it behind
        opened = _kill_point(checkpoints, "build file", "opened")
        assert bool(builds) == (opened <= kill_at < _kill_point(checkpoints, "swap", "after os.replace")), builds

    # the next load cleans up what the killed one left and completes
    assert loads.run(data, NEW_SOURCE)[0] == 0
    assert _warehouse_counts(served)[0] == _expected(NEW_SOURCE, loads=2)
    assert list(data.glob("warehouse.duckdb.building*")) == []
