""""Refresh data": the configured load re-run in a background process while the old warehouse keeps serving, its
state shared through data_dir/refresh.json, the dashboard's button and status through Dash's HTTP endpoint."""

from __future__ import annotations

import json
import os
import shutil
import time

import pytest

from etl.refresh import RefreshState, read_state, start_refresh, write_state
from tests.conftest import copy_enrichment_cache
from tests.dashapp.conftest import refreshable_sample
from tests.etl.conftest import SAMPLES
from warehouse.filters import Filters
from warehouse.reader import WarehouseReader


def customers_in(folder) -> int:
    return len(json.loads((folder / "customers.json").read_text()))


def wait_for(settings, timeout: float = 240) -> RefreshState:
    deadline = time.monotonic() + timeout
    while (state := read_state(settings)).state == "running":
        assert time.monotonic() < deadline, "the refresh did not finish"
        time.sleep(0.5)
    return state


def customers_loaded(reader: WarehouseReader) -> int:
    first, last = reader.date_bounds()
    return int(reader.query("filters/in_view_counts", Filters(date_from=first, date_to=last)).iloc[0]["customers"])


@pytest.fixture()
def loaded(tmp_path_factory, tmp_path, monkeypatch):
    return refreshable_sample(tmp_path_factory, tmp_path, monkeypatch)


def history(data) -> list[dict]:
    reader = WarehouseReader(data / "warehouse.duckdb")
    try:
        return reader.query("loads/load_history").to_dict("records")
    finally:
        reader.close()


def test_a_refresh_reloads_the_last_source_and_swaps_the_new_warehouse_in(loaded):
    source, data, settings = loaded
    reader = WarehouseReader(data / "warehouse.duckdb")  # a reader that stays open, as a dashboard worker's does
    before = reader.version
    assert customers_loaded(reader) == customers_in(SAMPLES / "prd_raw_10") == 10
    for name in os.listdir(SAMPLES / "prd_raw_100"):  # the source system now exports 100 customers
        shutil.copy(SAMPLES / "prd_raw_100" / name, source / name)
    copy_enrichment_cache(SAMPLES / "prd_raw_100", data)  # spares the refresh a cold enrichment of their texts
    state = start_refresh(settings, history(data))
    assert state.state == "running" and state.source == str(source)
    assert start_refresh(settings, history(data)).pid == state.pid  # a second click joins the running refresh
    assert wait_for(settings).state == "done"
    assert reader.version != before
    runs = reader.query("loads/load_history")
    assert len(runs) == 2 and (runs["status"] == "success").all()
    assert customers_loaded(reader) == customers_in(source) == 100  # the open reader serves the new warehouse
    reader.close()


def test_an_unchanged_source_is_done_with_nothing_to_do(loaded):
    _source, data, settings = loaded
    start_refresh(settings, history(data))
    state = wait_for(settings)
    assert state.state == "done" and "nothing to do" in state.message


def test_a_gone_source_or_a_killed_refresh_is_a_clear_failure(loaded):
    source, data, settings = loaded
    shutil.rmtree(source)
    state = start_refresh(settings, history(data))
    assert state.state == "failed" and str(source) in state.message
    write_state(settings, RefreshState("running", str(source), "2026-11-21T10:00:00+00:00", pid=2**22 + 12345))
    state = read_state(settings)
    assert state.state == "failed" and "stopped unexpectedly" in state.message
