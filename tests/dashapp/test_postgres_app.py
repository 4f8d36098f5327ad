"""The dashboard on a PostgreSQL warehouse (CUSTOMER_INSIGHT_WAREHOUSE_URL): create_app answers every tab's
callbacks through Dash's HTTP endpoint with what the app on the DuckDB warehouse of the same files answers."""

from __future__ import annotations

import base64
import json
import math
import re
from typing import Any

import numpy as np
import pytest

from config.settings import Settings
from dashapp.app import create_app
from dashapp.state import ViewState, to_search
from dashapp.tabs import TAB_MODULES
from tests.dashapp.test_refresh_button import press
from tests.etl.test_refresh import wait_for
from warehouse.reader import PostgresReader, WarehouseReader

# The tabs with rows in the PRD sample (no usage events, orders or users: those tabs only say so, on either engine).
TABS = [module for module in TAB_MODULES if module.TAB_ID in ("overview", "sentiment", "support", "product",
                                                                 "segmentation", "customer", "retention")]

ELAPSED = re.compile(r"\bin \d+(\.\d+)? s\b")


def component_values(component: Any, found: dict | None = None) -> dict[str, dict]:
    """id -> {property: value} of every component with an id in a layout tree (the values a browser would send)."""
    found = {} if found is None else found
    if hasattr(component, "to_plotly_json"):
        props = component.to_plotly_json()["props"]
        if isinstance(props.get("id"), str):
            found[props["id"]] = props
        children = props.get("children")
        for child in children if isinstance(children, list) else [children]:
            component_values(child, found)
    return found


def call(app, key: str, values: dict[str, dict]) -> dict:
    """POST one callback as the browser does; its JSON response."""
    spec = app.callback_map[key]

    def item(dependency: dict) -> dict:
        return {**dependency, "value": values.get(dependency["id"], {}).get(dependency["property"])}

    outputs = spec["output"] if isinstance(spec["output"], list) else [spec["output"]]
    targets = [{"id": o.component_id, "property": o.component_property} for o in outputs]
    body = {"output": key, "outputs": targets if len(targets) > 1 else targets[0],
            "inputs": [item(d) for d in spec["inputs"]], "state": [item(d) for d in spec["state"]],
            "changedPropIds": [f"{d['id']}.{d['property']}" for d in spec["inputs"][:1]]}
    response = app.server.test_client().post("/_dash-update-component", data=json.dumps(body),
                                              content_type="application/json")
    assert response.status_code in (200, 204), f"{key}: HTTP {response.status_code} {response.data[:500]!r}"
    return json.loads(response.data) if response.status_code == 200 else {}


def plain(value: Any) -> Any:
    """JSON with plotly's typed arrays ({"dtype", "bdata"}) decoded to lists of numbers: an integer column can be
    int64 on one engine and float64 on the other (DuckDB sums integers to HUGEINT) with the same values."""
    if isinstance(value, dict):
        if "bdata" in value and "dtype" in value:
            array = np.frombuffer(base64.b64decode(value["bdata"]), dtype=np.dtype(value["dtype"]))
            shape = [int(n) for n in str(value.get("shape", "-1")).split(",")]  # "55, 2" for a 2-d array
            return array.reshape(shape).astype(float).tolist()
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


