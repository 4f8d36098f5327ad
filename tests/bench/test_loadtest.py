"""The load test against the real server: `customer-insight serve` (gunicorn) on the 100-customer PRD sample, a few
simulated users (locust, in a process of its own), and the simulated page checked against real headless Chromium."""

from __future__ import annotations

import json
import time
import urllib.request
from collections import Counter

import psutil
import pytest

from bench.loadtest import run_load_test
from bench.loadtest_page import DashPage, drive, short_name
from dashapp.state import TABS
from dashapp.tabs import TAB_MODULES
from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, running_server
from tests.e2e.test_dashboard import pick  # a sidebar dropdown chosen as a user does
from tests.etl.conftest import SAMPLES, run_cli


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """(URL, pid) of `customer-insight serve` with one gunicorn worker, the scheduler off (no child processes)."""
    data = tmp_path_factory.mktemp("loadtest")
    run_cli(data, "load", "--source", str(SAMPLES / "prd_raw_100"))
    with running_server(data, workers=1, CUSTOMER_INSIGHT_SCHEDULER="off") as (url, pid):
        yield url, pid


def _get(url: str) -> object:
    return json.loads(urllib.request.urlopen(url, timeout=30).read())


def _ids(component, found: set[str]) -> set[str]:
    if hasattr(component, "to_plotly_json"):
        props = component.to_plotly_json()["props"]
        if isinstance(props.get("id"), str):
            found.add(props["id"])
        for value in props.values():
            for child in value if isinstance(value, list) else [value]:
                _ids(child, found)
    return found


def test_simulated_users_against_the_real_server(server):
    url, pid = server
    result = run_load_test(url + "/", 5, 8, server_pid=pid, think=(0.5, 1.5))
    # right after the run, the server's memory as psutil reads it (the load test reads /proc itself)
    tree = [psutil.Process(pid), *psutil.Process(pid).children(recursive=True)]
    rss_now = sum(p.memory_info().rss for p in tree) / 2**20

    assert result["errors"] == {"total": 0, "by_kind": {}}, result["errors"]
    assert set(result["by_tab"]) == set(TABS)  # every tab of the dashboard was loaded
    # on each tab, every callback a page load must fire: those writing into the tab's own layout (the tab modules'
    # layout(), not what the load test saw) whose inputs are all on the page and that run on a page load
    shell = _ids_json(_get(url + "/_dash-layout"))
    dependencies = _get(url + "/_dash-dependencies")
    for module in TAB_MODULES:
        own = _ids(module.layout(), set())
        expected = {short_name(d["output"]) for d in dependencies
                    if not d["clientside_function"] and not d["prevent_initial_call"]
                    and short_name(d["output"]).split(" ")[0] in own
                    and all(i["id"] in own | shell for i in d["inputs"])}
        called = result["by_tab"][module.TAB_ID]["callbacks"]
        assert expected and expected <= set(called), (module.TAB_ID, expected - set(called))
        assert result["by_tab"][module.TAB_ID]["page_complete"]["count"] >= 1
    calls = sum(sum(row["callbacks"].values()) for row in result["by_tab"].values())
    assert result["callback"]["count"] == calls and result["requests"] >= calls + 3 * 5  # + each user's page open
    assert result["requests_per_s"] == pytest.approx(result["requests"] / result["duration_s"])
    for stats in (result["callback"], result["page_complete"], result["filter_change"]):
        assert 0 < stats["p50_ms"] <= stats["p95_ms"] <= stats["p99_ms"] < 30_000
    # a page is complete after its slowest callback at least
    assert result["page_complete"]["p99_ms"] >= max(s["p50_ms"] for s in result["callbacks"].values())
    server_use = result["server"]
    assert server_use["pid"] == pid and server_use["samples"] >= 8 and server_use["processes"] == 2  # master, worker
    assert server_use["rss_peak_mb"] >= server_use["rss_end_mb"] > server_use["pss_end_mb"] > 50
    assert server_use["rss_end_mb"] == pytest.approx(rss_now, rel=0.15)
    assert server_use["cpu_s"] > 0


def _ids_json(tree: object) -> set[str]:
    """Component ids in a layout as JSON (what /_dash-layout sends)."""
    found: set[str] = set()
    stack = [tree]
    while stack:
        item = stack.pop()
        if isinstance(item, list):
            stack += item
        elif isinstance(item, dict):
            if isinstance(item.get("props", {}).get("id"), str) and "namespace" in item:
                found.add(item["props"]["id"])
            stack += list(item.get("props", item).values())
    return found


