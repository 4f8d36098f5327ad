"""One warehouse of the PRD sample (100 customers) for every report test, loaded once through the CLI."""

from __future__ import annotations

import pytest

from tests.etl.conftest import SAMPLES, run_cli
from warehouse.reader import WarehouseReader


@pytest.fixture(scope="session")
def data_dir(tmp_path_factory):
    data = tmp_path_factory.mktemp("reports")
    run_cli(data, "load", "--source", str(SAMPLES / "prd_raw_100"))
    return data


@pytest.fixture(scope="module")
def reader(data_dir):
    """A reader of that warehouse, closed after the module's tests."""
    reader = WarehouseReader(data_dir / "warehouse.duckdb")
    yield reader
    reader.close()
