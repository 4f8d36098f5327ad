"""Dash components as static HTML for a PDF: html.* tags as themselves, DataTable and AG Grid as plain tables
(their header repeats on every page), dcc.Graph figures as placeholders for the batch-rendered SVGs, links as their
text, Bootstrap tables and badges as tables and spans; colours and font weights of inline styles are kept."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable
from typing import Any

import plotly.graph_objects as go
from markupsafe import Markup, escape

from dashapp.components import format_like_d3

# interactive parts that mean nothing on paper
SKIPPED = {"Button", "Pagination", "Checklist", "Dropdown", "Store", "Location", "Tooltip"}
VOID = {"Br", "Hr"}
# Bootstrap components that are not blocks on paper either (the others become <div class="...">)
DBC_TAGS = {"Table": "table", "Badge": "span"}
# dcc.Link: the text; its href is a dashboard state that means nothing in a PDF
INLINE = {"Link": "span"}
# inline style properties worth keeping on paper (they carry meaning: a sentiment dot's colour, a bold level)
KEPT_STYLES = {"color": "color", "backgroundColor": "background-color", "fontWeight": "font-weight",
               "fontStyle": "font-style"}
# the start of a sentence or clause of a card's help that tells how to use the chart on screen ("Hover a point for
# ...", "; drag to rotate", "click a legend entry ...", "Pick the features ...; the list keeps your order")
ON_SCREEN = re.compile(r"(hover|sort by|click|double-click|drag|pick the|the list keeps)\b", re.IGNORECASE)


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
        defs = [d for d in getattr(component, "columnDefs", None) or [] if d.get("field")]
        columns = [(d.get("headerName") or d.get("field"), d.get("field")) for d in defs]
        return table(columns, _formatted(getattr(component, "rowData", None) or [], defs),
                     {d["field"]: "num" for d in defs if d.get("type") == "rightAligned"})
    inner = to_html(getattr(component, "children", None), figure_html)
    if namespace == "dash_html_components":
        tag = kind.lower()
    elif namespace == "dash_bootstrap_components":
        tag = DBC_TAGS.get(kind, "div")
    else:
        tag = INLINE.get(kind, "div")
    css = getattr(component, "className", None) or getattr(component, "class_name", None)
    if namespace == "dash_bootstrap_components" and kind in DBC_TAGS:  # report.css styles them by these classes
        css = f"{'data' if tag == 'table' else 'badge'} {css or ''}".strip()
    attrs = Markup(f' class="{escape(css)}"') if css else Markup("")
    style = _style(getattr(component, "style", None))
    if style:
        attrs += Markup(f' style="{escape(style)}"')
    if kind in VOID and namespace == "dash_html_components":
        return Markup(f"<{tag}>")
    return Markup(f"<{tag}{attrs}>") + inner + Markup(f"</{tag}>")


def on_paper(help_text: str | None) -> str | None:
    """A card's help without what only the screen can do (hover, click, drag, sort, pick): those sentences and
    clauses are left out, the rest kept word for word."""
    if not help_text:
        return help_text
    kept = []
    for sentence in re.split(r"(?<=\.)\s+", help_text):
        parts = sentence.split("; ")
        clauses = [clause for clause in parts if not ON_SCREEN.match(clause.strip())]
        if not clauses:
            continue
        text = "; ".join(clauses).strip()
        if clauses[0] is not parts[0]:  # the sentence now starts with what was its second clause
            text = text[0].upper() + text[1:]
        kept.append(text if text.endswith((".", ")", "?", "!")) else text + ".")
    return " ".join(kept) or None


def table(columns: list[tuple[Any, Any]], rows: list[dict], classes: dict[Any, str] | None = None) -> Markup:
    """A plain table; <thead> is repeated by WeasyPrint on every page the table runs over. `classes`: column key ->
    class of its cells (num: right-aligned)."""
    classes = classes or {}

    def attrs(key: Any) -> str:
        return f' class="{escape(classes[key])}"' if key in classes else ""

    head = "".join(f"<th{attrs(key)}>{escape(name)}</th>" for name, key in columns)
    body = "".join("<tr>" + "".join(f"<td{attrs(key)}>{escape(_cell(row.get(key)))}</td>" for _, key in columns)
                   + "</tr>" for row in rows)
    return Markup(f'<table class="data"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>')


# the d3 format of a grid's number column (dashapp.grids.number_column), which the browser applies
_D3_FORMAT = re.compile(r"d3\.format\('([^']*)'\)")


def _formatted(rows: list[dict], defs: list[dict]) -> list[dict]:
    """Rows with the grid's number formats applied as the browser would (dashapp.components.format_like_d3)."""
    specs = {}
    for definition in defs:
        formatter = definition.get("valueFormatter")
        found = _D3_FORMAT.search(formatter.get("function", "")) if isinstance(formatter, dict) else None
        if found:
            specs[definition["field"]] = found.group(1)
    if not specs:
        return rows
    out = []
    for row in rows:
        row = dict(row)
        for field, spec in specs.items():
            value = row.get(field)
            if value is None or (isinstance(value, int | float) and not isinstance(value, bool)):
                with contextlib.suppress(ValueError):  # a spec Python does not know: the value as it is
                    row[field] = format_like_d3(value, spec)
        out.append(row)
    return out


def _cell(value: Any) -> str:
    return "" if value is None else str(value)


def _style(style: Any) -> str:
    if not isinstance(style, dict):
        return ""
    # one property per value: a value with ';' in it is not a colour or a weight
    return "; ".join(f"{css}: {style[key]}" for key, css in KEPT_STYLES.items()
                     if isinstance(style.get(key), str | int | float) and ";" not in str(style[key]))
