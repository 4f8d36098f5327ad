"""`customer-insight serve` under gunicorn with several threaded workers: a browser's first page load fires
its script requests in parallel at workers that have served nothing yet; every one must succeed. A worker makes the
reports ready at its start (reports/ready.py)."""

from __future__ import annotations

import contextlib
import re
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

import psutil
import pytest

from reports.layout import LAYOUT_PROCESSES
from tests.e2e.conftest import running_server
from tests.etl.conftest import SAMPLES, run_cli
from tests.reports.test_charts import chromium_pids


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


def report_processes(master_pid: int) -> tuple[int, int]:
    """(layout workers, Chromium browsers) among the server's descendants (its worker's, it has one)."""
    layout = 0
    for process in psutil.Process(master_pid).children(recursive=True):
        with contextlib.suppress(psutil.Error):
            layout += process.cmdline()[1:3] == ["-m", "reports.layout"]
    return layout, len(chromium_pids(master_pid))


def test_a_server_worker_makes_the_reports_ready_at_its_start_unless_told_not_to(data_dir, tmp_path):
    home = {"HOME": str(tmp_path), "XDG_RUNTIME_DIR": None}  # where gunicorn would put its control socket
    with (running_server(data_dir, log=data_dir / "ready.log", CUSTOMER_INSIGHT_SCHEDULER="off",
                         CUSTOMER_INSIGHT_REPORTS_READY="on", **home) as (_url, ready),
          running_server(data_dir, log=data_dir / "not-ready.log", CUSTOMER_INSIGHT_SCHEDULER="off",
                         CUSTOMER_INSIGHT_REPORTS_READY="off") as (_other, not_ready)):
        deadline = time.monotonic() + 60  # in the background: the server answers before it is done
        while report_processes(ready) != (LAYOUT_PROCESSES, 1) and time.monotonic() < deadline:
            time.sleep(0.3)
        assert report_processes(ready) == (LAYOUT_PROCESSES, 1), (data_dir / "ready.log").read_text()
        assert report_processes(not_ready) == (0, 0)  # started by its first report instead
        # and no gunicorn control socket, whose one default path every server of the user would take over
        assert not (tmp_path / ".gunicorn").exists()


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
