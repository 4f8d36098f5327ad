"""The Features section of the Usage tab: per-feature volume and trend, the teams using a chosen feature most,
adoption, stickiness (DAU/MAU), which features are used together, and a funnel over features the user orders.

Everything here follows the date range and the customer filters (stickiness: the last 30 days of the range). The
feature pickers list every feature of the warehouse, most used first (usage/feature_list); the same list, cut to
MAX_FEATURES / MAX_MATRIX_FEATURES, is what the adoption, stickiness and correlation queries receive, so a feature
keeps its colour and place on every chart. Numbers: sql/queries/usage/*.sql, definitions in docs/usage.md.
"""

from __future__ import annotations

from collections.abc import Callable

import dash_bootstrap_components as dbc
import pandas as pd
from dash import Dash, Input, Output, State, dcc, html
from dash.exceptions import PreventUpdate

from dashapp.components import chart_body, chart_card, register_chart, register_report_item
from dashapp.figures import usage as figures
from dashapp.figures.common import empty_figure
from warehouse.filters import Filters
from warehouse.reader import WarehouseReader

CHARTS = ("usage-feature-volume", "usage-feature-trend", "usage-adoption", "usage-stickiness")
MAX_FEATURES = 20          # adoption and stickiness: a readable chart, and bits of one BIGINT mask in the queries
MAX_MATRIX_FEATURES = 12   # the correlation matrix: 12 × 12 cells stay readable
MAX_FUNNEL_STEPS = 6       # usage/funnel.sql writes out six steps
DEFAULT_FUNNEL_STEPS = 4   # the most used features, in that order, until the user picks
TOP_TEAMS = 10
LEVELS = [{"label": "Teams", "value": "teams"}, {"label": "Users", "value": "users"}]


def _picker(control_id: str, label: str, **kwargs: object) -> html.Div:
    return html.Div([
        dbc.Label(label, html_for=control_id, className="small mb-0 me-2 text-nowrap"),
        dcc.Dropdown(id=control_id, clearable=False, searchable=True, **kwargs),
    ], className="d-flex align-items-center")


def layout() -> html.Div:
    return html.Div([
        html.H2("Features", className="h5 mt-2 mb-2"),
        html.P("Usage events per feature (feature_name) over the date range, for the teams in view. Weekly up to "
               "120 days, monthly beyond; the first and last period can be cut by the range.",
               className="text-muted small mb-3"),
        dbc.Row([
            dbc.Col(chart_card("usage-feature-volume", "Events per feature",
                               "Each feature's usage events in the date range and its share of all of them."),
                    lg=5, className="mb-3"),
            dbc.Col(chart_card("usage-feature-trend", "Feature trend",
                               "Events per feature per week or month; click a legend entry to hide a feature, "
                               "double-click to show it alone."), lg=7, className="mb-3"),
        ]),
        dbc.Row([
            dbc.Col(chart_card(
                "usage-feature-teams", "Teams using a feature most",
                f"The {TOP_TEAMS} teams in view with the most events of the chosen feature in the date range; hover "
                "for their users, active days and the feature's share of their use.",
                controls=_picker("usage-feature-pick", "Feature", style={"width": "200px"})), lg=6, className="mb-3"),
            dbc.Col(chart_card(
                "usage-adoption", "Feature adoption",
                "Of the teams and users active in the date range (any usage event), the share who used each "
                "feature at least once."), lg=6, className="mb-3"),
        ]),
        dbc.Row([
            dbc.Col(chart_card(
                "usage-stickiness", "Stickiness (DAU/MAU)",
                "Over the last 30 days of the date range: average daily active users ÷ users active in those 30 "
                "days, per feature and (dashed) for any feature. 100 % = every active user came back every day."),
                lg=5, className="mb-3"),
            dbc.Col(chart_card(
                "usage-correlation", "Features used together",
                f"For the {MAX_MATRIX_FEATURES} most used features: the correlation (phi, −1 to 1) between using one "
                "and using the other, over the teams or users active in the date range; hover for the share of "
                "one's users who also used the other.",
                controls=html.Div([
                    dbc.Label("Count", html_for="usage-correlation-level", className="visually-hidden"),
                    dbc.RadioItems(id="usage-correlation-level", options=LEVELS, value="teams", inline=True,
                                   className="small"),
                ], role="group", **{"aria-label": "Correlate over"})), lg=7, className="mb-3"),
        ]),
        dbc.Row([dbc.Col(chart_card(
            "usage-funnel", "Feature funnel",
            "Users who used the first feature in the date range, then the second on the same day or later, and so "
            f"on (at most {MAX_FUNNEL_STEPS} steps). Pick the features in the order to follow; the list keeps your "
            "order. Hover a step for its teams and the median days it took.",
            controls=_picker("usage-funnel-steps", "Steps, in order", multi=True, style={"minWidth": "420px"},
                             placeholder="Pick features in order…")), className="mb-3")]),
    ])


# ---------------------------------------------------------------- pure helpers (tested without a server)


def funnel_steps(value: list[str] | None, features: list[str]) -> list[str]:
    """The funnel's features: the picked ones that exist, in pick order, without repeats, at most MAX_FUNNEL_STEPS."""
    known = set(features)
    return list(dict.fromkeys(f for f in value if f in known))[:MAX_FUNNEL_STEPS] if isinstance(value, list) else []


def picker_values(features: list[str], feature: str | None, steps: list[str] | None) -> tuple[str | None, list[str]]:
    """The pickers' values: a value the user chose is kept while it exists, else the most used feature and the
    DEFAULT_FUNNEL_STEPS most used features."""
    chosen_feature = feature if feature in features else (features[0] if features else None)
    chosen_steps = funnel_steps(steps, features) if steps else features[:DEFAULT_FUNNEL_STEPS]
    return chosen_feature, chosen_steps


