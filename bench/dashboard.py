"""Time the dashboard's tab callbacks over HTTP (Flask test client, the real Dash endpoint) and record the queries
they ask the warehouse for.

For each tab: a **full refresh** (the URL-sync callback, the tab's layout, then the callbacks a browser fires for
that page, one after the other: those of the tab's components and those reading the filters, then the ones their
outputs feed, then each infinite grid's first block) and a **filter change** (the sync callback after one more
churn-risk value, every callback reading the filters and what they feed). A callback whose outputs are not on the
page (another tab's KPI cards) is not called: a browser never fires it. Every filter set of a bench is new (random
presets and selections, never one used before in the same bench), so the result cache never answers a query that
depends on the filters. Beside the sums, the critical path: a chained callback starts when the one feeding it has
answered, so with a server thread per callback the page is complete after the longest chain, never after the sum.

The queries: the tabs' callbacks hold the app's WarehouseReader, whose `query` is wrapped here (QueryRecorder) to
note each (query name, bound parameters) they ask for. Per run the bench keeps those the result cache could not
answer (asked for the first time in this bench), which is exactly the SQL the dashboard had to execute: the floor
(bench.floor) and the pandas baseline (bench.baseline) replay that list.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from plotly.utils import PlotlyJSONEncoder

from config.settings import Settings
from dashapp.app import create_app
from dashapp.shell import filter_options
from dashapp.state import PRESETS, URL_KEYS, ViewState, to_search
from dashapp.tabs import TAB_MODULES
from warehouse.cache import QueryCache
from warehouse.filters import LIST_FILTERS, Filters
from warehouse.queries import query_parameters
from warehouse.reader import WarehouseReader

QueryCall = tuple[str, dict[str, Any]]  # (query name as in sql/queries/, its bound parameters)


@dataclass
class TabRun:
    filters: dict[str, Any]          # the full refresh's filters (Filters.to_dict)
    changed_filters: dict[str, Any]  # the filter change's
    full_seconds: float
    change_seconds: float
    critical_path_seconds: float     # the full refresh's longest chain of callbacks (DashboardBench._fire)
    full_queries: list[QueryCall] = field(default_factory=list)    # SQL the full refresh had to run
    change_queries: list[QueryCall] = field(default_factory=list)  # SQL the filter change had to run


@dataclass
class TabTimings:
    tab: str
    label: str
    runs: list[TabRun] = field(default_factory=list)


class QueryRecorder:
    """Notes every query the app's callbacks ask the reader for, with the parameters the reader binds (the filters'
    and the extra ones, reduced to those the query uses: what its result cache is keyed by). Only outermost calls
    count: the reader asks itself for its date bounds inside `query`, and those come from its cache."""

    def __init__(self, reader: WarehouseReader) -> None:
        self._reader = reader
        self._query = reader.query
        self._depth = 0
        self.calls: list[QueryCall] = []
        reader.query = self.query  # the tabs' callbacks call reader.query on this very object

    def query(self, name: str, filters: Filters | None = None, **params: Any) -> Any:
        outermost = self._depth == 0
        self._depth += 1
        try:
            if outermost:
                bound = {**filters.params(*self._reader.date_bounds()), **params} if filters is not None else params
                used = query_parameters(name)
                self.calls.append((name, {k: v for k, v in bound.items() if k in used}))
            return self._query(name, filters, **params)
        finally:
            self._depth -= 1

    def take(self) -> list[QueryCall]:
        calls, self.calls = self.calls, []
        return calls


def call_key(call: QueryCall) -> str:
    name, params = call
    return f"{name} {sorted((k, repr(v)) for k, v in params.items())}"


@dataclass
class Callback:
    key: str          # the callback's key in app.callback_map
    inputs: list[str]  # "id.property" of each input
    outputs: list[str]
    spec: dict


class DashboardBench:
    """The app on one warehouse, its callbacks per tab, and the queries seen so far (what its cache holds)."""

    def __init__(self, settings: Settings, seed: int = 7) -> None:
        self.app = create_app(settings)
        self.reader: WarehouseReader = self.app.server.config["WAREHOUSE_READER"]
        self.reader.cache = QueryCache()  # in memory and empty: no result of an earlier bench is reused
        self.recorder = QueryRecorder(self.reader)
        self.client = self.app.server.test_client()
        self.client.get("/")  # warm the process (imports, first connection, the page's filter options)
        self.options = filter_options(self.reader)
        self.bounds = self.reader.date_bounds()
        self.shell = _defaults(self.app.layout())
        self.rng = random.Random(seed)
        self._seen: set[str] = {call_key(c) for c in self.recorder.take()}
        self._used_filters: set[str] = set()
        initial = {c["output"]: not c.get("prevent_initial_call") for c in self.app._callback_list}
        self.sync_key = next(k for k in self.app.callback_map if k.startswith("..url.search"))
        # server-side callbacks with plain string ids (clientside ones run in the browser and have no "callback"
        # function here; pattern-matching ones answer clicks on single items)
        self.callbacks = [
            Callback(key, [f"{d['id']}.{d['property']}" for d in spec["inputs"]],
                     [f"{o.component_id}.{o.component_property}" for o in _outputs(spec)], spec)
            for key, spec in self.app.callback_map.items()
            if "callback" in spec and key not in (self.sync_key, "tab-content.children")
            and all(isinstance(d["id"], str) for d in spec["inputs"] + spec["state"])
            and all(isinstance(o.component_id, str) for o in _outputs(spec))]
        self.initial_call = {c.key: initial.get(c.key, True) for c in self.callbacks}

    def run_tab(self, module: Any, runs: int) -> TabTimings:
        tab_ids = _defaults(module.layout())
        page = {**self.shell, **tab_ids}
        present = [c for c in self.callbacks
                   if all(d["id"] in page for d in c.spec["inputs"] + c.spec["state"])
                   and all(o.split(".")[0] in page for o in c.outputs)]
        # on a page load the browser calls every callback of the new tab's components (unless it opts out) and
        # every one that reads the filters the URL set; a filter change calls those that read the filters. Either
        # way the callbacks fed by their outputs follow, and an infinite grid asks for its first block of rows.
        on_load = [c for c in present if self.initial_call[c.key]
                   and ("filters.data" in c.inputs or any(o.split(".")[0] in tab_ids for o in c.outputs))]
        on_change = [c for c in present if "filters.data" in c.inputs]
        timings = TabTimings(module.TAB_ID, module.LABEL)
        for _run in range(runs):
            state, filters, changed = self._new_view(module.TAB_ID)
            values = {key: dict(props) for key, props in page.items()}
            values["url"] = {"search": to_search(state)}
            values["tabs"] = {"active_tab": module.TAB_ID}
            self.recorder.take()
            sync = self._call(self.sync_key, values, ["url.search"])
            _check(values, filters)
            tab_layout = self._call("tab-content.children", values, ["tabs.active_tab"])
            total, path = self._fire(on_load, present, values, {"filters.data"})
            full_queries = self._new_queries()
            # a single filter change: one more (or one less) churn-risk value picked in the sidebar
            values["f-risk"] = {"value": changed["churn_risks"]}
            change = self._call(self.sync_key, values, ["f-risk.value"])
            _check(values, changed)
            change_total, _path = self._fire(on_change, present, values, {"filters.data"})
            timings.runs.append(TabRun(filters, changed, sync + tab_layout + total, change + change_total,
                                       path, full_queries, self._new_queries()))
        return timings

    def _fire(self, first: list[Callback], present: list[Callback], values: dict,
              changed: set[str]) -> tuple[float, float]:
        """Call `first`, then every present callback an output of a called one feeds, each after the callbacks that
        feed it (as Dash's renderer orders them), then the grids' first requests. Returns the sum of the times and
        the critical path: the time until the last callback's answer if every callback had its own thread."""
        fired: dict[str, float] = {}  # key -> time its answer came, along the critical path
        own: dict[str, float] = {}    # key -> its own time
        pending = list(first)
        while True:
            producers = {o: c.key for c in pending for o in c.outputs}
            ready = [c for c in pending if not any(producers.get(i, c.key) != c.key for i in c.inputs)] or pending[:1]
            if not ready:
                break
            for callback in ready:
                pending.remove(callback)
                start = max((fired[k] for k in self._feeders(callback, present) if k in fired), default=0.0)
                seconds, outputs = self._call_with_outputs(callback.key, values,
                                                           [i for i in callback.inputs if i in changed])
                fired[callback.key], own[callback.key] = start + seconds, seconds
                changed |= outputs
                for follower in present:
                    if (follower.key not in fired and follower not in pending
                            and any(i in outputs for i in follower.inputs)):
                        pending.append(follower)
        for grid in present:
            request = next((i for i in grid.inputs if i.endswith(".getRowsRequest")), None)
            if request and grid.key not in fired:
                grid_id = request.split(".")[0]
                block = values.get(grid_id, {}).get("dashGridOptions", {}).get("cacheBlockSize", 100)
                values.setdefault(grid_id, {})["getRowsRequest"] = {"startRow": 0, "endRow": block,
                                                                    "sortModel": [], "filterModel": {}}
                seconds, _outputs = self._call_with_outputs(grid.key, values, [request])
                # asked for as soon as the grid is drawn (or purged by a filter change), beside the other callbacks
                fired[grid.key], own[grid.key] = seconds, seconds
        return sum(own.values()), max(fired.values(), default=0.0)

    def _feeders(self, callback: Callback, present: list[Callback]) -> list[str]:
        return [c.key for c in present if any(o in callback.inputs for o in c.outputs)]

    def _new_view(self, tab: str) -> tuple[ViewState, dict[str, Any], dict[str, Any]]:
        """Random filters never used before in this bench, and the same with the churn risk "High" toggled."""
        for _attempt in range(50):
            selections = {}
            for name in self.rng.sample(list(URL_KEYS.values()), 2):
                values = self.options.get(LIST_FILTERS[name], [])
                if values:
                    selections[name] = tuple(self.rng.sample(values, min(len(values), self.rng.randint(1, 2))))
            state = ViewState(tab=tab, preset=self.rng.choice([p for p in PRESETS if p != "custom"]),
                              selections=selections)
            filters = state.filters(self.bounds).to_dict()
            changed = dict(filters, churn_risks=sorted(set(filters["churn_risks"]) ^ {"High"}))
            keys = {json.dumps(filters, sort_keys=True), json.dumps(changed, sort_keys=True)}
            if not keys & self._used_filters:
                break
        # after 50 attempts (a tiny warehouse with few filter values) a repeat is accepted: its queries are then
        # answered by the cache, and left out of the floor and the baseline like every cached query
        self._used_filters |= keys
        return state, filters, changed

    def _new_queries(self) -> list[QueryCall]:
        """The queries asked for since the last call that the result cache could not answer, each once."""
        new = []
        for call in self.recorder.take():
            key = call_key(call)
            if key not in self._seen:
                self._seen.add(key)
                new.append(call)
        return new

    def _call(self, key: str, values: dict, triggers: list[str]) -> float:
        return self._call_with_outputs(key, values, triggers)[0]

    def _call_with_outputs(self, key: str, values: dict, triggers: list[str]) -> tuple[float, set[str]]:
        """POST one callback as the browser does; its answer's properties go into `values`. Returns the seconds
        and the "id.property" it changed."""
        spec = self.app.callback_map[key]

        def item(dep: dict) -> dict:
            return {**dep, "value": values.get(dep["id"], {}).get(dep["property"])}

        outputs = _outputs(spec)
        body = {"output": key,
                "outputs": [{"id": o.component_id, "property": o.component_property} for o in outputs]
                if isinstance(spec["output"], list) or len(outputs) > 1
                else {"id": outputs[0].component_id, "property": outputs[0].component_property},
                "inputs": [item(d) for d in spec["inputs"]], "state": [item(d) for d in spec["state"]],
                "changedPropIds": triggers}
        started = time.perf_counter()
        # the layout's own property values may be dates or components: encoded as Dash encodes them for the browser
        response = self.client.post("/_dash-update-component", data=json.dumps(body, cls=PlotlyJSONEncoder),
                                    content_type="application/json")
        elapsed = time.perf_counter() - started
        if response.status_code == 204:  # PreventUpdate: nothing changed
            return elapsed, set()
        if response.status_code != 200:
            raise RuntimeError(f"{key}: HTTP {response.status_code} {response.data[:300]!r}")
        changed = set()
        for component_id, props in response.get_json().get("response", {}).items():
            values.setdefault(component_id, {}).update(props)
            changed |= {f"{component_id}.{prop}" for prop in props}
        return elapsed, changed


def tab_modules(tabs: list[str] | None = None) -> list[Any]:
    """The tab modules to bench, in display order (all of them without a list)."""
    known = {m.TAB_ID: m for m in TAB_MODULES}
    unknown = sorted(set(tabs or ()) - known.keys())
    if unknown:
        raise ValueError(f"unknown tab(s) {', '.join(unknown)}; tabs are {', '.join(known)}")
    return [m for m in TAB_MODULES if not tabs or m.TAB_ID in tabs]


def _defaults(component: Any) -> dict:
    """id -> {property: value} for every component with an id in a layout tree."""
    found: dict = {}
    for props in _walk(component):
        if isinstance(props.get("id"), str):
            found[props["id"]] = props
    return found


def _walk(component: Any) -> Iterator[dict]:
    if hasattr(component, "to_plotly_json"):
        props = component.to_plotly_json()["props"]
        yield props
        children = props.get("children")
        for child in children if isinstance(children, list) else [children]:
            yield from _walk(child)


def _outputs(spec: dict) -> list:
    return spec["output"] if isinstance(spec["output"], list) else [spec["output"]]


def _check(values: dict, expected: dict[str, Any]) -> None:
    """The filters the sync callback wrote must be the ones the bench meant (else it would time another view)."""
    written = values.get("filters", {}).get("data")
    if written != expected:
        raise RuntimeError(f"the dashboard set the filters {written}, not {expected}")
