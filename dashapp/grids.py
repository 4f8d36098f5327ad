"""AG Grid pieces shared by the tables that load their rows from the server as the user scrolls (the infinite row
model: the segment explorer, the team profiles) and by the small client-side tables: number columns formatted
in the browser, the grid itself, the sort whitelist, the block a request asks for, and the refresh that makes
the grid ask again when its filters change."""

from __future__ import annotations

from typing import Any

import dash_ag_grid as dag
from dash import Dash, Input, Output

MAX_BLOCK = 500  # rows one request may ask for, whatever the browser sends


def number_column(spec: str) -> dict[str, Any]:
    """Column options of a right-aligned number shown with a d3-format spec (e.g. ",.0f"), "–" when empty."""
    return {"type": "rightAligned",
            "valueFormatter": {"function": f"params.value == null ? '–' : d3.format('{spec}')(params.value)"}}


def infinite_grid(grid_id: str, column_defs: list[dict[str, Any]], block_size: int, style: dict[str, Any],
                  **grid_options: Any) -> dag.AgGrid:
    """A grid that asks the server for blocks of `block_size` rows (getRowsRequest → getRowsResponse).
    Widths are set per column: rows arrive after the grid is drawn, so auto-sizing would see no content."""
    return dag.AgGrid(
        id=grid_id, columnDefs=column_defs, rowModelType="infinite",
        defaultColDef={"resizable": True, "minWidth": 90, "width": 130, "wrapHeaderText": True,
                       "autoHeaderHeight": True},
        dashGridOptions={"cacheBlockSize": block_size, "maxBlocksInCache": 20, "rowBuffer": 0,
                         "enableCellTextSelection": True, **grid_options},
        style=style, className="ag-theme-quartz",
    )


def grid_sort(sort_model: list[dict] | None, columns: dict[str, Any], default: tuple[str, str]) -> tuple[str, str]:
    """The grid's sort as (column, direction), both from a whitelist (`columns`' keys, asc/desc): anything else
    gives `default`. The column only ever chooses a branch of the SQL or a DataFrame column, never SQL text."""
    if isinstance(sort_model, list) and sort_model and isinstance(sort_model[0], dict):
        column, direction = sort_model[0].get("colId"), sort_model[0].get("sort")
        if column in columns and direction in ("asc", "desc"):
            return column, direction
    return default


def requested_block(request: dict | None, block_size: int) -> tuple[int, int]:
    """(first row, number of rows) of a getRowsRequest, bounded: a missing or odd request gives the first block."""
    request = request if isinstance(request, dict) else {}
    start = max(0, _whole(request.get("startRow"), 0))
    size = max(1, min(_whole(request.get("endRow"), start + block_size) - start, MAX_BLOCK))
    return start, size


def _whole(value: Any, default: int) -> int:
    """A row number of the request: a whole number, else `default` (a hand-made request may send anything)."""
    return value if isinstance(value, int) and not isinstance(value, bool) and abs(value) < 2**53 else default


def register_grid_refresh(app: Dash, grid_id: str, store_id: str, *inputs: Input) -> None:
    """When any of `inputs` changes, drop the grid's loaded blocks so it asks for its rows again (its rows
    callback reads them as State). Done in the browser: re-creating the grid instead raced with the answer to
    the old grid's first request and left the new one empty. `store_id` is a dcc.Store the callback needs as
    an output; it never changes."""
    arguments = ", ".join(f"_{i}" for i in range(len(inputs)))
    app.clientside_callback(
        f"""function({arguments}) {{
            window.dash_ag_grid.getApiAsync("{grid_id}").then((api) => api.purgeInfiniteCache());
            return window.dash_clientside.no_update;
        }}""",
        Output(store_id, "data"), *inputs, prevent_initial_call=True)
