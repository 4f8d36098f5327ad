"""Browser tests: the real server (`customer-insight serve`, gunicorn) and real headless Chromium."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

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
    env = {**os.environ, "CUSTOMER_INSIGHT_DATA_DIR": str(data_dir), "CUSTOMER_INSIGHT_WAREHOUSE_URL": None,
           **settings}
    log = log or data_dir / "server.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [CLI, "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)],
            env={k: v for k, v in env.items() if v is not None}, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(url, timeout=2)
            break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise RuntimeError(f"the server did not start:\n{log.read_text()}") from None
            time.sleep(0.3)
    try:
        yield url, process.pid
    finally:
        process.terminate()
        process.wait(timeout=20)


def start_server(data_dir: Path, workers: int = 1) -> Iterator[str]:
    """For a module fixture: `yield from start_server(data)` gives the server's URL ending in "/"."""
    with running_server(data_dir, workers) as (url, _pid):
        yield url + "/"


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
