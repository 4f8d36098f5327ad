""""Share": the link to the view in sight, as the plain URL (always works: the whole state is in it), as a short
permalink stored on the server (/s/<code>) for states too long to paste comfortably, and as a protected short link
that asks for a password before it opens (docs/sharing.md). Opening /s/<code> redirects to the stored view, after
the password page for a protected link; the report command accepts a plain permalink too (reports.view). The
permalink store is the app-state database (appstate/), which a warehouse rebuild never touches."""

from __future__ import annotations

import dash_bootstrap_components as dbc
import flask
from dash import Dash, Input, Output, State, ctx, dcc, html

from appstate import audit
from appstate.db import open_store
from appstate.permalinks import (
    LINK_LOCK_MINUTES,
    LINK_MAX_FAILURES,
    Opened,
    Permalink,
    create_permalink,
    create_protected_permalink,
    get_permalink,
    open_protected,
    resolve_permalink,
)
from appstate.users import MIN_PASSWORD
from config.settings import Settings
from dashapp.auth.session import current_user, now

PREFIX = "/s/"
OK, ERROR = "small text-success mt-2", "small text-danger mt-2"


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
                html.Hr(),
                _protected_form(),
            ]),
        ], id="share-modal", is_open=False),
    ])


def _protected_form() -> html.Div:
    return html.Div([
        dbc.Label("Short link with a password (optional)", html_for="share-password", className="mb-0"),
        html.P("A new short link that asks for this password before it opens. Send the password another way than "
               "the link. It protects the short link only: the full link above opens the view without it.",
               className="text-muted small mb-2"),
        dbc.InputGroup([
            dbc.Input(id="share-password", type="password", placeholder=f"Password, at least {MIN_PASSWORD} characters",
                      autoComplete="new-password", maxLength=1024),
            dbc.Button("Make protected link", id="share-protect", color="primary", outline=True),
        ], size="sm"),
        dbc.InputGroup([dbc.Input(id="share-protected", readonly=True, placeholder="The protected link appears here"),
                        dbc.InputGroupText(dcc.Clipboard(target_id="share-protected", title="Copy"))],
                       className="mt-2"),
        html.Div(id="share-protect-feedback", className=OK, **{"aria-live": "polite"}),
    ])


def register(app: Dash, settings: Settings) -> None:
    def base_url() -> str:
        return (settings.base_url or flask.request.host_url).rstrip("/")

    @app.callback(Output("share-modal", "is_open"), Output("share-short", "value"), Output("share-full", "value"),
                  Output("share-error", "children"),
                  Input("share-open", "n_clicks"), State("url", "search"), prevent_initial_call=True)
    def share(_clicks, search):
        base = base_url()
        full = f"{base}/{search or ''}"
        try:
            code = create_permalink(open_store(settings), search or "", created_by=current_user().username)
        except (ValueError, TypeError) as exc:  # a view too long to store: the full link still works
            return True, "", full, f"No short link: {exc}"
        return True, f"{base}{PREFIX}{code}", full, ""

    @app.callback(Output("share-protected", "value"), Output("share-password", "value"),
                  Output("share-protect-feedback", "children"), Output("share-protect-feedback", "className"),
                  Input("share-protect", "n_clicks"), Input("share-open", "n_clicks"),
                  State("share-password", "value"), State("url", "search"), prevent_initial_call=True)
    def protect(_protect, _open, password, search):
        if ctx.triggered_id != "share-protect":  # the dialog opened again: nothing of the last protected link
            return "", "", "", OK
        user = current_user()
        try:
            code = create_protected_permalink(open_store(settings), search or "", password or "",
                                              created_by=user.username)
        except (ValueError, TypeError) as exc:  # too short a password, a view too long to store
            _audit("permalink.create", f"protected link of {search or '?'}: {exc}", "failed")
            return "", "", f"No protected link: {exc}.", ERROR
        # the gate records no row for this callback (rules.py): here, where a refused password is known
        _audit("permalink.create", f"protected link {code} of {search or '?'}")
        return (f"{base_url()}{PREFIX}{code}", "", "Protected link made. Send the password separately; it is not "
                                                   "stored, so note it now.", OK)

    @app.server.route(f"{PREFIX}<code>", methods=["GET", "POST"])
    def open_permalink(code: str):
        store = open_store(settings)
        link = get_permalink(store, code)
        if link is None:
            return _unknown()
        if not link.protected:
            return flask.redirect(f"/{resolve_permalink(store, code)}", code=302)
        if flask.request.method != "POST":
            return _password_page(link)
        # The outcome of a password is audited here, as the sign-in page does; the gate adds no row of its own for
        # this request (it would for the 401 below, as a refused "page").
        flask.g.pop("audit_need", None)
        password = flask.request.form.get("password") or ""
        if not password:  # an empty form is no try: not counted
            return _password_page(link, "Type the link's password.", status=400)
        opened, after = open_protected(store, code, password, now=now())
        if after is None:  # deleted meanwhile
            return _unknown()
        if opened is Opened.OK:
            _audit("permalink.open", code)
            return flask.redirect(f"/{after.search}", code=302)
        if opened is Opened.WRONG:
            _audit("permalink.open", f"{code}: wrong password", "failed")
            left = LINK_MAX_FAILURES - after.failed_attempts
            return _password_page(after, f"Wrong password. {left} {'try' if left == 1 else 'tries'} left before the "
                                         f"link is locked for {LINK_LOCK_MINUTES} minutes.", status=401)
        until = f"{after.locked_until:%Y-%m-%d %H:%M} UTC"
        if opened is Opened.LOCKS:
            _audit("permalink.open", f"{code}: wrong password (locked until {until})", "failed")
        else:  # locked already: the password was not even checked
            _audit("permalink.open", f"{code}: locked until {until}", "denied")
        return _password_page(after, status=429)


def _unknown() -> tuple[str, int, dict[str, str]]:
    return ('<!DOCTYPE html><title>Unknown link</title><p>This short link is unknown. '
            '<a href="/">Open the dashboard</a>.</p>', 404, {"Content-Type": "text/html; charset=utf-8"})


def _password_page(link: Permalink, message: str | None = None, status: int = 200) -> flask.Response:
    locked = link.locked_until if link.locked(now()) else None
    page = flask.render_template("permalink_password.html", code=link.code, message=message, locked_until=locked,
                                 max_failures=LINK_MAX_FAILURES, lock_minutes=LINK_LOCK_MINUTES)
    response = flask.make_response(page, status)
    response.headers["Cache-Control"] = "no-store"
    return response


def _audit(action: str, detail: str, outcome: str = "ok") -> None:
    audit.record(flask.current_app.config["APP_STORE"], action, username=current_user().username, outcome=outcome,
                 detail=detail, remote_addr=flask.request.remote_addr, now=now())
