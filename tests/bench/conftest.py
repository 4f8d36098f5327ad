"""Warehouses for the bench tests, each made once per session: the 100-customer PRD sample (loaded through the CLI)
and the generator's scale S, made by `customer-insight bench --scale S` itself (whose run the command tests read)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest

from config.settings import load_settings
from tests.etl.conftest import SAMPLES, run_cli


@dataclass
class BenchRun:
    data_dir: Path
    stdout: str
    results: dict

    @property
    def folder(self) -> Path:
        return self.data_dir / "bench" / "S"


@pytest.fixture(scope="session")
def prd_settings(tmp_path_factory):
    data = tmp_path_factory.mktemp("bench-prd")
    run_cli(data, "load", "--source", str(SAMPLES / "prd_raw_100"))
    return load_settings({"CUSTOMER_INSIGHT_DATA_DIR": str(data)})


@pytest.fixture(scope="session")
def scale_s_run(tmp_path_factory) -> BenchRun:
    """One run of the command at scale S (a timed run per tab, the baseline on), generating and loading the data."""
    data = tmp_path_factory.mktemp("bench-data")
    out = data / "results.json"
    done = run_cli(data, "bench", "--scale", "S", "--runs", "1", "--out", str(out), timeout=900)
    return BenchRun(data, done.stdout, json.loads(out.read_text()))


@pytest.fixture(scope="session")
def scale_s_settings(scale_s_run):
    return load_settings({"CUSTOMER_INSIGHT_DATA_DIR": str(scale_s_run.folder)})
