"""`customer-insight serve` under gunicorn with several threaded workers: a browser's first page load fires
its script requests in parallel at workers that have served nothing yet; every one must succeed."""

from __future__ import annotations

import re
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.e2e.conftest import start_server
from tests.etl.conftest import SAMPLES, run_cli


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    data = tmp_path_factory.mktemp("e2e-server")
    run_cli(data, "load", "--source", str(SAMPLES / "prd_raw_10"))
    return data


def status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            response.read()
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


def test_parallel_first_requests_to_fresh_workers_all_succeed(data_dir):
    for _attempt in range(3):  # fresh servers: the race is on each worker's first requests
        server = start_server(data_dir, workers=2)
        url = next(server)
        try:
            page = urllib.request.urlopen(url, timeout=30).read().decode()
            scripts = [url.rstrip("/") + src for src in re.findall(r'src="(/_dash-component-suites/[^"]+)"', page)]
            assert len(scripts) >= 5
            with ThreadPoolExecutor(max_workers=8) as pool:
                codes = list(pool.map(status, scripts * 2))
            assert codes == [200] * len(codes), dict(zip(scripts * 2, codes, strict=True))
        finally:
            server.close()
