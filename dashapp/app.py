"""The Dash application factory: `create_app(settings)`; `dashapp.wsgi:server` serves it under gunicorn."""

from __future__ import annotations

from pathlib import Path

import dash

from config.settings import Settings, load_settings
from dashapp import export_panel, refresh, schedule_dialog, share, shell
from dashapp.tabs import TAB_MODULES
from warehouse.cache import QueryCache
from warehouse.reader import open_reader

ASSETS = Path(__file__).with_name("assets")


def create_app(settings: Settings | None = None) -> dash.Dash:
    settings = settings or load_settings()
    # The warehouse of CUSTOMER_INSIGHT_WAREHOUSE_URL, DuckDB file or PostgreSQL. One result cache on disk for all
    # gunicorn workers: many users share the same queries.
    reader = open_reader(settings, QueryCache(settings.data_dir / "query_cache"))
    # Bootstrap and every other asset are served from dashapp/assets: no CDN (the app runs offline).
    app = dash.Dash(__name__, title="Customer Insight", assets_folder=str(ASSETS), serve_locally=True,
                    suppress_callback_exceptions=True)
    app.layout = lambda: shell.layout(reader)  # a function: options reflect the data at page load
    shell.register(app, reader)
    refresh.register(app, settings, reader)
    share.register(app, settings)
    schedule_dialog.register(app, settings, reader)
    export_panel.register(app, reader)
    for module in TAB_MODULES:
        module.register(app, reader)
    app.server.config["WAREHOUSE_READER"] = reader
    return app
