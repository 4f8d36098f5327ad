"""The header's "Refresh data" button: starts etl.refresh (the configured load, in the background), shows its
state to every open dashboard (polled while a refresh runs) and, once the new warehouse is in, offers to show it.
Users keep working on the old data meanwhile: the swap is atomic and caches are keyed by the warehouse version."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import ClientsideFunction, Dash, Input, Output, State, ctx, dcc, html

from config.settings import Settings
from etl.refresh import RefreshState, read_state, start_refresh
from warehouse.reader import WarehouseReader

POLL_RUNNING_MS = 3_000  # while a load runs
POLL_IDLE_MS = 60_000  # otherwise: a load started elsewhere (another user, cron) still shows within a minute


def layout(reader: WarehouseReader) -> html.Div:
    return html.Div([
        dcc.Store(id="refresh-version", data=reader.version),  # the data version this page was drawn with
        dcc.Interval(id="refresh-poll", interval=POLL_IDLE_MS),
        html.Span(id="refresh-status", className="small text-white-50 me-2", **{"aria-live": "polite"}),
        dbc.Button("Show the new data", id="refresh-show", size="sm", color="warning", className="me-2 d-none"),
        dbc.Button("Refresh data", id="refresh-start", size="sm", color="light", outline=True,
                   title="Load the source files again and swap the new warehouse in; the dashboard keeps "
                         "working on the current data meanwhile"),
    ], className="d-flex align-items-center")


def register(app: Dash, settings: Settings, reader: WarehouseReader) -> None:
    @app.callback(Output("refresh-status", "children"), Output("refresh-poll", "interval"),
                  Output("refresh-show", "className"), Output("refresh-start", "disabled"),
                  Input("refresh-start", "n_clicks"), Input("refresh-poll", "n_intervals"),
                  State("refresh-version", "data"))
    def update(_clicks, _ticks, page_version):
        if ctx.triggered_id == "refresh-start":
            state = start_refresh(settings, reader.query("loads/load_history").to_dict("records"))
        else:
            state = read_state(settings)
        newer = state.state != "running" and reader.version != page_version
        return (status_text(state, newer), POLL_RUNNING_MS if state.state == "running" else POLL_IDLE_MS,
                "me-2" if newer else "me-2 d-none", state.state == "running")

    app.clientside_callback(ClientsideFunction("refresh", "reload"), Output("refresh-show", "n_clicks"),
                            Input("refresh-show", "n_clicks"), prevent_initial_call=True)


def status_text(state: RefreshState, newer: bool) -> str:
    if state.state == "running":
        return f"Refreshing data (started {state.started_at[11:16]}) — you can keep working"
    if state.state == "failed":
        return f"Refresh failed: {state.message}"[:300]
    if newer:
        return f"New data loaded at {state.finished_at[11:16]}" if state.finished_at else "New data loaded"
    return ""
