"""One warehouse of the PRD sample (100 customers) for every report test, loaded once through the CLI."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result

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


def cli_here(data_dir: Path, *args: str, check: bool = False) -> Result:
    """`customer-insight ARGS` run in this process by click's test runner, on the warehouse in data_dir: the same
    command without a Python start-up and imports (3 s) and, for a PDF, a Chromium start (the process's browser is
    kept between reports) each time. For tests about what the command does, not about its process: the installed
    command itself is run by tests/reports/test_pdf.py, test_full_report.py and test_tab_coverage.py.
    check: fail with the command's output unless it exits 0 (as run_cli)."""
    env = {"CUSTOMER_INSIGHT_DATA_DIR": str(data_dir), "COLUMNS": "200", "CUSTOMER_INSIGHT_WAREHOUSE_URL": None}
    from cli.main import main  # here: the CLI's imports are paid by the tests that use it

    result = CliRunner().invoke(main, list(args), env=env)
    if check and result.exit_code != 0:
        raise AssertionError(f"customer-insight {' '.join(args)} failed ({result.exit_code}):\n{result.stdout}\n"
                             f"{result.stderr}") from result.exception
    return result
