"""The team part of the Customer tab, for accounts with users: team size, onboarding date, first and last usage,
last login, active / inactive / super users of the last 30 days, every user's actions in the last 30 days in a
sortable grid (super users marked, inactive users greyed), and the account's feature usage over 30 and 90 days.

As of the newest data in the warehouse (docs/marts.md: "the last N days" count back from analytics.warehouse_as_of),
so the date range does not apply. Rules: config/rules.toml [usage] (super user = at least 20 actions in 30 days,
active = any usage in 30 days). Queries: sql/queries/customer/customer_team.sql, customer_users.sql,
customer_features.sql.
"""

from __future__ import annotations

import dash_ag_grid as dag
import dash_bootstrap_components as dbc
import pandas as pd
from dash import Dash, Input, Output, html

from config.rules import load_rules
from dashapp.components import chart_body, chart_card, register_report_item, report_table, rows_note
from dashapp.figures import customer as figures
from dashapp.figures.common import is_missing
from warehouse.reader import WarehouseReader

USERS_LIMIT = 1000  # users listed at most (the most active first); the team summary counts all of them
REPORT_USERS = 100  # users an account report prints (the super users are named above the table in any case)
LONG_WINDOW_DAYS = 90  # the feature chart's second window, besides the 30 days of config/rules.toml [usage]
NO_USAGE = "This account has no product usage data: no users and no usage events were loaded for it."
# Widths fit a 1366 px screen without a horizontal scroll bar: the user id is in the name's tooltip, the active
# days in the actions' tooltip.
USER_COLUMNS = [
    ("user_name", "User", {"pinned": "left", "width": 140, "tooltipField": "user_id"}),
    ("role", "Role", {"width": 84}),
    ("join_date", "Joined", {"width": 118}),
    ("last_login", "Last login", {"width": 118}),
    ("last_activity_date", "Last activity", {"width": 118}),
    ("actions_last_30d", "Actions, 30 days", {"width": 112, "type": "rightAligned", "sort": "desc",
                                              "tooltipField": "active_days"}),
    # super users in words and in bold blue, inactive users in words and (the whole row) in grey
    ("status", "Status, 30 days", {"width": 140, "cellClassRules": {"fw-semibold text-primary": "params.data.super"}}),
    ("favourite_feature", "Favourite feature, 30 days", {"flex": 1, "minWidth": 110,
                                                         "tooltipField": "favourite_feature"}),
]


def rules_text() -> str:
    usage = load_rules()["usage"]
    return (f"As of the newest data, not the date range. Active = any product usage in the last "
            f"{usage['active_window_days']} days; super user = at least {usage['super_user_min_actions']} actions in "
            f"the last {usage['super_user_window_days']} days; favourite feature = the user's most used feature in the "
            f"last {usage['active_window_days']} days.")


def layout() -> html.Div:
    usage = load_rules()["usage"]
    return html.Div([
        html.H2("Team and product usage", className="h5 mt-2 mb-1"),
        html.P(rules_text(), className="text-muted small mb-3"),
        html.Div(id="customer-team-body", **{"aria-live": "polite"}),
        dbc.Button("Retry", id="customer-team-retry", size="sm", color="secondary", outline=True, className="d-none"),
        html.Div(dbc.Row([dbc.Col(chart_card(
            "customer-features", "Feature usage",
            f"The account's actions per feature in the last {usage['active_window_days']} and {LONG_WINDOW_DAYS} days "
            "(users in the tooltip), most used first."), className="mb-3")]), id="customer-features-wrap"),
    ])


# ---------------------------------------------------------------- pure helpers (tested without a server)

def _present(value: object) -> bool:
    return not is_missing(value)


def _day(value: object) -> str:
    return f"{pd.Timestamp(value):%Y-%m-%d}" if _present(value) else ""


