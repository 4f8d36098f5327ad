"""The team usage profiles of the Usage tab: teams grouped by their feature mix over the last 90 days of the data
(insight/team_profiles.py: KMeans on feature shares, named from the dominant features; Under-engaged and No recent
use set apart by rule), a chart of each profile's mix and a table of every team in view with its profile.

The profiles are computed in one callback (`usage-profiles-run`), once per warehouse version and customer filters
(insight.team_profiles.ProfileStore: memory, then a joblib file next to the warehouse); the chart and the table read
that result. The table is an AG Grid with the infinite row model: rows are sorted, filtered and cut into blocks on
the server from the computed result, so 100k teams never travel to the browser at once."""

from __future__ import annotations

import hashlib
import logging
from datetime import date
from typing import Any

import dash_bootstrap_components as dbc
import pandas as pd
from dash import Dash, Input, Output, State, dcc, html, no_update

from dashapp.components import (
    GRAPH_CONFIG,
    chart_body,
    chart_card,
    export_frame,
    format_like_d3,
    not_exported,
    register_report_item,
    report_table,
    rows_note,
)
from dashapp.figures import usage as figures
from dashapp.figures.common import is_missing
from dashapp.grids import grid_sort, infinite_grid, number_column, register_grid_refresh, requested_block
from insight import team_profiles
from insight.team_profiles import ProfileStore, TeamProfiles
from warehouse.filters import Filters
from warehouse.queries import query_parameters
from warehouse.reader import WarehouseReader
from warehouse.scope import current_scope
from warehouse.sqlfiles import read_sql

log = logging.getLogger(__name__)

QUERIES = ("usage/profile_teams", "usage/team_feature_mix")
GRID_ID = "usage-profiles-grid"
BLOCK_SIZE = 100
ALL_PROFILES = "__all__"
# column id -> (header, kind); every column sorts on the server
COLUMNS: dict[str, tuple[str, str]] = {
    "customer_id": ("Team", "text"),
    "customer_name": ("Name", "text"),
    "profile": ("Profile", "text"),
    "window_events": ("Events (90 d)", "number"),
    "team_size": ("Team size", "number"),
    "events_per_member": ("Per member", "number"),
    "top_feature": ("Top feature", "text"),
    "last_activity_date": ("Last used", "text"),
}
DEFAULT_SORT = ("window_events", "desc")
TEAMS_HELP = ("Every team in view with its profile, its usage events in the profiles' window, events per member and "
              "its most used feature (with that feature's share of its events).")
REPORT_ROWS = 50  # teams printed in a PDF report (the Excel export has all of them)
_FORMATS = {"window_events": ",d", "team_size": ",d", "events_per_member": ",.1f"}
# column widths in pixels (the name takes the rest): the table fits a 1366 px screen without scrolling sideways
_WIDTHS = {"customer_id": 110, "profile": 165, "window_events": 80, "team_size": 80, "events_per_member": 80,
           "top_feature": 175, "last_activity_date": 105}


def layout() -> html.Div:
    window = team_profiles.PROFILE_WINDOW_DAYS
    return html.Div([
        html.H2("Team usage profiles", className="h5 mt-2 mb-2"),
        html.P(f"Teams grouped by their feature mix: the share of each feature in their usage events of the last "
               f"{window} days of the data (the date range does not apply). Teams without usage in those days are "
               f"\"No recent use\"; teams with under {team_profiles.UNDER_ENGAGED_RATIO:.0%} of the median team's "
               "events per member are \"Under-engaged\" (their few events make no mix). The others are clustered "
               "with KMeans (k chosen by silhouette) and each profile is named after the features it uses at least "
               f"{team_profiles.FOCUS_LIFT:g}× more than the average team, or \"Balanced\". Rules: docs/usage.md.",
               className="text-muted small mb-2"),
        dcc.Loading(html.Div(id="usage-profiles-status", className="small text-muted mb-3",
                             **{"aria-live": "polite"}), type="dot"),
        dcc.Store(id="usage-profiles-run"),
        dbc.Row([dbc.Col(chart_card("usage-profiles-mix", "Feature mix per profile",
                                    "The average share of each feature in the events of the profile's teams, and "
                                    "why each profile has its name."), className="mb-3")]),
        dbc.Row([dbc.Col(_grid_card(), className="mb-3")]),
    ])


