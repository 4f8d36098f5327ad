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


def start_server(data_dir: Path, workers: int = 1) -> Iterator[str]:
    port = free_port()
    env = {**os.environ, "CUSTOMER_INSIGHT_DATA_DIR": str(data_dir)}
    env.pop("CUSTOMER_INSIGHT_WAREHOUSE_URL", None)
    process = subprocess.Popen([CLI, "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)],
                               env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2)
            break
        except OSError:
            if process.poll() is not None:
                raise RuntimeError(process.stdout.read().decode()) from None
            time.sleep(0.3)
    else:
        process.kill()
        raise RuntimeError("server did not start in 60 s")
    try:
        yield url
    finally:
        process.terminate()
        process.wait(timeout=20)


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
