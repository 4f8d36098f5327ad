"""The charts' browser (reports.charts): one Chromium per process, kept between reports, started again when it has
died, and closed after a while without reports - with real kaleido and Chromium."""

from __future__ import annotations

import time

import plotly.graph_objects as go
import psutil

from reports import charts
from reports.charts import render_svgs


def chromium_pids(root: int | None = None) -> set[int]:
    """The browser processes (not their helper processes) started by this test process (or by process `root`)."""
    found = set()
    for process in psutil.Process(root).children(recursive=True):
        try:
            if ("chrom" in process.name().lower() and process.status() != psutil.STATUS_ZOMBIE
                    and not any(a.startswith("--type=") for a in process.cmdline())):
                found.add(process.pid)
        except psutil.Error:  # ended meanwhile
            continue
    return found


def bars(label: str) -> go.Figure:
    return go.Figure(go.Bar(x=[label, "b"], y=[3, 5]))


def test_reports_share_one_browser_which_is_replaced_when_it_died_and_closed_when_idle(monkeypatch):
    charts._BROWSER.close()  # the one earlier tests kept; browsers of other tests (Playwright's) are not ours
    others = chromium_pids()
    [first] = render_svgs([bars("first")])
    assert b"first" in first
    browsers = chromium_pids() - others
    assert len(browsers) == 1
    [second] = render_svgs([bars("second")])
    assert b"second" in second and chromium_pids() - others == browsers  # the next report drew with the same browser

    for pid in browsers:  # killed while idle (out of memory, an operator): the next report starts a new one
        process = psutil.Process(pid)
        process.kill()
        gone, _ = psutil.wait_procs([process], timeout=20)  # reaped by us or by choreographer's watchdog
        assert gone
    [third] = render_svgs([bars("third")])
    assert b"third" in third
    replaced = chromium_pids() - others
    assert len(replaced) == 1 and not replaced & browsers

    monkeypatch.setattr(charts, "IDLE_SECONDS", 0.2)
    render_svgs([bars("last")])
    deadline = time.monotonic() + 20
    while chromium_pids() - others and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not chromium_pids() - others  # closed after the idle time
    [again] = render_svgs([bars("again")])  # and the next report starts one again
    assert b"again" in again
