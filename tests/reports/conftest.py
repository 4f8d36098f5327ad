"""One warehouse of the PRD sample (100 customers) for every report test, loaded once through the CLI."""

from __future__ import annotations

import pytest

from tests.etl.conftest import SAMPLES, run_cli


@pytest.fixture(scope="session")
def data_dir(tmp_path_factory):
    data = tmp_path_factory.mktemp("reports")
    run_cli(data, "load", "--source", str(SAMPLES / "prd_raw_100"))
    return data