# ---------------------------------------------------------------- callbacks


def register(app: Dash, reader: WarehouseReader) -> None:
    def features() -> list[str]:
        return list(reader.query("usage/feature_list")["feature_name"])

    def colours() -> dict[str, str]:
        return figures.feature_colours(features())

    def chart(chart_id: str, build: Callable[[Filters], object]) -> None:
        register_chart(app, chart_id, build)

    chart("usage-feature-volume", lambda f: figures.feature_volume(
        reader.query("usage/feature_volume", f, grain=f.time_grain()), colours()))
    chart("usage-feature-trend", lambda f: figures.feature_trend(
        reader.query("usage/feature_volume", f, grain=f.time_grain()), f.time_grain(), colours()))
    chart("usage-adoption", lambda f: figures.adoption(
        reader.query("usage/feature_adoption", f, features=features()[:MAX_FEATURES])))
    chart("usage-stickiness", lambda f: figures.stickiness(
        reader.query("usage/stickiness", f, features=features()[:MAX_FEATURES])))

    # Filled once, when the tab is shown (an id never changes, so it fires only then): the features do not depend on
    # the filters, and setting the values again on every filter change would run the funnel and top-teams queries
    # twice, in parallel, for the same view.
    @app.callback(Output("usage-feature-pick", "options"), Output("usage-feature-pick", "value"),
                  Output("usage-funnel-steps", "options"), Output("usage-funnel-steps", "value"),
                  Input("usage-feature-pick", "id"), State("usage-feature-pick", "value"),
                  State("usage-funnel-steps", "value"))
    def fill_pickers(_id: str, feature: str | None, steps: list[str] | None) -> tuple:
        try:
            names = features()
        except Exception:  # the charts show the error and a Retry button; the pickers just stay empty
            return [], None, [], []
        options = [{"label": figures.feature_text(f), "value": f} for f in names]
        chosen_feature, chosen_steps = picker_values(names, feature, steps)
        return options, chosen_feature, options, chosen_steps

    def top_teams(filters: Filters, feature: str | None) -> object:
        if not feature:
            return empty_figure(figures.NO_USAGE)
        return figures.feature_top_teams(reader.query("usage/feature_top_teams", filters, feature=feature,
                                                      limit=TOP_TEAMS), feature)

    def correlation(filters: Filters, level: str | None) -> object:
        level = level if level in ("teams", "users") else "teams"
        return figures.correlation(reader.query("usage/feature_correlation", filters,
                                                features=features()[:MAX_MATRIX_FEATURES]), level)

    def funnel(filters: Filters, steps: list[str], names: list[str]) -> object:
        if not names:
            return empty_figure(figures.NO_USAGE)
        chosen = funnel_steps(steps, names)
        if len(chosen) < 2:
            return figures.funnel(pd.DataFrame())
        frame = reader.query("usage/funnel", filters, funnel_features=chosen)
        return figures.funnel(frame, dropped=len(set(steps)) - len(chosen))

    def default_funnel(filters: Filters) -> object:
        names = features()
        return funnel(filters, picker_values(names, None, None)[1], names)

    # reports show these cards as the tab first shows them: the most used feature, teams, the default funnel
    register_report_item("usage-feature-teams", lambda f: top_teams(f, picker_values(features(), None, None)[0]))
    register_report_item("usage-correlation", lambda f: correlation(f, "teams"))
    register_report_item("usage-funnel", default_funnel)

    @app.callback(Output("usage-feature-teams-body", "children"), Output("usage-feature-teams-retry", "className"),
                  Input("filters", "data"), Input("usage-feature-pick", "value"),
                  Input("usage-feature-teams-retry", "n_clicks"))
    def update_top_teams(filters_data: dict, feature: str | None, _retry: int | None) -> tuple:
        def build() -> object:
            if not feature and features():
                raise PreventUpdate  # fill_pickers is about to choose the most used feature
            return top_teams(Filters.from_dict(filters_data), feature)
        return _body("usage-feature-teams", build)

    @app.callback(Output("usage-correlation-body", "children"), Output("usage-correlation-retry", "className"),
                  Input("filters", "data"), Input("usage-correlation-level", "value"),
                  Input("usage-correlation-retry", "n_clicks"))
    def update_correlation(filters_data: dict, level: str, _retry: int | None) -> tuple:
        return chart_body("usage-correlation", lambda: correlation(Filters.from_dict(filters_data), level))

    @app.callback(Output("usage-funnel-body", "children"), Output("usage-funnel-retry", "className"),
                  Input("filters", "data"), Input("usage-funnel-steps", "value"),
                  Input("usage-funnel-retry", "n_clicks"))
    def update_funnel(filters_data: dict, steps: list[str] | None, _retry: int | None) -> tuple:
        def build() -> object:
            names = features()
            if names and steps is None:
                raise PreventUpdate  # fill_pickers is about to set the default order
            return funnel(Filters.from_dict(filters_data), steps or [], names)
        return _body("usage-funnel", build)


def _body(chart_id: str, build: Callable[[], object]) -> tuple:
    """chart_body, except that PreventUpdate (nothing to draw yet) leaves the card as it is."""
    stopped: list[PreventUpdate] = []

    def run() -> object:
        try:
            return build()
        except PreventUpdate as stop:
            stopped.append(stop)
            return None

    body = chart_body(chart_id, run)
    if stopped:
        raise stopped[0]
    return body
