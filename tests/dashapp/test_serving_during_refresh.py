"""The dashboard keeps serving while a refresh runs and after a failed or killed one (issue 9, "Faults"): the real
server (`customer-insight serve`, one gunicorn worker) on a warehouse first loaded from the 10-customer sample, its
"Refresh data" button pressed through Dash's HTTP endpoint as the browser does, and a reader polling meanwhile.

The tests share one server; each one leaves the data it found in service, except the first, which swaps the
sample it finds for the other one (10 → 100 customers when run in file order). Expected answers are counted from
the source files themselves, never read back from the warehouse."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import signal
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

from config.settings import load_settings
from etl.refresh import STATUS_FILE, RefreshState, read_state
from tests.dashapp.conftest import load_sample_copy, prd10_source
from tests.e2e.conftest import running_server
from tests.etl.conftest import SAMPLES

SMALL, BIG = SAMPLES / "prd_raw_10", SAMPLES / "prd_raw_100"
REFRESH = "..refresh-status.children...refresh-poll.interval...refresh-show.className...refresh-start.disabled.."
CHIPS = "..filter-chips.children...in-view-counts.children.."
ALL_DATES = {"date_from": "2020-01-01", "date_to": "2030-12-31"}  # around every record of both samples
RECORD_FILES = ("customer_interactions.json", "support_tickets.json", "product_reviews.json")


@dataclass
class Served:
    url: str
    source: Path
    data: Path

    def state(self) -> RefreshState:
        return read_state(load_settings({"CUSTOMER_INSIGHT_DATA_DIR": str(self.data)}))


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    root = tmp_path_factory.mktemp("serving")
    source, data = prd10_source(tmp_path_factory), root / "data"  # SMALL, in a folder whose load is made once
    load_sample_copy(tmp_path_factory, source, data)
    # the refresh reloads the source of the last load: `source`
    with running_server(data, workers=1, log=root / "server.log", CUSTOMER_INSIGHT_SCHEDULER="off",
                        CUSTOMER_INSIGHT_REFRESH_SOURCE=None) as (url, _pid):
        yield Served(url, source, data)


def expected(folder: Path) -> tuple[int, int, int]:
    """(customers, records in view, interactions) of a source folder, counted from its JSON files."""
    def count(name: str) -> int:
        return len(json.loads((folder / name).read_text()))
    return count("customers.json"), sum(count(name) for name in RECORD_FILES), count("customer_interactions.json")


def put(sample: Path, source: Path) -> None:
    """The source system's next export: the files of `sample` in the source folder."""
    for name in os.listdir(sample):
        shutil.copy(sample / name, source / name)


def callback(url: str, output: str, inputs: list[dict], changed: str, state: list[dict]) -> tuple[int, dict]:
    outputs = [{"id": part.split(".")[0], "property": part.split(".")[1]} for part in output.strip(".").split("...")]
    body = json.dumps({"output": output, "outputs": outputs, "inputs": inputs, "changedPropIds": [changed],
                       "state": state}).encode()
    request = urllib.request.Request(url + "/_dash-update-component", data=body,
                                     headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read())["response"]
    except urllib.error.HTTPError as exc:
        return exc.code, {"error": exc.read()[:500].decode(errors="replace")}


def press(url: str, page_version: str, click: bool) -> dict:
    """The header's refresh callback: the button pressed, or the status poll every page makes."""
    inputs = [{"id": "refresh-start", "property": "n_clicks", "value": 1 if click else None},
              {"id": "refresh-poll", "property": "n_intervals", "value": 2}]
    status, answer = callback(url, REFRESH, inputs, "refresh-start.n_clicks" if click else "refresh-poll.n_intervals",
                              [{"id": "refresh-version", "property": "data", "value": page_version}])
    assert status == 200, answer
    return {key: next(iter(value.values())) for key, value in answer.items()}


def page_version(url: str) -> str:
    """The data version a page drawn now carries (the refresh-version store of its layout)."""
    stack = [json.loads(urllib.request.urlopen(url + "/_dash-layout", timeout=30).read())]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            if item.get("props", {}).get("id") == "refresh-version":
                return item["props"]["data"]
            stack += list(item.values())
        elif isinstance(item, list):
            stack += item
    raise AssertionError("no refresh-version store in the layout")


def served_data(url: str) -> tuple[int, int, int]:
    """What the server answers now: the customers and records in view (the count above the tabs) and the rows of
    the interactions CSV export, each from its own request; plus the page itself answers 200."""
    status, answer = callback(url, CHIPS, [{"id": "filters", "property": "data", "value": ALL_DATES}],
                              "filters.data", [])
    assert status == 200, answer
    text = answer["in-view-counts"]["children"]  # "10 customers · 70 records in view"
    customers, records = (int(part.split()[0].replace(",", "")) for part in text.split(" · "))
    with urllib.request.urlopen(url + "/export/interactions.csv?range=all", timeout=30) as response:
        assert response.status == 200
        rows = list(csv.DictReader(io.StringIO(response.read().decode("utf-8-sig"))))
    with urllib.request.urlopen(url + "/", timeout=30) as page:
        assert page.status == 200 and b"_dash-config" in page.read()
    return customers, records, len(rows)


def wait_until_finished(served: Served, timeout: float = 240) -> RefreshState:
    deadline = time.monotonic() + timeout
    while (state := served.state()).state == "running":
        assert time.monotonic() < deadline, "the refresh did not finish"
        time.sleep(0.3)
    return state


