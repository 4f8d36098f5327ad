"""Benchmark the dashboard's callbacks over HTTP (Flask test client, the real Dash endpoint) on a warehouse.

    CUSTOMER_INSIGHT_DATA_DIR=/path/with/warehouse .venv/bin/python bench/dashboard_bench.py [--runs 20]

For each tab: a **full refresh** (the URL-sync callback, the tab's layout, then every callback that reads the
filters, one after the other, as a browser would fire them after a page load) and a **filter change** (the
sync callback plus every callback that reads the filters). Each run uses different filters, so the result
cache never answers (every figure is computed from the warehouse). Reports p50 / p95 of the sum of the
callbacks' times, and of the slowest single callback (a browser fires a tab's callbacks in parallel, so
with enough server threads the page is complete after about the slowest one, and never later than the sum).
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from config.settings import load_settings  # noqa: E402
from dashapp.app import create_app  # noqa: E402
from dashapp.shell import filter_options  # noqa: E402
from dashapp.state import PRESETS, URL_KEYS, ViewState, to_search  # noqa: E402
from dashapp.tabs import TAB_MODULES  # noqa: E402
from warehouse.cache import QueryCache  # noqa: E402
from warehouse.filters import LIST_FILTERS  # noqa: E402


def defaults(component, found: dict | None = None) -> dict:
    """id -> {property: value} for every component with an id in a layout tree."""
    found = {} if found is None else found
    if hasattr(component, "to_plotly_json"):
        props = component.to_plotly_json()["props"]
        if isinstance(props.get("id"), str):
            found[props["id"]] = props
        children = props.get("children")
        for child in children if isinstance(children, list) else [children]:
            defaults(child, found)
    return found


def call(client, key: str, spec: dict, values: dict) -> float:
    def item(dep):
        return {**dep, "value": values.get(dep["id"], {}).get(dep["property"])}

    outputs = spec["output"] if isinstance(spec["output"], list) else [spec["output"]]
    body = {"output": key, "outputs": [{"id": o.component_id, "property": o.component_property} for o in outputs]
            if len(outputs) > 1 else {"id": outputs[0].component_id, "property": outputs[0].component_property},
            "inputs": [item(d) for d in spec["inputs"]], "state": [item(d) for d in spec["state"]],
            "changedPropIds": [f"{d['id']}.{d['property']}" for d in spec["inputs"][:1]]}
    started = time.perf_counter()
    response = client.post("/_dash-update-component", data=json.dumps(body), content_type="application/json")
    elapsed = time.perf_counter() - started
    if response.status_code not in (200, 204):
        raise RuntimeError(f"{key}: HTTP {response.status_code} {response.data[:300]!r}")
    return elapsed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args(argv)
    app = create_app(load_settings())
    reader = app.server.config["WAREHOUSE_READER"]
    reader.cache = QueryCache()  # in memory and empty: no result from an earlier run is reused
    client = app.server.test_client()
    client.get("/")  # warm the process (imports, first connection)
    options = filter_options(reader)
    rng = random.Random(7)
    # server-side callbacks only (clientside ones run in the browser and have no "callback" function here)
    callbacks = {k: v for k, v in app.callback_map.items()
                 if not k.startswith("..url.search") and "callback" in v}
    sync_key = next(k for k in app.callback_map if k.startswith("..url.search"))
    print(f"warehouse {reader.path} ({reader.path.stat().st_size / 1e6:.0f} MB), runs per tab: {args.runs}")
    print(f"{'tab':<10} {'full refresh p50':>17} {'p95':>7} {'filter change p50':>18} {'p95':>7} "
          f"{'slowest callback p50':>21} {'p95':>7}")
    for module in TAB_MODULES:
        layout_values = defaults(module.layout())
        readers = [k for k, v in callbacks.items() if any(d["id"] == "filters" for d in v["inputs"])
                   and all(d["id"] in layout_values or d["id"] == "filters" for d in v["inputs"] + v["state"])]
        full, change, slowest = [], [], []
        for _run in range(args.runs):
            selections = {}
            for name in rng.sample(list(URL_KEYS.values()), 2):
                values = options.get(LIST_FILTERS[name], [])
                if values:
                    selections[name] = tuple(rng.sample(values, min(len(values), rng.randint(1, 2))))
            state = ViewState(tab=module.TAB_ID, preset=rng.choice([p for p in PRESETS if p != "custom"]),
                              selections=selections)
            filters = state.filters(reader.date_bounds()).to_dict()
            values = {**layout_values, "url": {"search": to_search(state)}, "filters": {"data": filters},
                      "tabs": {"active_tab": module.TAB_ID}}
            sync = call(client, sync_key, app.callback_map[sync_key], values)
            tab_layout = call(client, "tab-content.children", app.callback_map["tab-content.children"], values)
            times = [call(client, key, callbacks[key], values) for key in readers]
            full.append(sync + tab_layout + sum(times))
            slowest.append(max(times))
            # a single filter change: one more churn-risk value, everything that reads the filters again
            changed = dict(filters, churn_risks=sorted(set(filters["churn_risks"]) ^ {"High"}))
            values["filters"] = {"data": changed}
            change.append(call(client, sync_key, app.callback_map[sync_key], values)
                          + sum(call(client, key, callbacks[key], values) for key in readers))
        print(f"{module.TAB_ID:<10} {_ms(statistics.median(full)):>17} {_ms(_p95(full)):>7} "
              f"{_ms(statistics.median(change)):>18} {_ms(_p95(change)):>7} "
              f"{_ms(statistics.median(slowest)):>21} {_ms(_p95(slowest)):>7}")
    return 0


def _p95(values: list[float]) -> float:
    return sorted(values)[max(0, round(0.95 * len(values)) - 1)]


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms"


if __name__ == "__main__":
    sys.exit(main())
