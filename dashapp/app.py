"""The Dash application factory.

Until the dashboard tabs land (issue 3), the home page shows what the warehouse in service holds: the row
count of every ANALYTICS table, the quarantine, and the last loads. Every number comes from a query in sql/.
"""

from __future__ import annotations

from pathlib import Path

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, html

from config.settings import Settings, load_settings
from dashapp import home
from warehouse.reader import WarehouseReader

ASSETS = Path(__file__).with_name("assets")


def create_app(settings: Settings | None = None) -> dash.Dash:
    settings = settings or load_settings()
    if settings.duckdb_path is None:
        raise NotImplementedError(f"the dashboard reads DuckDB warehouses for now, not {settings.backend}")
    reader = WarehouseReader(settings.duckdb_path)
    # Bootstrap and every other asset are served from dashapp/assets: no CDN (the app runs offline).
    app = dash.Dash(
        __name__,
        title="Customer Insight",
        assets_folder=str(ASSETS),
        serve_locally=True,
        suppress_callback_exceptions=True,
    )
    app.layout = dbc.Container(
        [
            html.Header(
                [html.H1("Customer Insight", className="h3 mb-0"),
                 html.Span("warehouse status", className="text-muted ms-3")],
                className="d-flex align-items-baseline py-3 border-bottom mb-3",
            ),
            html.Main(id="home-content", children=home.placeholder()),
            html.Div(id="home-refresh"),
        ],
        fluid=True,
    )

    @app.callback(Output("home-content", "children"), Input("home-refresh", "id"))
    def show_home(_ignored: str) -> object:
        return home.render(reader)

    app.server.config["WAREHOUSE_READER"] = reader
    return app
