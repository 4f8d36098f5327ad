"""The "Schedule" dialog of the report bar: email the view in the URL as a PDF daily or weekly, alert on one of its
KPIs crossing a threshold, and list or delete the schedules and alerts (docs/schedules.md).

Callbacks stay thin: the checks and the storage are appstate's (the CLI uses the same), the metric values
reports.alerts' (the tab's own queries). Nothing is sent from here: the scheduler (the server's, or cron's
`customer-insight schedule run`) sends.

Owners: a schedule or alert made here belongs to the signed-in user ("local" without sign-in) and runs with their
account scope (reports/schedule.py). A user limited to some accounts lists and deletes only their own jobs; the
others see every job, with its owner."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

import dash
import dash_bootstrap_components as dbc
from dash import ALL, Dash, Input, Output, State, ctx, html

from appstate import open_store
from appstate.alerts import add_alert, list_alerts, remove_alert
from appstate.schedules import WEEKDAY_NAMES, add_schedule, list_schedules, remove_schedule
from appstate.validate import local_zone_name
from config.settings import Settings
from dashapp.auth.session import current_user
from reports.alerts import metric, metrics
from reports.mail import MailNotConfigured, check_configured
from warehouse.reader import WarehouseReader

OK, ERROR = "small text-success mt-2", "small text-danger mt-2"


def layout() -> html.Div:
    """The "Schedule" button and its dialog, for the shell's report bar."""
    return html.Div([
        dbc.Button("Schedule", id="schedule-open", size="sm", color="secondary", outline=True, className="ms-2"),
        dbc.Modal([
            dbc.ModalHeader(dbc.ModalTitle("Schedule this view")),
            dbc.ModalBody([
                html.P(id="schedule-view", className="small text-muted mb-2"),
                dbc.Alert(id="schedule-mail-warning", color="warning", is_open=False, className="small py-2"),
                dbc.Tabs([
                    dbc.Tab(_report_form(), label="Email the PDF", tab_id="schedule-tab-report"),
                    dbc.Tab(_alert_form(), label="Alert on a KPI", tab_id="schedule-tab-alert"),
                ], id="schedule-tabs", active_tab="schedule-tab-report", className="mb-3"),
            ]),
        ], id="schedule-modal", size="lg", is_open=False, scrollable=True),
    ], className="d-inline-block")


def _field(label: str, control: Any, width: int = 12, hint: str | None = None) -> dbc.Col:
    parts = [dbc.Label(label, html_for=control.id, className="small mb-1"), control]
    if hint:
        parts.append(dbc.FormText(hint))
    return dbc.Col(parts, md=width, className="mb-2")


def _report_form() -> html.Div:
    return html.Div([
        dbc.Row([
            _field("Title (email subject)", dbc.Input(id="schedule-name", size="sm", maxLength=200,
                                                      placeholder="e.g. Weekly churn review"), 12),
            _field("Recipients", dbc.Textarea(id="schedule-to", size="sm", rows=2,
                                              placeholder="name@company.com, other@company.com"), 12,
                   "Email addresses, separated by commas, spaces or new lines."),
            _field("Every", dbc.RadioItems(id="schedule-every", inline=True, value="weekly",
                                           options=[{"label": "day", "value": "daily"},
                                                    {"label": "week", "value": "weekly"}]), 3),
            _field("On", dbc.Select(id="schedule-day", size="sm", value="0",
                                    options=[{"label": d, "value": str(i)} for i, d in enumerate(WEEKDAY_NAMES)]), 3),
            _field("At", dbc.Input(id="schedule-at", type="time", size="sm", value="07:00"), 3),
            _field("Time zone", dbc.Input(id="schedule-tz", size="sm", value=local_zone_name()), 3,
                   "Default: the server's zone."),
        ]),
        dbc.Button("Add schedule", id="schedule-add", size="sm", color="primary"),
        html.Div(id="schedule-feedback", **{"aria-live": "polite"}),
        html.H3("Scheduled reports", className="h6 mt-4"),
        html.Div(id="schedule-list"),
    ], className="pt-3")


def _alert_form() -> html.Div:
    return html.Div([
        dbc.Row([
            _field("Metric", dbc.Select(id="alert-metric", size="sm", value=next(iter(metrics())),
                                        options=[{"label": m.label, "value": m.id} for m in metrics().values()]), 5),
            _field("When it goes", dbc.RadioItems(id="alert-operator", inline=True, value="above",
                                                  options=[{"label": "above", "value": "above"},
                                                           {"label": "below", "value": "below"}]), 4),
            _field("Threshold", dbc.Input(id="alert-threshold", type="number", step="any", size="sm"), 3),
            html.Div(id="alert-current", className="small text-muted mb-2"),
            _field("Name", dbc.Input(id="alert-name", size="sm", maxLength=200,
                                     placeholder="default: the metric and the condition"), 12),
            _field("Recipients", dbc.Textarea(id="alert-to", size="sm", rows=2,
                                              placeholder="name@company.com, other@company.com"), 12),
        ]),
        html.P("One email when the value crosses the threshold (also at the first check if it already has), none "
               "while it stays there; the alert re-arms when it comes back.", className="small text-muted"),
        dbc.Button("Add alert", id="alert-add", size="sm", color="primary"),
        html.Div(id="alert-feedback", **{"aria-live": "polite"}),
        html.H3("Alerts", className="h6 mt-4"),
        html.Div(id="alert-list"),
    ], className="pt-3")


