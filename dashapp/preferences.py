"""Preferences per user (issue 8; docs/preferences.md): the "Preferences" dialog of the header's user menu, and
where each preference takes effect.

- Default tab and date range: opening the plain dashboard address ("/", no view in it) redirects to the user's
  default view, so the address always holds what is shown (Share, PDF, Excel, Feedback read it). An address with
  a view in it (a shared link, a permalink, a bookmark) is never changed.
- Colour scheme and number format: the `Look` of every request of the user (dashapp.figures.common), set here
  before the request runs, as the sign-in gate sets the account scope; styled() and the KPI cards read it, on
  screen and in the PDFs the request makes.

Saving reloads the page, so that every chart is drawn again in the new look.
"""

from __future__ import annotations

import logging
import threading
import time

import dash_bootstrap_components as dbc
from dash import Dash, Input, Output, State, ctx, dcc, html, no_update
from flask import Flask, Response, after_this_request, current_app, g, redirect, request

from appstate.preferences import Choices, PreferenceError, Preferences, get_preferences, save_preferences
from dashapp.auth.gate import WARMUP_ENVIRON_KEY
from dashapp.auth.rules import PUBLIC_PREFIXES
from dashapp.auth.session import current_user
from dashapp.figures.common import (
    DEFAULT_NUMBER_FORMAT,
    DEFAULT_SCHEME,
    NUMBER_FORMATS,
    PALETTE,
    SCHEMES,
    Look,
    reset_look,
    set_look,
)
from dashapp.state import DEFAULT_PRESET, DEFAULT_TAB, PRESETS, TABS, ViewState, to_search

log = logging.getLogger(__name__)
RANGES = {k: v for k, v in PRESETS.items() if k != "custom"}  # a fixed custom range would go stale as a default
CHOICES = Choices(default_tab=tuple(TABS), default_range=tuple(RANGES), colour_scheme=tuple(SCHEMES),
                  number_format=tuple(NUMBER_FORMATS))
CACHE_S = 5.0  # a user's row is read again at most this often per process (a page sends dozens of requests)
# When this browser last saved preferences (a Unix time): a process whose copy of the row is older reads it again,
# so the page reloaded after a save is drawn in the new look whichever server worker answers. Not signed: a forged
# value only makes the server read the row once more.
SAVED_COOKIE = "ci_prefs_saved"

_cache: dict[tuple[str, str], tuple[float, Preferences]] = {}
_cache_lock = threading.Lock()


def preferences_of(username: str) -> Preferences:
    """The user's preferences (cached for a few seconds), in a request of the dashboard's server."""
    store = current_app.config["APP_STORE"]
    key, tick = (store.url, username), time.time()
    with _cache_lock:
        hit = _cache.get(key)
    if hit is not None and 0 <= tick - hit[0] < CACHE_S and hit[0] > _saved_at():
        return hit[1]
    try:
        found = get_preferences(store, username)
    except Exception:  # the app database unreachable: the dashboard still works, in the default look
        log.exception("could not read the preferences of %s", username)
        return Preferences()
    with _cache_lock:
        _cache[key] = (tick, found)
    return found


def _saved_at() -> float:
    try:
        return float(request.cookies.get(SAVED_COOKIE, "0"))
    except ValueError:
        return 0.0


def current_preferences() -> Preferences:
    user = current_user()
    return preferences_of(user.username) if user is not None else Preferences()


def look_of(preferences: Preferences) -> Look:
    """The Look of a user's preferences; an id no longer known (a scheme removed since) falls back to the default."""
    scheme = preferences.colour_scheme if preferences.colour_scheme in SCHEMES else DEFAULT_SCHEME
    fmt = preferences.number_format if preferences.number_format in NUMBER_FORMATS else DEFAULT_NUMBER_FORMAT
    return Look(scheme, fmt)


def default_view(preferences: Preferences) -> ViewState:
    """The view "/" opens on for these preferences."""
    return ViewState(tab=preferences.default_tab if preferences.default_tab in TABS else DEFAULT_TAB,
                     preset=preferences.default_range if preferences.default_range in RANGES else DEFAULT_PRESET)


def default_range() -> str:
    """The date range "Reset to default" goes back to: the user's default range."""
    return default_view(current_preferences()).preset


def install(server: Flask) -> None:
    """Before every request the gate let through (it runs first: a refused request never gets here): the user's
    Look, and the redirect of "/" to their default view."""

    @server.before_request
    def apply_preferences() -> Response | None:
        if request.path.startswith(PUBLIC_PREFIXES) or request.environ.get(WARMUP_ENVIRON_KEY):
            return None
        user = current_user()
        if user is None:
            return None
        preferences = preferences_of(user.username)
        g.look_token = set_look(look_of(preferences))
        if request.path == "/" and request.method == "GET" and not request.query_string:
            view = default_view(preferences)
            if view != ViewState():  # the product's default view needs no address of its own
                return redirect("/" + to_search(view), code=302)
        return None

    @server.teardown_request
    def end_look(_error: BaseException | None) -> None:
        token = g.pop("look_token", None)
        if token is not None:
            reset_look(token)