def _grid_card() -> dbc.Card:
    return dbc.Card([
        dbc.CardHeader(html.Div([
            html.H3("Teams and their profile", className="h6 mb-0 flex-grow-1"),
            dbc.Label("Profile", html_for="usage-profiles-filter", className="small mb-0"),
            dcc.Dropdown(id="usage-profiles-filter", clearable=False, value=ALL_PROFILES,
                         options=[{"label": "All profiles", "value": ALL_PROFILES}], style={"width": "240px"}),
            dbc.Label("Search teams by id or name", html_for="usage-profiles-search", className="visually-hidden"),
            dbc.Input(id="usage-profiles-search", type="search", placeholder="Search team id or name…",
                      debounce=True, size="sm", style={"maxWidth": "220px"}),
        ], className="d-flex align-items-center gap-2 flex-wrap")),
        dbc.CardBody([
            html.P(f"{TEAMS_HELP} Sort by any column header.", className="text-muted small mb-2"),
            html.Div(id="usage-profiles-count", className="small mb-2", **{"aria-live": "polite"}),
            dcc.Store(id="usage-profiles-refresh"),
            # a tighter cell padding than the theme's: nine columns fit a 1366 px screen without cutting numbers
            infinite_grid(GRID_ID, column_defs(), BLOCK_SIZE,
                          {"height": "440px", "--ag-spacing": "5px", "--ag-font-size": "13px"}),
        ]),
    ], className="shadow-sm")


def column_defs() -> list[dict[str, Any]]:
    defs = []
    for column_id, (header, kind) in COLUMNS.items():
        definition: dict[str, Any] = {"field": column_id, "headerName": header, "sortable": True}
        if kind == "number":
            definition.update(number_column(_FORMATS[column_id]))
        if column_id == "customer_name":
            definition.update(flex=1, minWidth=130, tooltipField=column_id)
        else:
            definition.update(width=_WIDTHS[column_id], minWidth=70)
        if column_id == "customer_id":
            definition["pinned"] = "left"
        defs.append(definition)
    return defs


# ---------------------------------------------------------------- pure helpers (tested without a server)


def scope(filters: Filters) -> dict[str, Any]:
    """What the profiles depend on besides the warehouse version: the queries' customer filters (the date range is
    not one of their parameters) and their text, so an edited query never serves an old result."""
    used = set().union(*(query_parameters(q) for q in QUERIES))
    params = {k: v for k, v in filters.params(date.min, date.max).items() if k in used}
    text = "".join(read_sql(f"queries/{q}.sql") for q in QUERIES)
    # the signed-in user's accounts: another user's profiles are never served (warehouse/scope.py)
    return {**params, "sql": hashlib.sha256(text.encode()).hexdigest(), "accounts": current_scope().key()}


def status_text(result: TeamProfiles) -> str:
    if result.teams == 0:
        return "No teams for these filters."
    parts = [f"{result.teams:,} teams in view"]
    if result.status == "ok" and result.k:
        scores = ", ".join(f"{k}: {s:.2f}" for k, s in result.silhouette_by_k.items())
        sample = "a fixed sample of " if result.fitted_on < result.clustered else ""
        parts.append(f"{result.clustered:,} engaged teams clustered by KMeans into {result.k} profiles (silhouette "
                     f"by k — {scores}), fitted on {sample}{result.fitted_on:,} teams")
    if result.message:
        parts.append(result.message)
    return "; ".join(parts) + "."