def team_facts(team: dict) -> list[tuple[str, str, str]]:
    """(label, value, detail) of the team summary from one customer_team row."""
    size, active = int(team["team_size"]), int(team["active_users_30d"])
    days = team.get("days_since_last_activity")
    if not _present(team.get("last_activity_date")):
        last, last_detail = "never", "no product usage recorded"
    else:
        last = f"{pd.Timestamp(team['last_activity_date']):%d %b %Y}"
        days = int(days)
        last_detail = "on the newest data day" if days == 0 else \
            f"{days:,} day{'s' if days != 1 else ''} before the newest data"
    status = "active in the last 30 days" if team.get("is_active_30d") else \
        "inactive for over 6 months" if team.get("is_inactive_6m") else "no usage in the last 30 days"
    login = team.get("last_login_date")
    return [
        ("Team size", f"{size:,}", "users of the account"),
        ("Joined", f"{pd.Timestamp(team['onboarded_date']):%d %b %Y}" if _present(team.get("onboarded_date")) else "–",
         "the first user's join date (else the sign-up date)"),
        ("Last activity", last, last_detail),
        ("Last login", f"{pd.Timestamp(login):%d %b %Y}" if _present(login) else "–", "latest login of any user"),
        ("Active users", f"{active:,}", f"{int(team['inactive_users_30d']):,} inactive · the team: {status}"),
        ("Super users", f"{int(team['super_users_30d']):,}", f"{int(team['events_30d']):,} actions in 30 days"),
    ]


def users_rows(frame: pd.DataFrame) -> list[dict]:
    """AG Grid rows of customer_users: dates as YYYY-MM-DD (they sort as text), flags in words."""
    rows = []
    for record in frame.astype(object).where(frame.notna(), None).to_dict("records"):
        rows.append({
            "user_id": record["user_id"],
            "user_name": record["user_name"] or record["user_id"],
            "role": record["role"] or "",
            "join_date": _day(record["join_date"]),
            "last_login": _day(record["last_login_date"]),
            "last_activity_date": _day(record["last_activity_date"]),
            "actions_last_30d": int(record["actions_last_30d"]),
            "active_days_last_30d": int(record["active_days_last_30d"]),
            "active_days": f"on {int(record['active_days_last_30d'])} of the last 30 days",
            "super": bool(record["is_super_user"]),
            "status": "★ super user" if record["is_super_user"] else "active" if record["is_active"] else "inactive",
            "favourite_feature": record["favourite_feature"] or "",
        })
    return rows


def users_grid(frame: pd.DataFrame) -> dag.AgGrid:
    return dag.AgGrid(
        id="customer-users-grid", rowData=users_rows(frame),
        columnDefs=[{"field": f, "headerName": h, "sortable": True, **extra} for f, h, extra in USER_COLUMNS],
        defaultColDef={"resizable": True, "wrapHeaderText": True, "autoHeaderHeight": True},
        # inactive users in grey: the Status column says it in words too
        getRowStyle={"styleConditions": [{"condition": "params.data.status === 'inactive'",
                                          "style": {"color": "#6c757d"}}]},
        dashGridOptions={"enableCellTextSelection": True, "tooltipShowDelay": 300,
                         "domLayout": "autoHeight" if len(frame) <= 15 else "normal"},
        style={"height": None if len(frame) <= 15 else "460px", "width": "100%"}, className="ag-theme-quartz",
    )


def team_body(team: pd.DataFrame, users: pd.DataFrame) -> object:
    if team.empty:
        return html.P("This customer is not in the warehouse.", className="text-muted")
    row = team.astype(object).where(team.notna(), None).iloc[0].to_dict()
    if int(row["team_size"]) == 0 and not row["has_usage"]:
        return dbc.Alert(NO_USAGE, color="light", className="border", id="customer-no-usage")
    facts = dbc.Row([dbc.Col(dbc.Card(dbc.CardBody([
        html.Div(label, className="text-muted small text-uppercase fw-semibold"),
        html.Div(value, className="fs-5 fw-semibold"),
        html.Div(detail, className="small text-muted"),
    ], className="py-2"), className="h-100 shadow-sm"), xs=6, md=4, className="mb-3")
        for label, value, detail in team_facts(row)], id="customer-team-facts")
    total = int(users["users_total"].iloc[0]) if len(users) else 0
    shown = f"The {len(users):,} most active of {total:,} users." if total > len(users) else \
        f"{total:,} user{'s' if total != 1 else ''}, most actions in the last 30 days first; sort by any column."
    return html.Div([
        facts,
        dbc.Card([dbc.CardHeader(html.H3("Users", className="h6 mb-0")),
                  dbc.CardBody([html.P(shown, className="small text-muted mb-2"), users_grid(users)])],
                 className="shadow-sm mb-3"),
    ])


