"""The shapes of the values a Dash callback request carries, checked before any callback runs.

A page sends each input of a callback as its component gives it: a click count is a whole number, a dropdown's value
text or a list of texts, a URL's query string text, a store what the server put in it. A request carrying a value of
another shape (an object where a click count goes, a number where the query string goes, a list of 100,000 items) is
no page's request: a hand-made or tampered one. It gets "400 Bad request" naming the value, before a callback sees it,
instead of an exception deep in a callback (a 500) - so the tabs' callbacks only handle what a page can send.

The check is by property name (a click count is a click count on every button) and, for stores, by store id (each
store holds one kind of thing). A property not listed passes: it reaches a callback that checks it, as before.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask, Response, request

from dashapp.auth.rules import DASH_UPDATE

MAX_ITEMS = 1000        # longest list a page sends (a dropdown of every team is far below)
MAX_TEXT = 20_000       # longest text (a query string with every filter value is far below)

Shape = Callable[[Any], bool]


def _count(value: Any) -> bool:
    return value is None or (isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 2**53)


def _text(value: Any) -> bool:
    return value is None or (isinstance(value, str) and len(value) <= MAX_TEXT)


def _flag(value: Any) -> bool:
    return value is None or isinstance(value, bool)


def _scalar(value: Any) -> bool:
    return _text(value) or (isinstance(value, int | float) and not isinstance(value, bool))


def _choice(value: Any) -> bool:
    """A dropdown's, radio's or checklist's value: one option or a list of options."""
    if isinstance(value, list):
        return len(value) <= MAX_ITEMS and all(v is not None and _scalar(v) for v in value)
    return _scalar(value)


def _object(value: Any) -> bool:
    return value is None or isinstance(value, dict)


def _list_of_objects(value: Any) -> bool:
    return value is None or (isinstance(value, list) and len(value) <= MAX_ITEMS
                             and all(isinstance(v, dict) for v in value))


def _list(value: Any) -> bool:
    return value is None or (isinstance(value, list) and len(value) <= MAX_ITEMS)


PROPERTY_SHAPES: dict[str, Shape] = {
    "n_clicks": _count, "n_intervals": _count, "n_submit": _count, "n_blur": _count, "page_current": _count,
    "active_page": _count, "n_clicks_timestamp": _count,
    "search": _text, "hash": _text, "pathname": _text, "href": _text, "active_tab": _text, "start_date": _text,
    "end_date": _text, "search_value": _text, "date": _text,
    "is_open": _flag,
    "value": _choice,
    "sort_by": _list_of_objects, "getRowsRequest": _object, "selectedRows": _list_of_objects,
    "cellClicked": _object, "options": _list_of_objects, "max_value": _count,
}
# dcc.Store id -> what the server writes in it
STORE_SHAPES: dict[str, Shape] = {
    "filters": _object, "customer": _text, "customer-pick": _text, "refresh-version": _text,
    "clusters-run": _object, "usage-profiles-run": _object, "saved-presets": _object,
    "glossary-index": _list, "segment-explorer-refresh": _scalar, "usage-profiles-refresh": _scalar,
}


def _single(value: Any) -> bool:
    return _scalar(value)


def _several(value: Any) -> bool:
    return value is None or (isinstance(value, list) and _choice(value))


def _number(value: Any) -> bool:
    return value is None or (isinstance(value, int | float) and not isinstance(value, bool))


def _numbers(value: Any) -> bool:
    return value is None or (isinstance(value, list) and len(value) <= 2 and all(_number(v) for v in value))


# component type -> the shape of its `value` (a multi dropdown: see value_shapes)
VALUE_BY_TYPE: dict[str, Shape] = {"Checklist": _several, "RadioItems": _single, "Select": _single,
                                   "Input": _single, "Textarea": _single, "Slider": _number,
                                   "RangeSlider": _numbers, "Switch": _flag, "Checkbox": _flag}


def value_shapes(layouts: list[Any]) -> dict[str, Shape]:
    """Component id -> the shape of its `value`, from the pages' components: a single dropdown sends one option,
    a multi dropdown or a checklist a list of them, a slider a number."""
    shapes: dict[str, Shape] = {}

    def walk(component: Any) -> None:
        if isinstance(component, list | tuple):
            for child in component:
                walk(child)
            return
        if not hasattr(component, "_prop_names"):
            return
        ident, kind = getattr(component, "id", None), type(component).__name__
        if isinstance(ident, str) and "value" in component._prop_names:
            if kind == "Dropdown":
                shapes[ident] = _several if getattr(component, "multi", False) else _single
            elif kind in VALUE_BY_TYPE:
                shapes[ident] = VALUE_BY_TYPE[kind]
        walk(getattr(component, "children", None))

    walk(layouts)
    return shapes


def bad_value(body: dict, values: dict[str, Shape] | None = None) -> str | None:
    """What is wrong with a callback request's inputs and states ("filters.data: a list where ... goes"), or None.
    `values`: value_shapes of the pages (else any value of a control: one option or a list)."""
    for group in ("inputs", "state"):
        for item in _flat(body.get(group)):
            if not isinstance(item, dict):
                return f"{group}: {_kind(item)} where an input goes"
            ident, prop = item.get("id"), item.get("property")
            if not isinstance(prop, str):
                return f"{group}: an input without a property name"
            if prop == "data" and isinstance(ident, str):
                shape = STORE_SHAPES.get(ident)
            elif prop == "value" and isinstance(ident, str) and values and ident in values:
                shape = values[ident]
            else:
                shape = PROPERTY_SHAPES.get(prop)
            if shape is not None and not shape(item.get("value")):
                name = ident if isinstance(ident, str) else "a pattern-matching component"
                return f"{name}.{prop}: {_kind(item.get('value'))} is not what the page sends there"
    return None


def _flat(items: Any) -> list:
    """Inputs and states, where a pattern-matching (ALL) input is a list of them."""
    if not isinstance(items, list):
        return [items] if items is not None else []
    flat: list = []
    for item in items:
        flat.extend(item if isinstance(item, list) else [item])
    return flat


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return f"a text of {len(value):,} characters"
    if isinstance(value, list):
        return f"a list of {len(value):,} items"
    if isinstance(value, dict):
        return "an object"
    return "nothing" if value is None else type(value).__name__


def install(server: Flask, callbacks: Callable[[], dict], layouts: Callable[[], list[Any]]) -> None:
    """Check every callback request (after the sign-in gate: a signed-out request is answered there first).
    `callbacks()`: the Dash app's callback map, read at request time; `layouts()`: the page and every tab's
    components, read once, at the first callback request (the gate has set the user's scope by then)."""
    values: dict[str, Shape] = {}

    @server.before_request
    def check_callback_request() -> Response | None:
        if request.path != DASH_UPDATE or request.method != "POST":
            return None
        body = request.get_json(silent=True)
        if not isinstance(body, dict) or "callback" not in callbacks().get(body.get("output"), {}):
            # no callback of the server's by that name (a browser-side one has none): nothing to run
            return Response("Unknown callback.\n", status=404, mimetype="text/plain")
        if not values:
            values.update(value_shapes(layouts()))
        problem = bad_value(body, values)
        if problem:
            return Response(f"Bad request: {problem}.\n", status=400, mimetype="text/plain")
        return None
