"""The placeholder home page: row counts of the warehouse in service and its load history."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dash_table, html

from warehouse.reader import WarehouseReader, WarehouseUnavailable


def placeholder() -> object:
    return dbc.Spinner(html.Div(style={"height": "4rem"}))


def render(reader: WarehouseReader) -> object:
    try:
        counts = reader.query("overview/warehouse_row_counts")
        loads = reader.query("overview/last_load_report")
    except WarehouseUnavailable as exc:
        return dbc.Alert([html.Strong("No data yet. "), str(exc)], color="warning")
    return dbc.Row([
        dbc.Col([
            html.H2("ANALYTICS tables", className="h5"),
            _table("row-counts", counts.rename(columns={"table_name": "table", "row_count": "rows"})),
        ], md=5),
        dbc.Col([
            html.H2("Last load", className="h5"),
            _table("load-report", loads.rename(columns={
                "source_file": "file", "rows_read": "read", "rows_loaded": "loaded",
                "rows_quarantined": "quarantined"})),
        ], md=7),
    ])


def _table(table_id: str, frame) -> dash_table.DataTable:
    return dash_table.DataTable(
        id=table_id,
        data=frame.to_dict("records"),
        columns=[{"name": c, "id": c, "type": "numeric" if frame[c].dtype.kind in "iuf" else "text",
                  "format": {"specifier": ","}} for c in frame.columns],
        style_cell={"fontFamily": "var(--bs-body-font-family)", "fontSize": "0.95rem", "padding": "6px 12px"},
        style_cell_conditional=[{"if": {"column_id": c}, "textAlign": "left"}
                                for c in frame.columns if frame[c].dtype.kind not in "iuf"],
        style_header={"fontWeight": "600", "backgroundColor": "#f8f9fa"},
        style_as_list_view=True,
    )
