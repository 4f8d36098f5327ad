"""The Dash application factory: `create_app(settings)`; `dashapp.wsgi:server` serves it under gunicorn."""

from __future__ import annotations

from pathlib import Path

import dash
import flask

from config.settings import Settings, load_settings
from dashapp import (
    auth,
    callback_shapes,
    export_panel,
    feedback,
    preferences,
    presets,
    refresh,
    schedule_dialog,
    share,
    shell,
)
from dashapp.tabs import TAB_MODULES
from warehouse.cache import QueryCache
from warehouse.reader import open_reader
from warehouse.scope import ALL, Scope, scoped

ASSETS = Path(__file__).with_name("assets")


def create_app(settings: Settings | None = None) -> dash.Dash:
    settings = settings or load_settings()
    # The warehouse of CUSTOMER_INSIGHT_WAREHOUSE_URL, DuckDB file or PostgreSQL. One result cache on disk for all
    # gunicorn workers: many users share the same queries.
    reader = open_reader(settings, QueryCache(settings.data_dir / "query_cache"))
    # Bootstrap and every other asset are served from dashapp/assets: no CDN (the app runs offline).
    app = dash.Dash(__name__, title="Customer Insight", assets_folder=str(ASSETS), serve_locally=True,
                    suppress_callback_exceptions=True)
    # Sign-in, roles and the audit log first: its gate sees every request (dashapp/auth, docs/security.md). It
    # refuses to start when sign-in is on and no user exists yet.
    auth.install(app, settings)
    # then the shape of each callback request's values: a hand-made request gets a 400, not a callback's exception
    callback_shapes.install(app.server, lambda: app.callback_map,
                            lambda: [shell.layout(reader), *[module.layout() for module in TAB_MODULES]])

    def page() -> object:  # a function: options reflect the data at page load, and the page the user's role
        user = auth.current_user() if flask.has_request_context() else None
        if user is None:  # Dash checking the layout at start-up (requests without a user never get here)
            with scoped(ALL):  # answered to nobody: Dash only validates it (warehouse/scope.py)
                return shell.layout(reader)
        # the user's account scope here too: Dash's own first-request hook builds the layout before the gate runs
        with scoped(Scope(user.csm_scope)):
            return auth.hide_for(shell.layout(reader, auth.user_menu(user, settings.auth)), user)

    app.layout = page
    # each user's colour scheme and number format for the request, and "/" sent to their default view; after the
    # gate (a refused request never gets here)
    preferences.install(app.server)
    shell.register(app, reader)
    presets.register(app)
    preferences.register(app)
    refresh.register(app, settings, reader)
    share.register(app, settings)
    feedback.register(app, settings)
    schedule_dialog.register(app, settings, reader)
    export_panel.register(app, reader)
    for module in TAB_MODULES:
        module.register(app, reader)
    app.server.config["WAREHOUSE_READER"] = reader
    return app