def register(app: Dash, settings: Settings, reader: WarehouseReader) -> None:
    def store():
        return open_store(settings)

    def view_text(search: str | None) -> str:
        from dashapp.shell import chip_texts  # the shell places this dialog: imported at call time
        from dashapp.state import TABS
        from reports.view import view_from_search

        view = view_from_search(reader, search or "")
        return f"This view: {TABS[view.tab]} · {' · '.join(text for text, *_ in chip_texts(view.filters))}"

    @app.callback(Output("schedule-modal", "is_open"), Input("schedule-open", "n_clicks"), prevent_initial_call=True)
    def open_dialog(_n):
        return True

    @app.callback(Output("schedule-view", "children"), Output("schedule-mail-warning", "children"),
                  Output("schedule-mail-warning", "is_open"), Output("schedule-name", "placeholder"),
                  Input("schedule-modal", "is_open"), State("url", "search"), prevent_initial_call=True)
    def describe(is_open, search):
        if not is_open:
            return (dash.no_update,) * 4
        from reports.schedule import default_name

        try:
            check_configured(settings)
            warning = None
        except MailNotConfigured as exc:
            warning = f"{_upper_first(str(exc))}. Schedules and alerts are kept, and run once it is."
        try:
            text = view_text(search)
        except Exception as exc:  # an unreadable view must not break the dialog
            text = f"This view cannot be scheduled: {exc}"
        scope = current_user().csm_scope
        if scope is not None:  # what their reports and alerts will cover (reports/schedule.py: owner_scope)
            text += f" · your accounts only (CSM {scope})"
        return text, warning, warning is not None, default_name(search or "")

    # the day applies to weekly schedules only; in the browser: no request to the server for it
    app.clientside_callback("function (every) { return every !== 'weekly'; }",
                            Output("schedule-day", "disabled"), Input("schedule-every", "value"))

    @app.callback(Output("schedule-list", "children"), Output("schedule-feedback", "children"),
                  Output("schedule-feedback", "className"),
                  Input("schedule-modal", "is_open"), Input("schedule-add", "n_clicks"),
                  Input({"type": "schedule-delete", "index": ALL}, "n_clicks"),
                  State("schedule-name", "value"), State("schedule-to", "value"), State("schedule-every", "value"),
                  State("schedule-day", "value"), State("schedule-at", "value"), State("schedule-tz", "value"),
                  State("url", "search"), prevent_initial_call=True)
    def schedules(is_open, _add, _deletes, name, to, every, day, at, tz, search):
        from reports.schedule import default_name

        message, style = "", OK
        trigger = ctx.triggered_id
        owner, only = _owner()
        if trigger == "schedule-add":
            try:
                made = add_schedule(store(), name=name or default_name(search or ""), search=search or "",
                                    recipients=to or "", frequency=every, weekday=int(day or 0),
                                    time_of_day=at or "", timezone=(tz or "").strip() or None, owner=owner)
                message = f"Scheduled: '{made.name}', {made.when()}."
            except ValueError as exc:
                message, style = f"Not saved: {exc}.", ERROR
        elif isinstance(trigger, dict) and ctx.triggered[0]["value"]:
            if remove_schedule(store(), int(trigger["index"]), owner=only):
                message = "Schedule deleted."
            else:
                message, style = "Not deleted: no such schedule of yours.", ERROR
        elif not is_open and trigger == "schedule-modal":
            return dash.no_update, dash.no_update, dash.no_update
        return _schedule_table(store(), only), message, style

    @app.callback(Output("alert-current", "children"), Input("alert-metric", "value"),
                  Input("schedule-modal", "is_open"), State("url", "search"), prevent_initial_call=True)
    def current_value(metric_id, is_open, search):
        if not is_open or not metric_id:
            return dash.no_update
        from reports.alerts import metric_value

        try:
            item = metric(metric_id)
            value, _view = metric_value(reader, item, search or "")
        except Exception as exc:  # informative only: the alert can be saved without it
            return f"Current value unavailable ({exc})."
        return "No data for this view now." if value is None else f"Now {item.format(value)} for this view."

    @app.callback(Output("alert-list", "children"), Output("alert-feedback", "children"),
                  Output("alert-feedback", "className"),
                  Input("schedule-modal", "is_open"), Input("alert-add", "n_clicks"),
                  Input({"type": "alert-delete", "index": ALL}, "n_clicks"),
                  State("alert-metric", "value"), State("alert-operator", "value"), State("alert-threshold", "value"),
                  State("alert-name", "value"), State("alert-to", "value"), State("url", "search"),
                  prevent_initial_call=True)
    def alerts(is_open, _add, _deletes, metric_id, operator, threshold, name, to, search):
        message, style = "", OK
        trigger = ctx.triggered_id
        owner, only = _owner()
        if trigger == "alert-add":
            try:
                if threshold in (None, ""):
                    raise ValueError("give a threshold")
                item = metric(metric_id)
                made = add_alert(store(), name=name or f"{item.label} {operator} {item.format(float(threshold))}",
                                 metric=metric_id, operator=operator, threshold=threshold, search=search or "",
                                 recipients=to or "", owner=owner)
                message = f"Alert saved: '{made.name}'. The next scheduler run checks it (and every run after a load)."
            except ValueError as exc:
                message, style = f"Not saved: {exc}.", ERROR
        elif isinstance(trigger, dict) and ctx.triggered[0]["value"]:
            if remove_alert(store(), int(trigger["index"]), owner=only):
                message = "Alert deleted."
            else:
                message, style = "Not deleted: no such alert of yours.", ERROR
        elif not is_open and trigger == "schedule-modal":
            return dash.no_update, dash.no_update, dash.no_update
        return _alert_table(store(), only), message, style


