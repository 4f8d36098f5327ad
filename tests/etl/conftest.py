from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import run_cli_on

SAMPLES = Path(__file__).resolve().parents[3] / "shared" / "samples"
CLI = str(Path(sys.executable).with_name("customer-insight"))


def run_cli(data_dir: Path, *args: str, check: bool = True, timeout: float = 600) -> subprocess.CompletedProcess:
    """Run the installed `customer-insight` command with its warehouse in data_dir (tests/conftest.py run_cli_on)."""
    return run_cli_on(data_dir, None, *args, check=check, timeout=timeout)


@pytest.fixture(scope="session")
def samples() -> Path:
    return SAMPLES
