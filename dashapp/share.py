""""Share": the link to the view in sight, as the plain URL (always works: the whole state is in it) and as a short
permalink stored on the server (/s/<code>) for states too long to paste comfortably. Opening /s/<code> redirects
to the stored view; the report command accepts it too (reports.view). The permalink store is the app-state
database (appstate/), which a warehouse rebuild never touches."""

from __future__ import annotations

import dash_bootstrap_components as dbc
import flask
from dash import Dash, Input, Output, State, dcc, html

from appstate.db import open_store
from appstate.permalinks import create_permalink, resolve_permalink
from config.settings import Settings

PREFIX = "/s/"


def layout() -> html.Div:
    return html.Div([
        dbc.Button("Share", id="share-open", size="sm", color="primary", outline=True, className="ms-2",
                   title="A link to this tab with these filters"),
        dbc.Modal([
            dbc.ModalHeader(dbc.ModalTitle("Share this view")),
            dbc.ModalBody([
                html.P("Anyone who can open the dashboard sees this tab with these filters.",
                       className="text-muted small"),
                dbc.Label("Short link", html_for="share-short"),
                dbc.InputGroup([dbc.Input(id="share-short", readonly=True),
                                dbc.InputGroupText(dcc.Clipboard(target_id="share-short", title="Copy"))],
                               className="mb-3"),
                dbc.Label("Full link", html_for="share-full"),
                dbc.InputGroup([dbc.Input(id="share-full", readonly=True),
                                dbc.InputGroupText(dcc.Clipboard(target_id="share-full", title="Copy"))]),
                html.Div(id="share-error", className="small text-danger mt-2", **{"aria-live": "polite"}),
            ]),
        ], id="share-modal", is_open=False),
    ])


def register(app: Dash, settings: Settings) -> None:
    @app.callback(Output("share-modal", "is_open"), Output("share-short", "value"), Output("share-full", "value"),
                  Output("share-error", "children"),
                  Input("share-open", "n_clicks"), State("url", "search"), prevent_initial_call=True)
    def share(_clicks, search):
        base = (settings.base_url or flask.request.host_url).rstrip("/")
        full = f"{base}/{search or ''}"
        try:
            code = create_permalink(open_store(settings), search or "")
        except (ValueError, TypeError) as exc:  # a view too long to store: the full link still works
            return True, "", full, f"No short link: {exc}"
        return True, f"{base}{PREFIX}{code}", full, ""

    @app.server.route(f"{PREFIX}<code>")
    def open_permalink(code: str):
        search = resolve_permalink(open_store(settings), code)
        if search is None:
            return ('<!DOCTYPE html><title>Unknown link</title><p>This short link is unknown. '
                    '<a href="/">Open the dashboard</a>.</p>', 404, {"Content-Type": "text/html; charset=utf-8"})
        return flask.redirect(f"/{search}", code=302)
