"""`customer-insight serve` in a process of its own on a free 127.0.0.1 port, for the load test: started, waited
for, and stopped (its whole process group: gunicorn's master and workers)."""

from __future__ import annotations

import contextlib
import inspect
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from typing import IO, Any

from config.settings import DATA_DIR_ENV, REPORTS_READY_ENV, SCHEDULER_ENV, WAREHOUSE_URL_ENV, Settings

READY_TIMEOUT_S = 120.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def serving(settings: Settings, workers: int = 2) -> Iterator[tuple[str, int]]:
    """The dashboard served from settings' warehouse: yields (base URL, server pid)."""
    port = free_port()
    # no scheduler: the bench's data folder has no schedules, and its child processes would count as the server's;
    # reports not made ready: the load test makes none, and their start (~7 CPU-s a worker) would run into its
    # first seconds
    env = {**os.environ, DATA_DIR_ENV: str(settings.data_dir), WAREHOUSE_URL_ENV: settings.warehouse_url,
           SCHEDULER_ENV: "off", REPORTS_READY_ENV: "off"}
    command = [sys.executable, "-c", "from cli.main import main; main()", "serve", "--host", "127.0.0.1",
               "--port", str(port), "--workers", str(workers)]
    url = f"http://127.0.0.1:{port}"
    # its log goes to a file: a pipe nobody reads would fill up and stop the server mid-test
    with tempfile.TemporaryFile() as log:
        server = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            _wait_ready(url, server, log)
            yield url, server.pid
        finally:
            _stop(server)


def _stop(server: subprocess.Popen) -> None:
    """The server's whole process group (gunicorn's master and workers), politely, then not."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(server.pid, signal.SIGKILL)
        server.wait()


def _wait_ready(url: str, server: subprocess.Popen, log: IO[bytes]) -> None:
    deadline = time.monotonic() + READY_TIMEOUT_S
    while time.monotonic() < deadline:
        if server.poll() is not None:
            log.seek(0)
            raise RuntimeError(f"the server stopped ({server.returncode}): {log.read().decode()[-2000:]}")
        try:
            with urllib.request.urlopen(url + "/", timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError(f"the server did not answer on {url} within {READY_TIMEOUT_S:.0f} s")


def load_test(settings: Settings, users: int, seconds: int) -> dict[str, Any]:
    """bench.loadtest.run_load_test against a server started for it; its result, with a printable text."""
    try:
        from bench import loadtest
    except ImportError as exc:
        raise RuntimeError("the load test (bench/loadtest.py) is not part of this installation") from exc
    with serving(settings) as (url, pid):
        accepted = inspect.signature(loadtest.run_load_test).parameters
        extra = {"server_pid": pid} if "server_pid" in accepted else {}
        result = loadtest.run_load_test(url, users, seconds, **extra)
    formatter = getattr(loadtest, "format_result", None)
    if formatter is not None:
        result = {**result, "text": formatter(result)}
    return result
