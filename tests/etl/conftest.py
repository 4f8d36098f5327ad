from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

SAMPLES = Path(__file__).resolve().parents[3] / "shared" / "samples"
CLI = str(Path(sys.executable).with_name("customer-insight"))


def run_cli(data_dir: Path, *args: str, check: bool = True, timeout: float = 600) -> subprocess.CompletedProcess:
    """Run the installed `customer-insight` command with its warehouse in data_dir."""
    env = {**os.environ, "CUSTOMER_INSIGHT_DATA_DIR": str(data_dir), "COLUMNS": "200"}
    env.pop("CUSTOMER_INSIGHT_WAREHOUSE_URL", None)
    result = subprocess.run([CLI, *args], env=env, capture_output=True, text=True, timeout=timeout)
    if check and result.returncode != 0:
        raise AssertionError(f"customer-insight {' '.join(args)} failed ({result.returncode}):\n"
                             f"{result.stdout}\n{result.stderr}")
    return result


@pytest.fixture(scope="session")
def samples() -> Path:
    return SAMPLES
