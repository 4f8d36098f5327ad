"""The one gate every request of the dashboard's server goes through (a Flask before_request), and the audit log
written after it (after_request), so that no tab or route has to remember either.

Order of checks: public files (Bootstrap, Dash's scripts) pass; then who is asking (a signed-out browser is sent to
/login for a page, 401 for anything else); then a POST's origin (CSRF: a form's token, a Dash callback's
Origin/Referer, docs/security.md); then the role the request needs (rules.py), 403 when the user's is lower.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from urllib.parse import urlencode, urlsplit

from flask import Flask, Response, current_app, g, redirect, render_template, request
from flask_wtf.csrf import CSRFProtect

from appstate import audit
from dashapp.auth.rules import DASH_UPDATE, Need, need_for_callback, need_for_path
from dashapp.auth.session import current_user, now
from warehouse.scope import ALL, Scope, reset_scope, set_scope

log = logging.getLogger(__name__)

# Set by dashapp.wsgi.warm_worker on its own in-process request: a WSGI environ key, which no HTTP client can set
# (request headers arrive as HTTP_* keys).
WARMUP_ENVIRON_KEY = "customer_insight.warmup"


def install_gate(server: Flask, csrf: CSRFProtect, callbacks: Callable[[], dict]) -> None:
    """`callbacks()`: the Dash app's callback map, read at request time (callbacks are added after this)."""

    @server.before_request
    def gate() -> Response | None:
        if request.environ.get(WARMUP_ENVIRON_KEY) and request.path == "/":
            g.scope_token = set_scope(ALL)  # the server's own page, answered to nobody (dashapp/wsgi.py)
            return None
        if request.path == DASH_UPDATE and request.method == "POST":
            body = request.get_json(silent=True)
            if not isinstance(body, dict) or body.get("output") not in callbacks():
                return _text("Unknown callback.", 404)
            try:
                need = need_for_callback(body)
            except ValueError as exc:
                return _text(f"Bad callback request: {exc}.", 400)
        else:
            need = need_for_path(request.method, request.path, request.query_string.decode("latin-1"))
        if need.role == "public":
            if request.method == "POST":
                csrf.protect()  # the sign-in and sign-out forms
            return None
        user = current_user()
        if user is None:
            if request.method in ("GET", "HEAD") and _is_page(request.path):
                target = request.full_path.rstrip("?")
                return redirect("/login?" + urlencode({"next": target}) if target != "/" else "/login")
            return _text("Sign in first.", 401)
        # every query of this request sees only the user's accounts (warehouse/scope.py; reset at teardown)
        g.scope_token = set_scope(Scope(user.csm_scope))
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            if request.path == DASH_UPDATE:
                if not _same_origin():
                    g.audit_need = Need(need.role, need.action, f"cross-site request from {_origin()}")
                    return _text("Cross-site request refused.", 403)
            else:
                csrf.protect()  # any other form: its CSRF token (400 without a valid one)
        g.audit_need = need
        if not user.can(need.role):
            message = f"You may not do this: it needs the {need.role} role, and you are a {user.role}."
            if request.method == "GET" and _is_page(request.path):
                return Response(render_template("message.html", title="Not allowed", message=message), status=403)
            return _text(message, 403)
        return None

    @server.teardown_request
    def end_scope(_error: BaseException | None) -> None:
        token = g.pop("scope_token", None)
        if token is not None:
            reset_scope(token)

    @server.after_request
    def write_audit(response: Response) -> Response:
        need = g.pop("audit_need", None)
        user = g.get("user")
        if need is None or user is None:
            return response
        status = response.status_code
        outcome = "denied" if status in (401, 403) else "failed" if status >= 400 else "ok"
        if need.audited or outcome == "denied":
            try:
                audit.record(current_app.config["APP_STORE"], need.action, username=user.username, outcome=outcome,
                             detail=need.detail if status < 400 else f"{need.detail} (HTTP {status})".strip(),
                             remote_addr=request.remote_addr, now=now())
            except Exception:  # the audit log failing must not fail the user's request; it is logged loudly
                log.exception("could not write the audit log (%s by %s)", need.action, user.username)
        return response


def _is_page(path: str) -> bool:
    """A browser page (a signed-out visit goes to the sign-in page), rather than data fetched by a page."""
    return not path.startswith(("/_", "/export/")) and not path.endswith(".csv")


def _origin() -> str:
    return request.headers.get("Origin") or request.headers.get("Referer") or ""


def _same_origin() -> bool:
    """A Dash callback POST comes from the dashboard's own page. Browsers send Origin on every POST (and Referer
    as a fallback); a request with neither is not from a browser page, so it is no cross-site request forgery and
    passes. Hosts are compared, not schemes: behind a TLS proxy the server sees http while the page is https."""
    origin = _origin()
    if not origin:
        return True
    host = urlsplit(origin).netloc.lower()
    allowed = {request.host.lower()}
    base = current_app.config["AUTH_SETTINGS"].base_url
    if base:
        allowed.add(urlsplit(base).netloc.lower())
    return bool(host) and host in allowed


def _text(message: str, status: int) -> Response:
    return Response(message + "\n", status=status, mimetype="text/plain")