def sort_params(sort_model: list[dict] | None) -> tuple[str, str]:
    """The grid's sort from the whitelist COLUMNS; anything else is the default order."""
    return grid_sort(sort_model, COLUMNS, DEFAULT_SORT)


def page(assignments: pd.DataFrame, profile: str | None, search: str | None, sort: tuple[str, str], start: int,
         size: int) -> tuple[list[dict[str, Any]], int]:
    """One block of the teams table: (rows, rows matching in all). Filtering, sorting and slicing of the computed
    assignments; no number is computed here. Ties and empty values: by team id, empty values last."""
    rows = assignments
    if profile and profile != ALL_PROFILES:
        rows = rows[rows["profile"].astype(object) == profile]
    term = (search or "").strip().lower()
    if term:
        rows = rows[rows["customer_id"].str.lower().str.contains(term, regex=False)
                    | rows["customer_name"].fillna("").str.lower().str.contains(term, regex=False)]
    column, direction = sort
    key = rows[column].astype(object).where(rows[column].notna(), None)
    if COLUMNS[column][1] == "text":
        key = key.map(lambda v: None if v is None else str(v).lower())
    ordered = rows.assign(_key=key).sort_values(["_key", "customer_id"], ascending=[direction == "asc", True],
                                                na_position="last", kind="stable")
    block = ordered.iloc[start:start + size].drop(columns="_key")
    records = []
    for record in block.to_dict("records"):
        out = {}
        for k, v in record.items():
            if k not in COLUMNS:
                continue
            if is_missing(v):
                v = None
            elif isinstance(v, pd.Timestamp | date):
                v = f"{v:%Y-%m-%d}"
            elif k == "top_feature" and isinstance(v, str):  # with its share of the team's events
                v = f"{figures.feature_text(v)} · {record['top_share']:.0%}"
            out[k] = v
        records.append(out)
    return records, len(rows)


def report_grid(reader: WarehouseReader, result: TeamProfiles) -> html.Div:
    """The teams table for a report: its first REPORT_ROWS rows in the grid's default order (most events first),
    through the grid's own `page`; the export gets every team (the computed assignments)."""
    export_frame(reader, "team_profiles/teams", result.assignments)
    rows, total = page(result.assignments, ALL_PROFILES, None, DEFAULT_SORT, 0, REPORT_ROWS)
    for row in rows:  # as the grid formats them in the browser
        for column, spec in _FORMATS.items():
            row[column] = format_like_d3(row.get(column), spec)  # "–" for none, as the grid shows it
    return html.Div([
        html.P(rows_note(len(rows), total, "teams", "most usage events in the window first"), className="small"),
        report_table({column: header for column, (header, _kind) in COLUMNS.items()}, rows, "teams",
                     {column: "num" for column in _FORMATS} | {"last_activity_date": "nowrap"}),
    ])


# ---------------------------------------------------------------- callbacks


