"""Checks shared by the tab tests: which component ids a tab's layout holds and its callbacks use."""

from __future__ import annotations

from types import ModuleType

import dash


def layout_ids(component) -> set[str]:
    """Every string id in a layout tree."""
    found = {component.id} if isinstance(getattr(component, "id", None), str) else set()
    children = getattr(component, "children", None)
    for child in children if isinstance(children, list | tuple) else [children]:
        if hasattr(child, "to_plotly_json"):
            found |= layout_ids(child)
    return found


def callback_ids(tab: ModuleType, reader=None) -> tuple[set[str], int]:
    """Ids the tab's callbacks read or write (pattern-matching ids left out), and how many callbacks it has."""
    app = dash.Dash(__name__, suppress_callback_exceptions=True)
    tab.register(app, reader)
    used: set[str] = set()
    for callback in app._callback_list:
        used |= {part.rsplit(".", 1)[0] for part in callback["output"].strip(".").split("...")}
        used |= {item["id"] for item in callback["inputs"]}
    return {i for i in used if not i.startswith("{")}, len(app._callback_list)