def report_team(reader: WarehouseReader, customer_id: str, all_rows: bool) -> object:
    """The team for the account report: the summary as a table, the super users by name, then the users, the most
    active first (REPORT_USERS on paper; the Excel export, all_rows, has every user)."""
    team = reader.query("customer/customer_team", customer_id=customer_id)
    users = reader.query("customer/customer_users", customer_id=customer_id,
                         limit=None if all_rows else USERS_LIMIT)
    if team.empty or (int(team["team_size"].iloc[0]) == 0 and not bool(team["has_usage"].iloc[0])):
        return team_body(team, users)  # not in the warehouse, or no usage: the dashboard's message
    row = team.astype(object).where(team.notna(), None).iloc[0].to_dict()
    facts = report_table({"label": "", "value": "Value", "detail": "Detail"},
                         [{"label": label, "value": value, "detail": detail} for label, value, detail in
                          team_facts(row)], "facts")
    rows = users_rows(users)
    stars = [r["user_name"] for r in rows if r["super"]]
    total = int(users["users_total"].iloc[0]) if len(users) else 0
    counted = int(row["super_users_30d"])
    super_line = ([html.Strong(f"Super users ({counted:,}): "), ", ".join(stars) + (
        "" if len(stars) == counted else f" (the {len(stars):,} among the {len(users):,} most active users)") + "."]
                  if counted else "No super user in the last 30 days.")
    return html.Div([
        facts,
        html.P(super_line),
        html.P(rows_note(min(len(rows), REPORT_USERS), total, "users", "most actions in the last 30 days first"),
               className="small"),
        report_table({field: header for field, header, _extra in USER_COLUMNS}, rows[:REPORT_USERS], "users",
                     {"actions_last_30d": "num", "join_date": "nowrap", "last_login": "nowrap",
                      "last_activity_date": "nowrap"}),
    ])


# ---------------------------------------------------------------- callbacks

def features_chart(reader: WarehouseReader, customer_id: str, on_paper: bool = False) -> object:
    """The feature usage chart; on paper, an account without usage gets a line instead of an empty chart."""
    usage = load_rules()["usage"]
    frame = reader.query("customer/customer_features", customer_id=customer_id, long_window_days=LONG_WINDOW_DAYS)
    if on_paper and frame.empty:
        return html.P(NO_USAGE, className="text-muted")
    return figures.feature_usage(frame, LONG_WINDOW_DAYS, usage["active_window_days"])


def register(app: Dash, reader: WarehouseReader) -> None:
    register_report_item("customer-team", lambda _f, customer, all_rows: report_team(reader, customer, all_rows),
                         "Team and users", help_text=rules_text(), per_customer=True, paged=True)
    register_report_item("customer-features", lambda _f, customer: features_chart(reader, customer, on_paper=True),
                         per_customer=True)

    @app.callback(Output("customer-team-body", "children"), Output("customer-team-retry", "className"),
                  Output("customer-features-wrap", "className"),
                  Input("customer", "data"), Input("customer-team-retry", "n_clicks"))
    def show_team(customer_id: str | None, _retry: int | None):
        if not customer_id:
            return None, "d-none", "d-none"
        found: dict[str, bool] = {}

        def build():
            team = reader.query("customer/customer_team", customer_id=customer_id)
            found["usage"] = bool(len(team)) and bool(team["has_usage"].iloc[0])
            return team_body(team, reader.query("customer/customer_users", customer_id=customer_id,
                                                limit=USERS_LIMIT))
        body, retry_class = chart_body("customer-team", build)
        return body, retry_class, "" if found.get("usage") else "d-none"

    @app.callback(Output("customer-features-body", "children"), Output("customer-features-retry", "className"),
                  Input("customer", "data"), Input("customer-features-retry", "n_clicks"))
    def show_features(customer_id: str | None, _retry: int | None):
        if not customer_id:
            return None, "d-none"
        return chart_body("customer-features", lambda: features_chart(reader, customer_id))