def _owner() -> tuple[str, str | None]:
    """(the owner of what this user makes, the owner whose jobs alone they list and delete: None = every job)."""
    user = current_user()
    return user.username, (user.username if user.csm_scope is not None else None)


def _owned_by(owner: str | None, only: str | None) -> list[str]:
    """The owner line of a job, for a user who sees every job's."""
    if only is not None:
        return []
    return [f"Owner: {owner}" if owner else "Owner: none (made from the command line: every account)"]


def _view_link(search: str) -> html.A:
    return html.A(search if len(search) <= 60 else search[:59] + "…", href=search, title=search)


def _upper_first(text: str) -> str:
    return text[:1].upper() + text[1:]


def _item(title: str, lines: list[Any], kind: str, index: int) -> dbc.ListGroupItem:
    return dbc.ListGroupItem([
        html.Div([html.Strong(title), *[html.Div(line) for line in lines]], className="me-3"),
        html.Button("Delete", id={"type": kind, "index": index}, type="button",
                    className="btn btn-link btn-sm p-0 text-danger text-nowrap", **{"aria-label": f"delete {title}"}),
    ], className="d-flex justify-content-between align-items-start small")


def _schedule_table(store: Any, only: str | None) -> Any:
    rows = list_schedules(store, owner=only)
    if not rows:
        return html.P("None yet.", className="small text-muted")
    items = []
    for s in rows:
        runs = f"Next: {s.next_run_at.astimezone(ZoneInfo(s.timezone)):%a %d %b %Y %H:%M %Z}"
        last = html.Span(f" · last run {s.last_status}" + (f": {s.last_error}" if s.last_error else ""),
                         className="text-danger" if s.last_status == "failed" else "") if s.last_status else ""
        items.append(_item(s.name, [f"{_upper_first(s.when())}, to {', '.join(s.recipients)}",
                                    ["View: ", _view_link(s.search)], *_owned_by(s.owner, only),
                                    html.Span([runs, last], className="text-muted")],
                           "schedule-delete", s.id))
    return dbc.ListGroup(items, flush=True)


def _alert_table(store: Any, only: str | None) -> Any:
    rows = list_alerts(store, owner=only)
    if not rows:
        return html.P("None yet.", className="small text-muted")
    known = metrics()
    items = []
    for a in rows:
        item = known.get(a.metric)
        fmt = item.format if item else str
        state = {"new": "not checked yet", "clear": "armed", "fired": "mail sent, silent until it comes back",
                 "retry": "mail failed, sent again at the next run"}.get(a.state, a.state)
        last = f"Last value {fmt(a.last_value)} · {state}" if a.last_value is not None else _upper_first(state)
        items.append(_item(a.name, [f"{item.label if item else a.metric} {a.operator} {fmt(a.threshold)}, to "
                                    f"{', '.join(a.recipients)}", ["View: ", _view_link(a.search)],
                                    *_owned_by(a.owner, only),
                                    html.Span([last, html.Span(f" · {a.last_error}", className="text-danger")
                                               if a.last_error else ""], className="text-muted")],
                           "alert-delete", a.id))
    return dbc.ListGroup(items, flush=True)