class _Done:
    """An answer already there: drive() one callback at a time, with a plain HTTP client."""

    def __init__(self, value: object) -> None:
        self.value = value

    def get(self) -> object:
        return self.value


def _simulate(url: str, page: DashPage, pending: dict[str, set[str]]) -> Counter:
    called: Counter = Counter()

    def call(key: str, body: dict) -> dict | None:
        called[short_name(key)] += 1
        request = urllib.request.Request(url + "/_dash-update-component", data=json.dumps(body).encode(),
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=60) as answer:
            return json.loads(answer.read()) if answer.status == 200 else None

    drive(page, pending, call, lambda fn, *args: _Done(fn(*args)), lambda handles: handles[:1])
    return called


class _Recorder:
    """The callbacks a real browser page asks the server for, and a wait until it has asked for all of them."""

    # dash-renderer's queues of callbacks (its redux store, window.store): all empty = nothing more to ask for
    IDLE = ("() => { const c = window.store && window.store.getState().callbacks; return !!c && ['requested', "
            "'prioritized', 'blocked', 'executing', 'watched', 'executed', 'stored'].every(k => !c[k].length); }")

    def __init__(self, page) -> None:
        self.called: Counter = Counter()
        self.in_flight = 0
        page.on("request", self._sent)
        page.on("requestfinished", self._done)
        page.on("requestfailed", self._done)

    def _sent(self, request) -> None:
        if "/_dash-update-component" in request.url:
            self.called[short_name(json.loads(request.post_data)["output"])] += 1
        self.in_flight += 1  # any request: a callback can wait for a component's script (plotly.js) to arrive

    def _done(self, _request) -> None:
        self.in_flight -= 1

    def settle(self, page) -> Counter:
        deadline, quiet_since = time.monotonic() + 60, None
        while quiet_since is None or time.monotonic() - quiet_since < 0.5:  # idle, and still idle 0.5 s later
            assert time.monotonic() < deadline, "the page kept calling the server"
            page.wait_for_timeout(100)
            idle = not self.in_flight and page.evaluate(self.IDLE)
            quiet_since = (quiet_since or time.monotonic()) if idle else None
        called, self.called = self.called, Counter()
        return called


def test_the_simulated_page_calls_what_chromium_calls(server):
    """A page load of a link to the Segmentation tab (callbacks waiting for others' outputs: the clustering; a
    server-side grid), then one filter change: the same callbacks, as many times, as real Chromium asks for."""
    if CHROMIUM is None:
        pytest.fail("Chromium is not installed: run scripts/system-packages.sh test")
    from playwright.sync_api import sync_playwright

    url, _pid = server
    search = "?tab=segmentation&range=90d"
    model = DashPage(_get(url + "/_dash-layout"), _get(url + "/_dash-dependencies"))
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1366, "height": 900})
            recorder = _Recorder(page)
            page.goto(url + "/" + search)
            in_chromium = recorder.settle(page)
            pick(page, "f-risk", "High")
            after_filter = recorder.settle(page)
        finally:
            browser.close()
    # the model leaves pattern-matching callbacks out (the chips' remove buttons: they answer without a query)
    modelled = {short_name(key) for key in model.specs}
    in_chromium, after_filter = (Counter({k: n for k, n in c.items() if k in modelled}) for c in (in_chromium,
                                                                                                  after_filter))
    assert in_chromium["tab-content"] == 1 and len(in_chromium) > 10
    assert _simulate(url, model, model.load(search)) == in_chromium
    assert after_filter[short_name(model.sync)] == 1 and len(after_filter) > 5
    assert _simulate(url, model, model.change("f-risk", "value", ["High"])) == after_filter


def test_memory_drift_compares_the_middle_third_of_a_run_with_its_last():
    from bench.loadtest import memory_drift

    warm_up, middle, last = [100.0, 300.0, 380.0], [400.0, 404.0, 396.0], [410.0, 420.0, 414.0]
    drift = memory_drift([{"pss_mb": v} for v in warm_up + middle + last])
    assert drift == {"pss_middle_mb": 400.0, "pss_last_mb": 414.0, "pss_drift_pct": pytest.approx(3.5)}
    assert memory_drift([{"pss_mb": 1.0}] * 8)["pss_drift_pct"] is None  # too short a run to say