def test_every_request_gets_the_old_or_the_new_data_while_a_refresh_runs(served):
    old = expected(served.source)
    assert old[0] in (10, 100) and served_data(served.url) == old  # 10 customers when run first
    put(BIG if old[0] == 10 else SMALL, served.source)
    new = expected(served.source)
    assert new[0] == 110 - old[0]
    drawn = page_version(served.url)
    started = press(served.url, drawn, click=True)
    assert started["refresh-status"].startswith("Refreshing data (started") and started["refresh-start"] is True
    answers = []  # (state before, answer, state after)
    deadline = time.monotonic() + 240
    while True:
        before = served.state().state
        answers.append((before, served_data(served.url), served.state().state))
        if before != "running":  # one whole round of requests after the refresh ended
            break
        assert time.monotonic() < deadline, "the refresh did not finish"
        time.sleep(0.2)
    assert served.state().state == "done", served.state().message
    seen = [answer for _before, answer, _after in answers]
    assert set(seen) <= {old, new}, seen  # never an error, never a mix of the two warehouses
    assert seen[-1] == new and seen == sorted(seen, key=lambda answer: answer == new)  # once new, never old again
    while_running = [answer for before, answer, after in answers if before == after == "running"]
    assert len(while_running) >= 3 and old in while_running, answers
    after = press(served.url, drawn, click=False)  # the page drawn before: offered the new data
    assert after["refresh-status"].startswith("New data loaded at") and after["refresh-start"] is False
    assert "d-none" not in after["refresh-show"]


def test_a_failed_refresh_says_which_file_and_the_old_data_keeps_serving(served):
    before = expected(served.source)
    customers = served.source / "customers.json"
    good = customers.read_text()
    drawn = page_version(served.url)
    customers.write_text(good[: len(good) // 2])  # an export cut short: a truncated JSON array
    try:
        assert press(served.url, drawn, click=True)["refresh-start"] is True
        state = wait_until_finished(served)
        assert state.state == "failed" and str(customers) in state.message and "invalid JSON" in state.message
        shown = press(served.url, drawn, click=False)
        assert shown["refresh-status"].startswith("Refresh failed: ") and str(customers) in shown["refresh-status"]
        assert shown["refresh-start"] is False and shown["refresh-poll"] == 60_000  # the button works again
        assert "d-none" in shown["refresh-show"] and served_data(served.url) == before
    finally:
        customers.write_text(good)
    assert press(served.url, drawn, click=True)["refresh-start"] is True  # the next refresh runs
    state = wait_until_finished(served)
    assert state.state == "done" and "nothing to do" in state.message  # the files of the data in service
    assert press(served.url, drawn, click=False)["refresh-status"] == ""  # the failure is no longer shown
    assert served_data(served.url) == before


def test_a_killed_refresh_reads_as_failed_and_the_old_data_keeps_serving(served):
    before = expected(served.source)
    drawn = page_version(served.url)
    put(SMALL if before[0] == 100 else BIG, served.source)  # new files: the load has real work to do
    try:
        assert press(served.url, drawn, click=True)["refresh-start"] is True
        pid = json.loads((served.data / STATUS_FILE).read_text())["pid"]
        deadline = time.monotonic() + 60
        while not list(served.data.glob("warehouse.duckdb.building*")):  # killed in the middle of the load
            assert time.monotonic() < deadline and served.state().state == "running", served.state()
            time.sleep(0.1)
        os.kill(pid, signal.SIGKILL)
        shown = press(served.url, drawn, click=False)
        deadline = time.monotonic() + 10
        while shown["refresh-start"]:  # the server reaps its child: at the next poll it is gone
            assert time.monotonic() < deadline, shown
            time.sleep(0.2)
            shown = press(served.url, drawn, click=False)
        assert shown["refresh-status"].startswith("Refresh failed: the load stopped unexpectedly")
        assert served.state().state == "failed" and served_data(served.url) == before
    finally:
        put(BIG if before[0] == 100 else SMALL, served.source)
    assert expected(served.source) == before
    press(served.url, drawn, click=True)  # and a refresh after it runs (the killed load's lock is not in the way)
    assert wait_until_finished(served).state == "done" and served_data(served.url) == before


def test_a_state_file_that_cannot_be_written_is_a_clear_status_not_a_500(served):
    before = expected(served.source)
    drawn = page_version(served.url)
    status_file = served.data / STATUS_FILE
    kept = status_file.read_bytes() if status_file.exists() else None
    log = served.data / "refresh.log"
    log_before = log.read_bytes() if log.exists() else None
    status_file.unlink(missing_ok=True)
    status_file.mkdir()  # no write can replace it, even as root
    try:
        shown = press(served.url, drawn, click=True)
        assert shown["refresh-status"].startswith(f"Refresh failed: the refresh state file {status_file} cannot "
                                                  "be written")
        assert shown["refresh-start"] is False and shown["refresh-poll"] == 60_000
        assert list(served.data.glob(f".{STATUS_FILE}.*")) == []  # no half-written state left behind
        assert (log.read_bytes() if log.exists() else None) == log_before  # no load was started
        assert served_data(served.url) == before
    finally:
        status_file.rmdir()
        if kept is not None:
            status_file.write_bytes(kept)
