"""Sign-in, roles enforced on the server, and the audit log, for the dashboard's Flask server (issue 8;
docs/security.md).

    session.py  who is asking: the signed cookie, the secret key, the local admin when sign-in is off
    rules.py    what each route and Dash callback needs (role) and which ones are audited
    gate.py     the before_request gate that applies rules.py, and the audit log written after each request
    views.py    /login, /logout, /admin/users, /admin/audit(.csv)
    layout.py   the user menu in the dashboard's header, and hiding what a role cannot use

`install(app, settings)` once in create_app. With CUSTOMER_INSIGHT_AUTH off (the demo) nobody signs in: every
request is the local admin "local", and the audit log still records what is done, as "local".
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import dash
from flask_wtf.csrf import CSRFProtect

from appstate.db import open_store, utc_now
from appstate.users import count_users
from config.settings import AUTH_ENV, Settings
from dashapp.auth.gate import install_gate
from dashapp.auth.layout import hide_for, user_menu
from dashapp.auth.session import LOCAL_USER, current_user
from dashapp.auth.views import blueprint
from warehouse.scope import require_scope

__all__ = ["AuthSetupError", "LOCAL_USER", "current_user", "hide_for", "install", "user_menu"]


class AuthSetupError(SystemExit):
    """Sign-in is on but cannot work (no user yet). A SystemExit: `customer-insight serve` (and a gunicorn worker)
    stops with the message alone, not a traceback."""


def install(app: dash.Dash, settings: Settings, clock: Callable[[], datetime] = utc_now) -> None:
    store = open_store(settings)
    if settings.auth and count_users(store) == 0:
        raise AuthSetupError(
            f"Sign-in is on ({AUTH_ENV}=on) but there is no user yet, so nobody could sign in. Add an admin first:\n"
            "  customer-insight users add NAME --role admin\n"
            f"(it asks for the password; same {settings.data_dir} data folder or app database), then start again.")
    from dashapp.auth.session import configure

    server = app.server
    configure(server, settings, store, clock)
    # With sign-in on, a query run where no user's account scope was set (a thread that lost the request's context)
    # is refused rather than reading every account (warehouse/scope.py).
    require_scope(settings.auth)
    # CSRF tokens of Flask-WTF, checked by the gate on form POSTs only (not by CSRFProtect's own hook, which would
    # also demand a token of Dash's JSON callbacks: those are checked by origin, docs/security.md).
    server.config.update(WTF_CSRF_CHECK_DEFAULT=False, WTF_CSRF_TIME_LIMIT=None)
    csrf = CSRFProtect(server)
    server.register_blueprint(blueprint)
    install_gate(server, csrf, lambda: app.callback_map)
