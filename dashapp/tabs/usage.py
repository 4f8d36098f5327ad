"""Usage tab: product usage of the customer accounts (teams) and their users (docs/usage.md).

Three sections: the check-up (this module: team counts, activity and inactivity as of the newest data, recently
onboarded teams, last activity per team, most active teams), the features (dashapp/tabs/usage_features.py: volume,
trend, top teams, adoption, stickiness, co-usage, funnel over the date range) and the team usage profiles
(dashapp/tabs/usage_profiles.py: teams clustered by their feature mix).

Team = customer account; the sidebar's customer filters select the teams. The check-up and the profiles count back
from the newest data in the warehouse (analytics.warehouse_as_of), the features section follows the date range.
Every number comes from sql/queries/usage/*.sql (the profiles from insight/team_profiles.py over two of them).
"""

from __future__ import annotations

from typing import Any

import dash_bootstrap_components as dbc
import pandas as pd
from dash import Dash, html

from config.rules import load_rules
from dashapp.components import chart_card, kpi_card, register_chart, register_kpis
from dashapp.figures import usage as figures
from dashapp.tabs import usage_features, usage_profiles
from warehouse.reader import WarehouseReader

TAB_ID = "usage"
LABEL = "Usage"
KPIS = {
    "usage-kpi-teams": "Teams",
    "usage-kpi-active": "Active in the last 30 days",
    "usage-kpi-inactive": "Inactive for over 6 months",
    "usage-kpi-recent": "Most recent activity",
}
CHARTS = ("usage-last-activity", "usage-onboarded", "usage-most-active")
ONBOARDED_ROWS = 10
MOST_ACTIVE_ROWS = 15


def rules() -> dict[str, int]:
    return load_rules()["usage"]


def help_text() -> str:
    usage = rules()
    return (f"A team is a customer account; the sidebar's customer filters choose the teams. A feature is the "
            f"feature_name of the product's usage events (the issue's \"interaction type\" of product usage; the "
            f"sidebar's Interaction type and Review language filters apply to interactions and reviews, not here). "
            f"Check-up and profiles count back from the newest data in the warehouse, not today: active = any usage "
            f"in the last {usage['active_window_days']} days, inactive = no usage for more than "
            f"{usage['inactive_team_after_days']} days (or never), super user = at least "
            f"{usage['super_user_min_actions']} actions in the last {usage['super_user_window_days']} days. The "
            f"Features section follows the date range. Every definition: docs/usage.md.")


def layout() -> html.Div:
    return html.Div([
        html.P(help_text(), className="text-muted small mb-3", id="usage-help"),
        html.H2("Check-up", className="h5 mb-2"),
        dbc.Row([dbc.Col(kpi_card(kpi_id, label), md=6, xl=3, className="mb-3") for kpi_id, label in KPIS.items()]),
        dbc.Row([
            dbc.Col(chart_card("usage-last-activity", "Last activity per team",
                               "Teams in view by the month of their last usage (all time), coloured by their status "
                               "as of the newest data."), lg=6, className="mb-3"),
            dbc.Col(chart_card("usage-onboarded", "Recently onboarded teams",
                               f"The {ONBOARDED_ROWS} teams in view onboarded last: the first join date of their "
                               "users, else the customer's sign-up date; size = the team's users."),
                    lg=6, className="mb-3"),
        ]),
        dbc.Row([dbc.Col(chart_card(
            "usage-most-active", "Most active teams (last 30 days)",
            f"The {MOST_ACTIVE_ROWS} teams in view with the most usage events in the last 30 days of the data; hover "
            "for their active users and super users."), className="mb-3")]),
        usage_features.layout(),
        usage_profiles.layout(),
    ])


# ---------------------------------------------------------------- pure helpers (tested without a server)


def kpi_texts(row: dict[str, Any]) -> dict[str, tuple[str, str]]:
    """(value, detail) per check-up card, from the one row of usage/checkup."""
    teams = int(row.get("teams") or 0)
    if teams == 0:
        return {kpi_id: ("0" if kpi_id == "usage-kpi-teams" else "–", "no teams for these filters")
                for kpi_id in KPIS}
    no_usage = int(row.get("usage_rows") or 0) == 0
    active, inactive = int(row["active_teams_30d"]), int(row["inactive_teams_6m"])
    never, ties = int(row["never_used_teams"]), int(row.get("most_recent_ties") or 0)
    texts = {
        "usage-kpi-teams": (f"{teams:,}", f"{int(row['users']):,} users in {int(row['teams_with_users']):,} teams"),
        "usage-kpi-active": (f"{active:,}", f"{active / teams:.0%} of teams · {int(row['active_users_30d']):,} "
                                            f"active users, {int(row['super_users_30d']):,} super users"),
        "usage-kpi-inactive": (f"{inactive:,}", f"{inactive / teams:.0%} of teams · {never:,} never used"),
    }
    if pd.isna(row.get("most_recent_date")):
        texts["usage-kpi-recent"] = ("–", "no team in view has used the product")
    else:
        team = figures.team_label(row["most_recent_team"], row.get("most_recent_team_name"))
        others = f" and {ties:,} other team{'s' if ties != 1 else ''} that day" if ties else ""
        texts["usage-kpi-recent"] = (f"{pd.Timestamp(row['most_recent_date']):%Y-%m-%d}",
                                     f"{team} ({row['most_recent_team']}){others}")
    if no_usage:
        texts = {k: (v, "no product usage events in this warehouse") for k, (v, _) in texts.items()}
    return texts


# ---------------------------------------------------------------- callbacks


def register(app: Dash, reader: WarehouseReader) -> None:
    register_kpis(app, list(KPIS), lambda f: kpi_texts(reader.query("usage/checkup", f).iloc[0].to_dict()))
    register_chart(app, "usage-last-activity", lambda f: figures.last_activity(
        reader.query("usage/last_activity_distribution", f)))
    register_chart(app, "usage-onboarded", lambda f: figures.onboarded_table(
        reader.query("usage/recently_onboarded", f, limit=ONBOARDED_ROWS)))
    register_chart(app, "usage-most-active", lambda f: figures.most_active_teams(
        reader.query("usage/most_active_teams", f, limit=MOST_ACTIVE_ROWS)))
    usage_features.register(app, reader)
    usage_profiles.register(app, reader)