def differences(duck: Any, pg: Any, where: str = "") -> list[str]:
    """Where two responses differ; numbers to 1e-9 relative (summation order differs between engines)."""
    if isinstance(duck, dict) and isinstance(pg, dict):
        if duck.keys() != pg.keys():
            return [f"{where}: keys {sorted(duck)} != {sorted(pg)}"]
        return [d for k in duck for d in differences(duck[k], pg[k], f"{where}.{k}")]
    if isinstance(duck, list) and isinstance(pg, list):
        if len(duck) != len(pg):
            return [f"{where}: {len(duck)} items on DuckDB, {len(pg)} on PostgreSQL"]
        return [d for i, (a, b) in enumerate(zip(duck, pg, strict=True)) for d in differences(a, b, f"{where}[{i}]")]
    numbers = (int, float)
    if isinstance(duck, numbers) and isinstance(pg, numbers) and not isinstance(duck, bool | str):
        same = math.isclose(duck, pg, rel_tol=1e-9, abs_tol=1e-9) or (math.isnan(duck) and math.isnan(pg))
        return [] if same else [f"{where}: {duck} != {pg}"]
    if isinstance(duck, str) and isinstance(pg, str):  # a time taken ("Fitted ... in 0.1 s") is no result
        duck, pg = (ELAPSED.sub("in _ s", text) for text in (duck, pg))
    return [] if duck == pg else [f"{where}: {str(duck)[:200]!r} != {str(pg)[:200]!r}"]


@pytest.fixture(scope="module")
def settings(prd100_both, tmp_path_factory) -> list[Settings]:
    """The settings of an app on each warehouse, each with a data folder (result cache, refresh state) of its own."""
    return [Settings(warehouse_url=loaded.warehouse_url, data_dir=tmp_path_factory.mktemp("app"), scheduler=False)
            for loaded in (prd100_both.duck, prd100_both.pg)]


@pytest.fixture(scope="module")
def apps(settings):
    made = [create_app(each) for each in settings]
    yield made
    for app in made:
        app.server.config["WAREHOUSE_READER"].close()


def test_the_app_reads_postgresql_from_the_url(apps):
    duck, pg = (app.server.config["WAREHOUSE_READER"] for app in apps)
    assert isinstance(duck, WarehouseReader) and isinstance(pg, PostgresReader)
    assert pg.date_bounds() == duck.date_bounds()
    page = apps[1].server.test_client().get("/")
    assert page.status_code == 200 and b"Customer Insight" in page.data


@pytest.mark.parametrize("tab", TABS, ids=[module.TAB_ID for module in TABS])
def test_every_callback_of_the_tab_answers_as_on_duckdb(apps, tab):
    duck_app, pg_app = apps
    reader = duck_app.server.config["WAREHOUSE_READER"]
    # a period inside the data (its last 90 days), as a shared link would give it
    state = ViewState(tab=tab.TAB_ID, preset="90d")
    values = {**component_values(tab.layout()), "url": {"search": to_search(state)},
              "filters": {"data": state.filters(reader.date_bounds()).to_dict()}, "tabs": {"active_tab": tab.TAB_ID}}
    keys = [key for key, spec in duck_app.callback_map.items() if "callback" in spec
            and any(d["id"] == "filters" for d in spec["inputs"])
            and all(d["id"] in values for d in spec["inputs"] + spec["state"])]
    assert keys, f"{tab.TAB_ID}: no callback reads the filters"
    answered = 0
    for key in keys:
        duck, pg = plain(call(duck_app, key, values)), plain(call(pg_app, key, values))
        assert differences(duck, pg) == [], f"{tab.TAB_ID}: {key}"
        answered += bool(duck)
    assert answered, f"{tab.TAB_ID}: no callback gave an answer"


def test_refresh_data_runs_the_load_on_the_postgresql_warehouse(apps, settings, prd100_both):
    pg_app, pg_settings = apps[1], settings[1]
    version = pg_app.server.config["WAREHOUSE_READER"].version
    started = press(pg_app, 1, version)
    assert started["refresh-status"]["children"].startswith("Refreshing data (started")
    finished = wait_for(pg_settings)
    # the source of the warehouse's last load, found in its history on PostgreSQL, and already loaded there (a load
    # into the app's own data folder, a DuckDB file, would have found nothing and built one)
    assert (finished.state, finished.source) == ("done", str(prd100_both.source))
    assert "already holds exactly these files" in finished.message
    assert not (pg_settings.data_dir / "warehouse.duckdb").exists()
    assert pg_app.server.config["WAREHOUSE_READER"].version == version
