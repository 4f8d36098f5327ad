"""The header's "Refresh data" button and status through Dash's HTTP endpoint, on a real warehouse and load."""

from __future__ import annotations

import json
import os
import shutil

import pytest

from dashapp.app import create_app
from tests.dashapp.conftest import refreshable_sample
from tests.etl.conftest import SAMPLES
from tests.etl.test_refresh import wait_for


@pytest.fixture()
def loaded(tmp_path_factory, tmp_path, monkeypatch):
    return refreshable_sample(tmp_path_factory, tmp_path, monkeypatch)


def press(app, clicks: int | None, page_version: str) -> dict:
    payload = {
        "output": "..refresh-status.children...refresh-poll.interval...refresh-show.className..."
                  "refresh-start.disabled..",
        "outputs": [{"id": "refresh-status", "property": "children"}, {"id": "refresh-poll", "property": "interval"},
                    {"id": "refresh-show", "property": "className"}, {"id": "refresh-start", "property": "disabled"}],
        "inputs": [{"id": "refresh-start", "property": "n_clicks", "value": clicks},
                   {"id": "refresh-poll", "property": "n_intervals", "value": 1}],
        "changedPropIds": ["refresh-start.n_clicks" if clicks else "refresh-poll.n_intervals"],
        "state": [{"id": "refresh-version", "property": "data", "value": page_version}],
    }
    response = app.server.test_client().post("/_dash-update-component", json=payload)
    assert response.status_code == 200, response.data[:500]
    return json.loads(response.data)["response"]


def test_the_button_starts_a_refresh_and_the_page_is_offered_the_new_data(loaded):
    source, _data, settings = loaded
    for name in os.listdir(SAMPLES / "prd_raw_100"):
        shutil.copy(SAMPLES / "prd_raw_100" / name, source / name)
    app = create_app(settings)
    reader = app.server.config["WAREHOUSE_READER"]
    page_version = reader.version
    idle = press(app, None, page_version)
    assert idle["refresh-status"]["children"] == "" and "d-none" in idle["refresh-show"]["className"]
    assert idle["refresh-poll"]["interval"] == 60_000
    started = press(app, 1, page_version)
    assert started["refresh-status"]["children"].startswith("Refreshing data (started")
    assert started["refresh-start"]["disabled"] is True and started["refresh-poll"]["interval"] == 3_000
    assert wait_for(settings).state == "done"
    after = press(app, None, page_version)
    assert after["refresh-status"]["children"].startswith("New data loaded at")
    assert "d-none" not in after["refresh-show"]["className"] and after["refresh-start"]["disabled"] is False
    fresh = press(app, None, reader.version)  # a page drawn after the refresh: nothing to offer
    assert "d-none" in fresh["refresh-show"]["className"]
