"""The Usage tab's activity report: the last 30 days of product usage (the Usage tab with its date range set to the
30 days up to the newest data), then a mini-report for each team in view — the sidebar's customer filters choose
the teams, as on the Usage tab — most active first, teams with usage in the 30 days, at most MAX_TEAMS of them: the
team's numbers for the 30 days (the Usage tab's most-active-teams query), its users with the super users, and its
favourite features (the Customer tab's own cards, rebuilt for that team). Every number is a tab's query's."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from dash import html

from config.rules import load_rules
from dashapp.components import report_table
from dashapp.figures.common import is_missing
from reports.content import Card, Kpi, TabReport, build_tab_report
from reports.pdf import _pdf
from reports.view import View
from warehouse.reader import WarehouseReader

MAX_TEAMS = 20  # a layout choice, like the Usage tab's 15 most active teams: 20 mini-reports are ~20 pages
TEAM_USERS = 10  # a mini-report fits a page: the most active users, the features
TEAM_FEATURES = 10


def activity_report_pdf(reader: WarehouseReader, view: View) -> bytes:
    usage = load_rules()["usage"]
    days = usage["active_window_days"]
    last = reader.date_bounds()[1]
    filters = replace(view.filters, date_from=last - timedelta(days=days - 1), date_to=last)
    teams = reader.query("usage/most_active_teams", filters, limit=MAX_TEAMS)
    active = int(reader.query("usage/checkup", filters).iloc[0]["active_teams_30d"] or 0)

    def reports():
        overview = build_tab_report(reader, "usage", filters)
        overview.label = f"Usage in the last {days} days"
        shown = (f"The {len(teams):,} most active of the {active:,} teams with usage in these {days} days have a "
                 "page each after this one" + ("; narrow the sidebar's filters to choose other teams."
                                               if len(teams) < active else "."))
        overview.cards.append(Card("activity-teams", "Team mini-reports", None, html.P(shown)))
        yield 0, overview
        for position, row in enumerate(teams.itertuples(), start=1):
            yield position, team_report(reader, row, days)

    return _pdf(f"Usage activity: last {days} days", reports, filters, reader, contents=True)


def team_report(reader: WarehouseReader, row, days: int) -> TabReport:
    """One team's mini-report: its numbers for the window, its most active users (super users marked) and its
    features, from the queries of the Usage and Customer tabs."""
    report = TabReport(f"team-{row.customer_id}", f"{_text(row.customer_name, row.customer_id)} ({row.customer_id})")
    super_min = load_rules()["usage"]["super_user_min_actions"]
    report.kpis = [
        Kpi(f"Events, last {days} days", f"{int(row.events_30d):,}", ""),
        Kpi("Active users", f"{int(row.active_users_30d):,}", f"of {int(row.team_size):,} users in the team"),
        Kpi("Super users", f"{int(row.super_users_30d):,}", f"{super_min}+ actions in {days} days"),
        Kpi("Last activity", f"{row.last_activity_date:%d %b %Y}", ""),
    ]
    users = reader.query("customer/customer_users", customer_id=row.customer_id, limit=TEAM_USERS)
    features = reader.query("customer/customer_features", customer_id=row.customer_id,
                            long_window_days=days).head(TEAM_FEATURES)
    report.cards = [
        Card("team-users", f"Most active users (top {min(TEAM_USERS, len(users))} of "
                           f"{int(users['users_total'].iloc[0]) if len(users) else 0:,})", None, report_table(
            {"user": "User", "role": "Role", "actions": f"Actions, {days} days",
             "days": f"Active days, {days} days", "super": "Super user", "feature": "Favourite feature"},
            [{"user": _text(u.user_name, u.user_id), "role": _text(u.role), "actions": f"{int(u.actions_last_30d):,}",
              "days": f"{int(u.active_days_last_30d):,}", "super": "yes" if u.is_super_user else "",
              "feature": _text(u.favourite_feature)} for u in users.itertuples()])),
        Card("team-features", f"Features used in the last {days} days", None, report_table(
            {"feature": "Feature", "events": "Events", "users": "Users"},
            [{"feature": f.feature_name, "events": f"{int(f.events_30d):,}", "users": f"{int(f.users_30d):,}"}
             for f in features.itertuples() if f.events_30d])),
    ]
    return report


def _text(value: object, fallback: str = "") -> str:
    """Query cells may be None or NaN (a user seen only in usage events has no name)."""
    return fallback if is_missing(value) else str(value)

