"""A model of what dash-renderer does in a browser, for simulated users (bench/loadtest.py): the page's components
and their properties, which server callbacks a page load or a change fires, in which order and with which request
bodies, worked out from the layout and the dependency list a Dash server sends (GET /_dash-layout and
/_dash-dependencies), so nothing is written per tab. Checked against real Chromium in tests/bench/test_loadtest.py.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Callable, Iterator
from typing import Any

PARALLEL = 6        # requests in flight per user: a browser's connections per host over HTTP/1.1
MAX_CALLS = 300     # callbacks per user action at most: a guard against a callback loop, never reached normally
Prop = tuple[str, str]  # (component id, property)


def _components(tree: Any) -> Iterator[dict]:
    """Every Dash component (as JSON) with a string id in a layout value."""
    if isinstance(tree, list):
        for item in tree:
            yield from _components(item)
    elif isinstance(tree, dict):
        if "namespace" in tree and "props" in tree:
            if isinstance(tree["props"].get("id"), str):
                yield tree
            tree = tree["props"]
        for value in tree.values():
            if isinstance(value, list | dict):
                yield from _components(value)


def _split(output: str) -> list[Prop]:
    parts = output[2:-2].split("...") if output.startswith("..") else [output]
    return [tuple(part.rsplit(".", 1)) for part in parts]  # type: ignore[misc]


def short_name(output: str) -> str:
    """A callback's name in the results: its first output's component, and how many more outputs it has."""
    outputs = _split(output)
    return outputs[0][0] + (f" +{len(outputs) - 1}" if len(outputs) > 1 else "")


class DashPage:
    """What one browser tab holds (every component's properties) and which server callbacks a change fires.

    dash-renderer's rules: a callback runs when one of its inputs changes (not through its own outputs) and when
    components appear (page load, a layout a callback returns) among its inputs or outputs, unless it has
    prevent_initial_call; only with all its inputs and one of its outputs on the page; and it waits while a pending
    callback, or one after it, may still write one of its inputs. Clientside and pattern-matching callbacks are left
    out (they run in the browser, or after clicks); of the requests components make themselves, only AG Grid's."""

    def __init__(self, layout: dict, dependencies: list[dict]) -> None:
        self.layout, self.specs = layout, {}
        self.outputs: dict[str, list[Prop]] = {}
        self.inputs: dict[str, list[Prop]] = {}
        self.states: dict[str, list[Prop]] = {}
        self.readers: dict[Prop, list[str]] = defaultdict(list)
        for spec in dependencies:
            key = spec["output"]
            ids = [i for i, _ in _split(key)] + [d["id"] for d in spec["inputs"] + spec["state"]]
            if spec.get("clientside_function") or any(not isinstance(i, str) or i.startswith("{") for i in ids):
                continue
            self.specs[key] = spec
            self.outputs[key] = [(i, p.split("@")[0]) for i, p in _split(key)]  # "value@hash": allow_duplicate
            self.inputs[key] = [(d["id"], d["property"]) for d in spec["inputs"]]
            self.states[key] = [(d["id"], d["property"]) for d in spec["state"]]
            for prop in self.inputs[key]:
                self.readers[prop].append(key)
        self.reset()
        # the URL-sync callback reads and writes the search of the page's dcc.Location
        self.location = next(c["props"]["id"] for c in _components(layout) if c["type"] == "Location")
        self.sync = next(k for k in self.specs if (self.location, "search") in set(self.inputs[k]) & set(
            self.outputs[k]))

    def reset(self) -> None:
        self.values: dict[str, dict[str, Any]] = {}
        self._place(self.layout)

    def tabs(self) -> list[str]:
        """The tab_id of the children of the tabs whose active_tab the URL-sync callback reads."""
        holder = next(i for i, p in self.inputs[self.sync] if p == "active_tab")
        return [c["props"]["tab_id"] for c in self.values[holder].get("children") or []
                if isinstance(c, dict) and "tab_id" in c.get("props", {})]

    def _place(self, tree: Any) -> set[str]:
        found = {c["props"]["id"]: dict(c["props"]) for c in _components(tree)}
        self.values.update(found)
        return set(found)

    def _remove(self, tree: Any) -> None:
        for component in _components(tree):
            self._remove(list(self.values.pop(component["props"]["id"], {}).values()))

    def set(self, component_id: str, prop: str, value: Any) -> set[str]:
        """Set a property (a user's change or a callback's output); returns the ids of the components it brought."""
        if component_id not in self.values:
            return set()  # removed meanwhile (an older tab's callback answering late)
        self._remove(self.values[component_id].get(prop))
        self.values[component_id][prop] = value
        return self._place(value)

    def _live(self, key: str) -> bool:
        return all(i in self.values for i, _ in self.inputs[key]) and any(i in self.values for i, _ in
                                                                          self.outputs[key])

    def fired_by(self, changed: list[Prop], new_ids: set[str], source: str | None = None) -> dict[str, set[str]]:
        """What changed properties and new components fire: callback key -> the changed inputs it is told about."""
        changed = list(changed)
        # dash-ag-grid's infinite row model asks for its first block itself: when the grid appears, and when the
        # app purges it after a change of what its rows callback reads as State (dashapp/grids.py, in the browser)
        for key in self.specs:
            for grid, prop in self.inputs[key]:
                props = self.values.get(grid, {})
                if prop == "getRowsRequest" and props.get("rowModelType") == "infinite" and (
                        grid in new_ids or set(changed) & set(self.states[key])):
                    block = (props.get("dashGridOptions") or {}).get("cacheBlockSize", 100)
                    props[prop] = {"startRow": 0, "endRow": block, "sortModel": [], "filterModel": {}}
                    changed.append((grid, prop))
        fired: dict[str, set[str]] = defaultdict(set)
        for prop in changed:
            for key in self.readers.get(prop, []):
                if key != source and self._live(key):
                    fired[key].add(f"{prop[0]}.{prop[1]}")
        for key, spec in self.specs.items() if new_ids else ():
            ids = {i for i, _ in self.inputs[key] + self.outputs[key]}
            if not spec.get("prevent_initial_call") and ids & new_ids and self._live(key):
                fired.setdefault(key, set())
        return fired

    def load(self, search: str) -> dict[str, set[str]]:
        """A page load of `search` (scripts and layout cached): what fires first."""
        self.reset()
        self.values[self.location]["search"] = search
        return self.fired_by([], set(self.values))

    def change_filter(self, rng: random.Random) -> dict[str, set[str]]:
        """One change of one control read by the URL-sync callback that offers options (the sidebar's dropdowns):
        a multi-select gains or loses a value, a single select takes another one."""
        controls = [i for i, p in self.inputs[self.sync] if p == "value" and self.values.get(i, {}).get("options")]
        if not controls:
            return {}
        control = rng.choice(controls)
        props = self.values[control]
        options = [o["value"] if isinstance(o, dict) else o for o in props["options"]]
        value, chosen = props.get("value"), list(props.get("value") or [])
        if props.get("multi") and chosen and rng.random() < 0.5:
            chosen.remove(rng.choice(chosen))
        elif props.get("multi"):
            chosen.append(rng.choice([o for o in options if o not in chosen] or options))
        return self.change(control, "value", chosen if props.get("multi") else rng.choice(
            [o for o in options if o != value] or options))

    def change(self, component_id: str, prop: str, value: Any) -> dict[str, set[str]]:
        """A user's change of a property: what it fires."""
        return self.fired_by([(component_id, prop)], self.set(component_id, prop, value))

    def body(self, key: str, changed: set[str]) -> dict:
        def item(dep: dict) -> dict:
            return {**dep, "value": self.values.get(dep["id"], {}).get(dep["property"])}

        spec, outputs = self.specs[key], [{"id": i, "property": p} for i, p in _split(key)]
        body = {"output": key, "outputs": outputs if key.startswith("..") else outputs[0],
                "inputs": [item(d) for d in spec["inputs"]], "changedPropIds": sorted(changed)}
        return {**body, "state": [item(d) for d in spec["state"]]} if spec["state"] else body

    def apply(self, key: str, answer: dict | None) -> dict[str, set[str]]:
        """Take a callback's answer (None: nothing to update); returns what it fires."""
        changed, new_ids = [], set()
        for section in ("response", "sideUpdate"):
            for component_id, props in ((answer or {}).get(section) or {}).items():
                for prop, value in props.items() if component_id in self.values else ():
                    new_ids |= self.set(component_id, prop, value)
                    changed.append((component_id, prop))
        return self.fired_by(changed, new_ids, source=key)

    def ready(self, pending: list[str], running: list[str]) -> list[str]:
        """The pending callbacks none of whose inputs (but their own outputs) a pending or running callback, or a
        callback after it, may still write: dash-renderer's getReadyCallbacks."""
        touched: set[Prop] = set()
        todo = [o for key in pending + running for o in self.outputs[key]]
        while todo:
            prop = todo.pop()
            if prop not in touched and prop[0] in self.values:
                touched.add(prop)
                todo += [o for key in self.readers.get(prop, []) if self._live(key) for o in self.outputs[key]]
        return [key for key in pending if not (set(self.inputs[key]) - set(self.outputs[key])) & touched]


def drive(page: DashPage, pending: dict[str, set[str]], call: Callable[[str, dict], dict | None],
          spawn: Callable[..., Any], wait_one: Callable[[list], list]) -> int:
    """Run callbacks as dash-renderer does until none is pending, PARALLEL at a time. `spawn(call, key, body)` starts
    a call, `wait_one(handles)` returns finished ones, `handle.get()` the call's answer (gevent in the load test).
    Returns the number of callbacks run."""
    pending, running, calls = dict(pending), {}, 0
    while pending or running:
        # none ready and none running: a loop of callbacks, which dash-renderer enters at its first one
        ready = page.ready(list(pending), list(running.values())) or ([] if running else list(pending)[:1])
        for key in ready[:PARALLEL - len(running)] if calls < MAX_CALLS else ():
            running[spawn(call, key, page.body(key, pending.pop(key)))] = key
            calls += 1
        if not running:
            break
        for handle in wait_one(list(running)):
            for key, changed in page.apply(running.pop(handle), handle.get()).items():
                pending.setdefault(key, set()).update(changed)
    return calls
