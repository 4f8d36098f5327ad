"""Browser tests: the real server (`customer-insight serve`, gunicorn) and real headless Chromium."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psutil
import pytest

from tests.conftest import SAMPLES, run_cli_on

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CLI = str(Path(sys.executable).with_name("customer-insight"))
# Flags for a closed network: no background connections that would be refused or time out.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def running_server(data_dir: Path, workers: int = 1, log: Path | None = None,
                   **settings: str | None) -> Iterator[tuple[str, int]]:
    """`customer-insight serve` on a free port of 127.0.0.1, its warehouse in data_dir and the environment's other
    settings, as (URL without a final "/", pid of the gunicorn master) while the block runs. settings: environment
    variables for the server (None removes one). Its output goes to `log` (default data_dir/server.log): a pipe that
    nobody reads would block the server once full."""
    port = free_port()
    # reports not made ready at the start unless asked (tests/e2e/test_server.py, the shared prd100 server that the
    # report downloads use): ~7 CPU-s a worker that the other tests' servers would spend for nothing
    env = {**os.environ, "CUSTOMER_INSIGHT_DATA_DIR": str(data_dir), "CUSTOMER_INSIGHT_WAREHOUSE_URL": None,
           "CUSTOMER_INSIGHT_REPORTS_READY": "off", **settings}
    log = log or data_dir / "server.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [CLI, "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)],
            env={k: v for k, v in env.items() if v is not None}, stdout=out, stderr=subprocess.STDOUT,
            start_new_session=True)  # a process group of its own: stop() kills it in one go
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    try:
        while True:
            try:
                urllib.request.urlopen(url, timeout=2)
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"the server did not start:\n{log.read_text()}") from None
                time.sleep(0.3)
        yield url, process.pid
    finally:
        stop(process)


def stop(process: subprocess.Popen) -> None:
    """Kill the server, its workers and whatever they started (Chromium for a PDF, a scheduler run). Not gunicorn's
    graceful stop (SIGTERM): each worker, a fork of the master with the whole app in memory, then takes 1-3 s of CPU
    to tear its objects down one by one, 3-4 s for one server and 10 s for three at once, and stopping is no part
    of these tests (tests/bench/test_server.py stops the server as an operator does)."""
    try:
        family = psutil.Process(process.pid).children(recursive=True)
    except psutil.NoSuchProcess:
        family = []
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)  # the master with the rest: it cannot start new workers meanwhile
    process.wait(timeout=20)
    for other in family:  # any that left the group
        with contextlib.suppress(psutil.NoSuchProcess):
            other.kill()
    deadline = time.monotonic() + 20
    while any(_alive(other) for other in family) and time.monotonic() < deadline:
        time.sleep(0.05)


def _alive(process: psutil.Process) -> bool:
    """Still running: not gone and not a zombie (the orphans' new parent, PID 1, reaps them in its own time)."""
    try:
        return process.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def start_server(data_dir: Path, workers: int = 1, **settings: str) -> Iterator[str]:
    """For a module fixture: `yield from start_server(data)` gives the server's URL ending in "/". Its scheduler
    (a `customer-insight schedule run` every minute from the master, 3 s of CPU each) is off: the browser tests
    send no scheduled reports (the server's scheduler: tests/reports/test_schedule.py)."""
    with running_server(data_dir, workers, CUSTOMER_INSIGHT_SCHEDULER="off", **settings) as (url, _pid):
        yield url + "/"


@pytest.fixture(scope="package")
def prd100_server(tmp_path_factory) -> Iterator[str]:
    """The 100-customer PRD sample served with sign-in off (URL ending in "/"), one server for the modules of this
    folder that only read it (test_dashboard, test_reports_ui): a server of their own each cost a start and a stop
    (3-4 s each). What they write, a saved view and a short link of the user "local", is read back only by the test
    that wrote it; a module that changes what others would see (preferences, users) starts its own server."""
    data = tmp_path_factory.mktemp("e2e-prd100")
    run_cli_on(data, None, "load", "--source", str(SAMPLES / "prd_raw_100"))
    yield from start_server(data, CUSTOMER_INSIGHT_REPORTS_READY="on")  # test_reports_ui downloads reports


def settled(page, quiet_ms: int = 500, timeout: float = 60_000) -> None:
    """Wait until no part of the page has waited for a callback for quiet_ms in a row (Dash marks the outputs of a
    callback under way with data-dash-is-loading; quiet_ms covers a callback fired by another's answer). Instead of a
    fixed sleep: 1.5-2 s every time, and on a slow server not enough."""
    page.evaluate("() => { window.__settledSince = undefined; }")
    page.wait_for_function("""(quiet) => {
        if (document.querySelector('[data-dash-is-loading=true]')) { window.__settledSince = undefined; return false; }
        window.__settledSince = window.__settledSince ?? performance.now();
        return performance.now() - window.__settledSince >= quiet;
    }""", arg=quiet_ms, timeout=timeout)


def browse(browser, url: str):
    """A fresh browser context (1366 × 900) on `url`, collecting console errors and uncaught page errors: the
    tests assert the list is empty. Returns (context, page, errors)."""
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(url)
    return context, page, errors


@pytest.fixture(scope="session")
def browser():
    if CHROMIUM is None:
        pytest.fail("Chromium is not installed: run scripts/system-packages.sh test")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield instance
        instance.close()
