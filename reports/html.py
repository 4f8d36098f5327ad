"""Dash components as static HTML for a PDF: html.* tags as themselves, DataTable and AG Grid as plain tables
(their header repeats on every page), dcc.Graph figures as placeholders for the batch-rendered SVGs."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import plotly.graph_objects as go
from markupsafe import Markup, escape

# interactive parts that mean nothing on paper
SKIPPED = {"Button", "Pagination", "Checklist", "Dropdown", "Store", "Location", "Tooltip"}
VOID = {"Br", "Hr"}


def to_html(component: Any, figure_html: Callable[[go.Figure], Markup]) -> Markup:
    """`figure_html(figure)` gives the markup of a figure found in the tree (the caller's SVG placeholder)."""
    if component is None or isinstance(component, bool):
        return Markup("")
    if isinstance(component, str | int | float):
        return escape(str(component))
    if isinstance(component, go.Figure):
        return figure_html(component)
    if isinstance(component, list | tuple):
        return Markup("").join(to_html(c, figure_html) for c in component)
    kind = getattr(component, "_type", type(component).__name__)
    namespace = getattr(component, "_namespace", "")
    if kind in SKIPPED:
        return Markup("")
    if kind == "Graph":
        figure = getattr(component, "figure", None)
        return figure_html(figure if isinstance(figure, go.Figure) else go.Figure(figure))
    if kind == "DataTable":
        columns = [(c.get("name"), c.get("id")) for c in getattr(component, "columns", None) or []]
        return table(columns, getattr(component, "data", None) or [])
    if kind == "AgGrid":
        defs = getattr(component, "columnDefs", None) or []
        columns = [(d.get("headerName") or d.get("field"), d.get("field")) for d in defs if d.get("field")]
        return table(columns, getattr(component, "rowData", None) or [])
    inner = to_html(getattr(component, "children", None), figure_html)
    tag = kind.lower() if namespace == "dash_html_components" else "div"
    css = getattr(component, "className", None) or getattr(component, "class_name", None)
    attrs = Markup(f' class="{escape(css)}"') if css else Markup("")
    if kind in VOID and namespace == "dash_html_components":
        return Markup(f"<{tag}>")
    return Markup(f"<{tag}{attrs}>") + inner + Markup(f"</{tag}>")


def table(columns: list[tuple[Any, Any]], rows: list[dict]) -> Markup:
    """A plain table; <thead> is repeated by WeasyPrint on every page the table runs over."""
    head = "".join(f"<th>{escape(name)}</th>" for name, _ in columns)
    body = "".join("<tr>" + "".join(f"<td>{escape(_cell(row.get(key)))}</td>" for _, key in columns) + "</tr>"
                   for row in rows)
    return Markup(f'<table class="data"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>')


def _cell(value: Any) -> str:
    return "" if value is None else str(value)
