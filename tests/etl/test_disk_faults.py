"""A full or read-only warehouse folder (issue 9, "Faults"): a load through the real CLI stops with one clear sentence
and no traceback, the warehouse in service stays byte for byte what it was, and the next load after the fault is
cleared succeeds; the dashboard still serves a warehouse in a read-only folder.

Real filesystems: a small tmpfs mounted on a folder of the test, remounted read-only or bigger. Mounting needs root
(CAP_SYS_ADMIN); without it a full folder is a file size limit on the CLI process (prlimit --fsize: writes fail with
EFBIG) and the read-only cases are skipped.
"""

from __future__ import annotations

import errno
import hashlib
import os
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path

import pytest

from config.settings import load_settings
from tests.etl.conftest import CLI, SAMPLES, run_cli
from warehouse.filters import Filters
from warehouse.reader import WarehouseReader

SAMPLE = SAMPLES / "prd_raw_10"
ROOMY = "64m"
FULL_SENTENCE = "is full (no space left on device)"
TOO_BIG_SENTENCE = "cannot hold a file this large (file too large: the file size limit of this process, ulimit -f)"
READ_ONLY_TODO = "Make it writable, or set CUSTOMER_INSIGHT_DATA_DIR to a writable folder, and load again."


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _facts(warehouse: Path) -> tuple[int, int, int]:
    """(customers, interactions, successful loads) of a warehouse, read as the dashboard reads it."""
    reader = WarehouseReader(warehouse)
    try:
        kpis = reader.query("overview/kpis", Filters()).iloc[0]
        runs = reader.query("loads/load_history")
        return int(kpis["active_customers"]), int(kpis["total_interactions"]), int((runs["status"] == "success").sum())
    finally:
        reader.close()


def _said(result: subprocess.CompletedProcess) -> str:
    """What the CLI printed, with the console's line wrapping undone."""
    return " ".join((result.stdout + result.stderr).split())


def _mount(folder: Path, options: str) -> bool:
    folder.mkdir(parents=True, exist_ok=True)
    return subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(folder)],
                          capture_output=True).returncode == 0


@contextmanager
def tmpfs(folder: Path, size: str) -> Iterator[Path]:
    """A tmpfs of `size` on folder for the block; skips the test when mounting is refused."""
    if not _mount(folder, f"size={size}"):
        pytest.skip("needs `mount -t tmpfs` (root with CAP_SYS_ADMIN); mounting a tmpfs was refused")
    try:
        yield folder
    finally:
        if subprocess.run(["umount", str(folder)], capture_output=True).returncode != 0:
            subprocess.run(["umount", "-l", str(folder)], check=True)  # still busy: detach now, freed when closed


def remount(folder: Path, options: str) -> None:
    subprocess.run(["mount", "-o", f"remount,{options}", str(folder)], check=True)


def _fill(path: Path) -> None:
    """Write zeros to path until its filesystem has no space left."""
    with path.open("wb", buffering=0) as out:
        try:
            while True:
                out.write(bytes(64 * 1024))
        except OSError as exc:
            assert exc.errno == errno.ENOSPC, exc


def load(data_dir: Path, *args: str, fsize: int | None = None) -> subprocess.CompletedProcess:
    """`customer-insight load --source SAMPLE` run for real: run_cli may answer a load into an empty folder with a
    copy of an earlier one (tests/conftest.py), which would hide the fault. fsize: the fallback when mounting is
    refused, a file size limit on the process (Python ignores SIGXFSZ, so writes fail with EFBIG)."""
    env = {**os.environ, "CUSTOMER_INSIGHT_DATA_DIR": str(data_dir), "COLUMNS": "200"}
    env.pop("CUSTOMER_INSIGHT_WAREHOUSE_URL", None)
    limit = ["prlimit", f"--fsize={fsize}"] if fsize else []
    return subprocess.run([*limit, CLI, "load", "--source", str(SAMPLE), *args], env=env, capture_output=True,
                          text=True, timeout=300)