def _swatches(scheme_id: str) -> html.Span:
    scheme = SCHEMES[scheme_id]
    swatch = {"display": "inline-block", "width": "14px", "height": "14px", "marginRight": "2px",
              "borderRadius": "2px", "verticalAlign": "-2px"}
    return html.Span([html.Span(style={**swatch, "backgroundColor": scheme.colour(c)}) for c in PALETTE[:7]],
                     className="me-2", **{"aria-hidden": "true"})


def layout() -> html.Div:
    """The dialog; the "Preferences" button that opens it is in the header's user menu (dashapp/auth/layout.py)."""
    return html.Div([
        dcc.Store(id="prefs-saved"),
        dcc.Store(id="prefs-reloaded"),
        dbc.Modal([
            dbc.ModalHeader(dbc.ModalTitle("Preferences")),
            dbc.ModalBody([
                html.H2("When you open the dashboard", className="h6"),
                html.P("Used when the dashboard's address holds no view (plain /). A shared link, a short link or "
                       "a bookmark always opens exactly as it was sent.", className="small text-muted"),
                dbc.Row([
                    dbc.Col([dbc.Label("Default tab", html_for="prefs-tab", className="small fw-semibold mb-1"),
                             dbc.Select(id="prefs-tab", size="sm",
                                        options=[{"label": v, "value": k} for k, v in TABS.items()])], md=6),
                    dbc.Col([dbc.Label("Default date range", html_for="prefs-range",
                                       className="small fw-semibold mb-1"),
                             dbc.Select(id="prefs-range", size="sm",
                                        options=[{"label": v, "value": k} for k, v in RANGES.items()])], md=6),
                ], className="mb-3"),
                html.H2("Charts and numbers", className="h6"),
                html.P("Every chart and KPI card, on screen and in your PDF reports. Tables and Excel workbooks keep "
                       "their own number formats.", className="small text-muted"),
                dbc.Label("Chart colours", html_for="prefs-scheme", className="small fw-semibold mb-1"),
                dbc.RadioItems(id="prefs-scheme", className="mb-3", options=[
                    {"label": html.Span([_swatches(k), s.label]), "value": k} for k, s in SCHEMES.items()]),
                dbc.Label("Numbers", html_for="prefs-format", className="small fw-semibold mb-1"),
                dbc.RadioItems(id="prefs-format", inline=True, options=[
                    {"label": f.label, "value": k} for k, f in NUMBER_FORMATS.items()]),
                html.Div(id="prefs-message", className="small mt-2", **{"aria-live": "polite"}),
            ]),
            dbc.ModalFooter([
                dbc.Button("Cancel", id="prefs-cancel", color="secondary", outline=True, size="sm"),
                dbc.Button("Save", id="prefs-save", color="primary", size="sm"),
            ]),
        ], id="prefs-modal", is_open=False),
    ])


def register(app: Dash) -> None:
    @app.callback(Output("prefs-modal", "is_open"), Output("prefs-tab", "value"), Output("prefs-range", "value"),
                  Output("prefs-scheme", "value"), Output("prefs-format", "value"),
                  Output("prefs-message", "children"),
                  Input("prefs-open", "n_clicks"), Input("prefs-cancel", "n_clicks"), prevent_initial_call=True)
    def open_dialog(_opened, _cancelled):
        if ctx.triggered_id == "prefs-cancel":
            return False, no_update, no_update, no_update, no_update, ""
        preferences = current_preferences()
        view, look = default_view(preferences), look_of(preferences)
        return True, view.tab, view.preset, look.scheme, look.number_format, ""

    @app.callback(Output("prefs-saved", "data"), Output("prefs-message", "children", allow_duplicate=True),
                  Output("prefs-message", "className"),
                  Input("prefs-save", "n_clicks"), State("prefs-tab", "value"), State("prefs-range", "value"),
                  State("prefs-scheme", "value"), State("prefs-format", "value"), prevent_initial_call=True)
    def save(_clicks, tab, date_range, scheme, number_format):
        user = current_user()
        # the product's defaults are stored as NULL: a default changed later reaches this user too
        chosen = Preferences(default_tab=None if tab == DEFAULT_TAB else tab,
                             default_range=None if date_range == DEFAULT_PRESET else date_range,
                             colour_scheme=None if scheme == DEFAULT_SCHEME else scheme,
                             number_format=None if number_format == DEFAULT_NUMBER_FORMAT else number_format)
        store = current_app.config["APP_STORE"]
        try:
            save_preferences(store, user.username, chosen, CHOICES)
        except PreferenceError as exc:
            return no_update, str(exc), "small mt-2 text-danger"
        with _cache_lock:
            _cache.pop((store.url, user.username), None)
        saved_at = time.time()

        @after_this_request
        def remember(response: Response) -> Response:
            response.set_cookie(SAVED_COOKIE, f"{saved_at:.3f}", max_age=int(CACHE_S * 2), httponly=True,
                                samesite="Lax", secure=current_app.config.get("SESSION_COOKIE_SECURE", False))
            return response

        return saved_at, "Saved. The page reloads in the new look…", "small mt-2 text-success"

    # every chart drawn again in the new look: the same address, so the same view
    app.clientside_callback("function (saved) { if (saved) { window.location.reload(); } return saved; }",
                            Output("prefs-reloaded", "data"), Input("prefs-saved", "data"), prevent_initial_call=True)
