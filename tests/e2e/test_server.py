"""`customer-insight serve` under gunicorn with several threaded workers: a browser's first page load fires
its script requests in parallel at workers that have served nothing yet; every one must succeed."""

from __future__ import annotations

import re
import urllib.error
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

import pytest

from tests.e2e.conftest import running_server
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
    with fresh_servers(data_dir, count=3) as urls:  # fresh servers: the race is on each worker's first requests
        for url in urls:
            page = urllib.request.urlopen(url, timeout=30).read().decode()
            scripts = [url + src for src in re.findall(r'src="(/_dash-component-suites/[^"]+)"', page)]
            assert len(scripts) >= 5
            with ThreadPoolExecutor(max_workers=8) as pool:
                codes = list(pool.map(status, scripts * 2))
            assert codes == [200] * len(codes), dict(zip(scripts * 2, codes, strict=True))


@contextmanager
def fresh_servers(data_dir, count: int) -> Iterator[list[str]]:
    """The URLs of `count` new servers (2 workers each) on data_dir while the block runs. They start together and
    stop together: one after the other, their start-ups and shutdowns (3-4 s each, mostly waiting for a child
    process) made this test take 20 s."""
    servers = [running_server(data_dir, workers=2, log=data_dir / f"server-{n}.log", CUSTOMER_INSIGHT_SCHEDULER="off")
               for n in range(count)]
    with ThreadPoolExecutor(max_workers=count) as pool:
        starts = [pool.submit(server.__enter__) for server in servers]
        try:
            yield [start.result()[0] for start in starts]
        finally:
            started = [server for server, start in zip(servers, starts, strict=True) if start.exception() is None]
            for stop in [pool.submit(server.__exit__, None, None, None) for server in started]:
                stop.result()