@pytest.fixture(scope="module")
def can_mount(tmp_path_factory) -> bool:
    probe = tmp_path_factory.mktemp("mount-probe")
    if not _mount(probe, "size=1m"):
        return False
    subprocess.run(["umount", str(probe)], check=True)
    return True


@pytest.fixture(scope="module")
def served(tmp_path_factory) -> Path:
    """A data folder with the 10-customer warehouse and its enrichment cache, copied into each test's folder."""
    data = tmp_path_factory.mktemp("served")
    run_cli(data, "load", "--source", str(SAMPLE))
    assert _facts(data / "warehouse.duckdb") == (10, 30, 1)  # the sample: 10 customers, 30 interactions
    return data


def _copy_served(served: Path, data: Path) -> Path:
    shutil.copy2(served / "warehouse.duckdb", data / "warehouse.duckdb")
    shutil.copytree(served / "enrichment_cache", data / "enrichment_cache")
    return data / "warehouse.duckdb"


def _one_warehouse(served: Path) -> int:
    """A size that holds the warehouse in service and not a second one built beside it (8.3 MB for the sample:
    DuckDB allocates its file in 256 KB blocks)."""
    size = (served / "warehouse.duckdb").stat().st_size
    return size + 2 * 1024 * 1024


def test_full_folder_keeps_the_warehouse_in_service_and_the_next_load_succeeds(tmp_path, served, can_mount):
    data = tmp_path / "data"
    size = _one_warehouse(served)
    assert size < 2 * (served / "warehouse.duckdb").stat().st_size
    with tmpfs(data, f"{size // 1024}k") if can_mount else nullcontext(data):
        data.mkdir(exist_ok=True)
        warehouse = _copy_served(served, data)
        before = _digest(warehouse)
        # without a tmpfs, a file size limit of half the warehouse: the build file cannot grow to a whole one
        failed = load(data, "--force", fsize=None if can_mount else warehouse.stat().st_size // 2)
        state = FULL_SENTENCE if can_mount else TOO_BIG_SENTENCE

        assert failed.returncode == 3, _said(failed)
        assert "Traceback" not in failed.stderr + failed.stdout
        todo = "Free some space and load again." if can_mount else "Raise the limit and load again."
        assert _said(failed) == (f"error The warehouse folder {data} {state} while building the new warehouse: "
                                 f"the warehouse in service is unchanged. {todo}")
        assert _digest(warehouse) == before
        assert _facts(warehouse) == (10, 30, 1)
        assert sorted(p.name for p in data.iterdir()) == ["enrichment_cache", "warehouse.duckdb",
                                                          "warehouse.duckdb.lock"]  # no build file left

        if can_mount:
            remount(data, f"size={ROOMY}")  # space freed
        run_cli(data, "load", "--force", "--source", str(SAMPLE))
        assert _digest(warehouse) != before
        assert _facts(warehouse) == (10, 30, 2)


def test_read_only_folder_changes_nothing(tmp_path, served):
    data = tmp_path / "data"
    with tmpfs(data, ROOMY):
        warehouse = _copy_served(served, data)
        before, names = _digest(warehouse), sorted(p.name for p in data.iterdir())
        remount(data, "ro")

        result = load(data, "--force")
        assert result.returncode == 3, _said(result)
        assert "Traceback" not in result.stderr + result.stdout
        assert _said(result) == (f"error The warehouse folder {data} is read-only (read-only file system) while "
                                 f"taking the load lock: the warehouse in service is unchanged. {READ_ONLY_TODO}")
        assert _digest(warehouse) == before
        assert sorted(p.name for p in data.iterdir()) == names
        assert _facts(warehouse) == (10, 30, 1)


def test_first_load_into_a_read_only_folder(tmp_path):
    mounted = tmp_path / "mounted"
    with tmpfs(mounted, ROOMY):
        remount(mounted, "ro")
        # the data folder itself, empty, and a data folder still to be created in it
        result = load(mounted)
        assert result.returncode == 3, _said(result)
        assert _said(result) == (f"error The warehouse folder {mounted} is read-only (read-only file system) while "
                                 f"taking the load lock: no warehouse was created. {READ_ONLY_TODO}")

        result = load(mounted / "data")
        assert result.returncode == 3, _said(result)
        assert "Traceback" not in result.stderr + result.stdout
        assert _said(result) == (f"error The folder {mounted} is read-only (read-only file system) while creating "
                                 f"{mounted / 'data'}: no warehouse was created. {READ_ONLY_TODO}")
        assert list(mounted.iterdir()) == []


def test_first_load_into_a_full_folder(tmp_path, served, can_mount):
    data = tmp_path / "data"
    half = (served / "warehouse.duckdb").stat().st_size // 2
    with tmpfs(data, f"{half // 1024}k") if can_mount else nullcontext(data):
        # no warehouse yet; the enrichment cache only spares the test a cold enrichment (4 s)
        shutil.copytree(served / "enrichment_cache", data / "enrichment_cache")
        result = load(data, fsize=None if can_mount else half)
        state, todo = (FULL_SENTENCE, "Free some space and load again.") if can_mount else \
            (TOO_BIG_SENTENCE, "Raise the limit and load again.")
        assert result.returncode == 3, _said(result)
        assert "Traceback" not in result.stderr + result.stdout
        assert _said(result) == (f"error The warehouse folder {data} {state} while building the new warehouse: "
                                 f"no warehouse was created. {todo}")
        assert sorted(p.name for p in data.iterdir()) == ["enrichment_cache", "warehouse.duckdb.lock"]

        if can_mount:  # completely full: the load's first write, its lock file, is refused
            (data / "warehouse.duckdb.lock").unlink()
            _fill(data / "filler")
            result = load(data)
            assert result.returncode == 3, _said(result)
            assert _said(result) == (f"error The warehouse folder {data} {FULL_SENTENCE} while taking the load lock: "
                                     "no warehouse was created. Free some space and load again.")
            assert not (data / "warehouse.duckdb").exists()



def test_dashboard_serves_a_warehouse_in_a_read_only_folder(tmp_path, served):
    from dashapp.app import create_app

    folder = tmp_path / "warehouse"
    with tmpfs(folder, ROOMY):
        warehouse = _copy_served(served, folder)
        remount(folder, "ro")
        # what `customer-insight serve` does: the warehouse read-only, the app's own state in a writable data folder
        settings = load_settings({"CUSTOMER_INSIGHT_DATA_DIR": str(tmp_path / "app"),
                                  "CUSTOMER_INSIGHT_WAREHOUSE_URL": f"duckdb:///{warehouse}"})
        app = create_app(settings)
        reader = app.server.config["WAREHOUSE_READER"]
        try:
            assert app.server.test_client().get("/").status_code == 200
            kpis = reader.query("overview/kpis", Filters()).iloc[0]
            assert (kpis["active_customers"], kpis["total_interactions"]) == (10, 30)
        finally:
            reader.close()  # before the unmount


def test_the_dashboard_on_a_read_only_data_folder_says_so_and_does_not_start(tmp_path, served):
    folder = tmp_path / "data"
    with tmpfs(folder, ROOMY):
        _copy_served(served, folder)
        remount(folder, "ro")
        env = {**os.environ, "CUSTOMER_INSIGHT_DATA_DIR": str(folder), "COLUMNS": "200"}
        for name in ("CUSTOMER_INSIGHT_WAREHOUSE_URL", "CUSTOMER_INSIGHT_APP_DB_URL"):
            env.pop(name, None)
        result = subprocess.run([CLI, "serve", "--port", "8097"], env=env, capture_output=True, text=True,
                                timeout=120)
    assert result.returncode == 3, _said(result)
    assert "Traceback" not in result.stderr + result.stdout
    assert _said(result).endswith(
        f"error: cannot start: the folder {folder} is read-only (read-only file system). The dashboard keeps its query "
        f"cache and, unless CUSTOMER_INSIGHT_APP_DB_URL says otherwise, its app database (users, schedules) in the "
        f"data folder {folder}: make it writable, or set CUSTOMER_INSIGHT_DATA_DIR to a writable folder (and "
        "CUSTOMER_INSIGHT_WAREHOUSE_URL=duckdb:///<path of the warehouse file> to serve a warehouse that stays "
        "read-only).")