def register(app: Dash, reader: WarehouseReader) -> None:
    stores: dict[str, ProfileStore] = {}

    def result_for(run: dict | None) -> TeamProfiles:
        if not run:
            raise RuntimeError("the profiles have not been computed yet")
        if run.get("error"):
            raise RuntimeError(run["error"])
        filters = Filters.from_dict(run["filters"])
        directory = reader.path.parent / "models" / "team_profiles"  # with the warehouse; one folder per version
        store = stores.setdefault(str(directory), ProfileStore(directory))
        window = team_profiles.PROFILE_WINDOW_DAYS
        with not_exported(reader):  # an export holds the profiles themselves, stored or computed
            return store.get(reader.version, scope(filters), lambda: (
                reader.query(QUERIES[0], filters, window_days=window), reader.query(QUERIES[1], filters,
                                                                                     window_days=window)))

    def report_result(filters: Filters) -> TeamProfiles:
        return result_for({"filters": filters.to_dict(), "error": None})

    def mix_card(result: TeamProfiles) -> html.Div:
        export_frame(reader, "team_profiles/profiles", result.profiles)
        colours = figures.feature_colours(list(reader.query("usage/feature_list")["feature_name"]))
        figure = figures.profile_mix(result.profiles, list(result.features), colours)
        return html.Div([dcc.Graph(id="usage-profiles-mix", figure=figure, config=GRAPH_CONFIG),
                         figures.profile_summary(result.profiles)])

    register_report_item("usage-profiles-mix", lambda f: mix_card(report_result(f)))
    register_report_item("usage-profiles-grid", lambda f: report_grid(reader, report_result(f)),
                         title="Teams and their profile", help_text=TEAMS_HELP)

    @app.callback(Output("usage-profiles-run", "data"), Output("usage-profiles-status", "children"),
                  Output("usage-profiles-filter", "options"), Output("usage-profiles-filter", "value"),
                  Input("filters", "data"), State("usage-profiles-filter", "value"))
    def run(filters_data: dict, chosen: str | None) -> tuple:
        data = {"filters": filters_data, "error": None}
        options = [{"label": "All profiles", "value": ALL_PROFILES}]
        try:
            result = result_for(data)
        except Exception as exc:  # a failed fit must not take the page down; the chart offers Retry
            log.exception("team profiles failed")
            data["error"] = f"{type(exc).__name__}: {exc}"[:300]
            return data, html.Span(f"The profiles could not be computed ({data['error']}).",
                                   className="text-danger"), options, ALL_PROFILES
        options += [{"label": f"{p} ({n:,})", "value": p} for p, n in zip(result.profiles["profile"],
                                                                          result.profiles["teams"], strict=True)]
        # a profile the new filters no longer have would leave the table empty: back to all profiles
        keep = chosen if isinstance(chosen, str) and chosen in {o["value"] for o in options} else ALL_PROFILES
        return data, status_text(result), options, keep

    @app.callback(Output("usage-profiles-mix-body", "children"), Output("usage-profiles-mix-retry", "className"),
                  Input("usage-profiles-run", "data"), Input("usage-profiles-mix-retry", "n_clicks"))
    def update_mix(run_data: dict | None, _retry: int | None) -> tuple:
        def build() -> object:
            return mix_card(result_for({**run_data, "error": None} if run_data and _retry else run_data))
        return chart_body("usage-profiles-mix", build)

    # new profiles, profile filter or search: the grid asks for its rows again (as the segment explorer does)
    register_grid_refresh(app, GRID_ID, "usage-profiles-refresh", Input("usage-profiles-run", "data"),
                          Input("usage-profiles-filter", "value"), Input("usage-profiles-search", "value"))

    @app.callback(Output(GRID_ID, "getRowsResponse"), Output("usage-profiles-count", "children"),
                  Input(GRID_ID, "getRowsRequest"), State("usage-profiles-run", "data"),
                  State("usage-profiles-filter", "value"), State("usage-profiles-search", "value"),
                  prevent_initial_call=True)
    def rows(request: dict | None, run_data: dict | None, profile: str | None, search: str | None) -> tuple:
        if not run_data:
            return no_update, no_update  # the grid asks again when the profiles are ready (purged above)
        start, size = requested_block(request, BLOCK_SIZE)
        try:
            result = result_for(run_data)
            block, total = page(result.assignments, profile, search, sort_params((request or {}).get("sortModel")),
                                start, size)
        except Exception as exc:  # the status line above already names a failed computation
            log.exception("team profile table failed")
            return {"rowData": [], "rowCount": 0}, html.Span(
                f"The teams could not be loaded ({type(exc).__name__}). Change a filter to retry.",
                className="text-danger")
        found = f"{total:,} team{'s' if total != 1 else ''}" + (" match" if search or profile not in (
            None, ALL_PROFILES) else " in view")
        return {"rowData": block, "rowCount": total}, found
