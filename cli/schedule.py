"""`customer-insight schedule ...` and `customer-insight alert ...`: scheduled reports by email and KPI alerts
(docs/schedules.md). Registered on the main command at the end of cli/main.py."""

from __future__ import annotations

import sys
from datetime import datetime

import click

from config.settings import load_settings

EXIT_FAILED = 1
EXIT_NOT_READY = 2


def _store():
    from appstate import open_store

    return open_store(load_settings())


def _fail(message: str, code: int = EXIT_NOT_READY) -> None:
    click.echo(f"error: {message}", err=True)
    sys.exit(code)


OWNER_HELP = ("Run it with this user's account scope, as it is at each run (a CSM's accounts only). Default: no "
              "owner, every account.")


def _owner(name: str | None) -> str | None:
    """The stored name of an existing user, or None; fails on an unknown name (a typo would run for nobody)."""
    from appstate.users import get_user

    if name is None:
        return None
    user = get_user(_store(), name)
    if user is None:
        _fail(f"no user named {name!r} (customer-insight users list)")
    return user.username  # type: ignore[union-attr]


def _owned(owner: str | None) -> str:
    return f" (owner {owner})" if owner else ""


@click.group(help="Scheduled reports: the PDF of a dashboard view emailed daily or weekly (docs/schedules.md).")
def schedule() -> None:
    pass


@schedule.command("add", help="Email the PDF of a dashboard view on a schedule. Its first run is the first slot from "
                              "now on.")
@click.option("--url", required=True,
              help='The view: a dashboard URL or its query string, e.g. "?tab=support&range=30d".')
@click.option("--to", "recipients", multiple=True, required=True, help="A recipient (repeat, or separate by commas).")
@click.option("--every", "frequency", type=click.Choice(["daily", "weekly"]), required=True)
@click.option("--day", default=None, help="With --every weekly: mon, tue, ... sun (default mon).")
@click.option("--at", "time_of_day", default="07:00", show_default=True, help="Time of day, HH:MM (24-hour clock).")
@click.option("--tz", "timezone", default=None, help="IANA time zone of --at, e.g. Europe/Paris (default: the "
                                                     "server's own zone).")
@click.option("--name", default=None, help="The report's title in the email subject (default: '<Tab> report').")
@click.option("--owner", default=None, help=OWNER_HELP)
def schedule_add(url: str, recipients: tuple[str, ...], frequency: str, day: str | None, time_of_day: str,
                 timezone: str | None, name: str | None, owner: str | None) -> None:
    from appstate.schedules import add_schedule
    from reports.schedule import default_name

    if day and frequency != "weekly":
        _fail("--day is for --every weekly")
    try:
        made = add_schedule(_store(), name=name or default_name(url), search=url, recipients=list(recipients),
                            frequency=frequency, weekday=day, time_of_day=time_of_day, timezone=timezone,
                            owner=_owner(owner))
    except ValueError as exc:
        _fail(str(exc))
    click.echo(f"schedule #{made.id} '{made.name}'{_owned(made.owner)}: {made.when()} to "
               f"{', '.join(made.recipients)}; first run {_local(made.next_run_at, made.timezone)}")


@schedule.command("list", help="The scheduled reports, with their next run and last result.")
def schedule_list() -> None:
    from appstate.schedules import list_schedules

    rows = list_schedules(_store())
    if not rows:
        click.echo("no scheduled reports (add one with: customer-insight schedule add --url ... --to ... --every ...)")
    for s in rows:
        last = f"last {s.last_status} {_local(s.last_run_at, s.timezone)}" if s.last_run_at else "not run yet"
        error = f" ({s.last_error})" if s.last_error else ""
        click.echo(f"#{s.id} '{s.name}'{_owned(s.owner)} {s.search} — {s.when()} — to {', '.join(s.recipients)} — "
                   f"next {_local(s.next_run_at, s.timezone)} — {last}{error}")


@schedule.command("remove", help="Delete a scheduled report.")
@click.argument("schedule_id", type=int)
def schedule_remove(schedule_id: int) -> None:
    from appstate.schedules import remove_schedule

    if not remove_schedule(_store(), schedule_id):
        _fail(f"no schedule #{schedule_id}")
    click.echo(f"schedule #{schedule_id} removed")


@schedule.command("run", help="Send the due scheduled reports and check the alerts (for cron: every 5 minutes, say). "
                              "Prints what it sent; exits 1 if a send failed, 2 if email or the warehouse is not set "
                              "up.")
@click.option("--now", "now_text", default=None, help="Run as if at this time (ISO 8601; without an offset: the "
                                                      "server's local time).")
@click.option("--verbose", "-v", is_flag=True, help="Also print the alerts checked without a mail.")
def schedule_run(now_text: str | None, verbose: bool) -> None:
    from reports.mail import MailNotConfigured
    from reports.schedule import run_due
    from warehouse.reader import WarehouseUnavailable

    try:
        now = datetime.fromisoformat(now_text) if now_text else None
    except ValueError:
        _fail(f"--now must be an ISO 8601 time such as 2025-06-02T07:00, got {now_text!r}")
    try:
        outcomes = run_due(load_settings(), now)
    except (MailNotConfigured, WarehouseUnavailable) as exc:
        _fail(str(exc))
    if verbose and not outcomes:
        click.echo("nothing to do: no report due, no alert to check")
    for outcome in outcomes:  # silent when nothing was sent: cron mails any output
        if verbose or outcome.status != "checked":
            click.echo(outcome.line(), err=outcome.status == "failed")
    if any(o.status == "failed" for o in outcomes):
        sys.exit(EXIT_FAILED)


@click.group(help="KPI alerts: an email when a KPI of a view crosses a threshold, once per crossing "
                  "(docs/schedules.md).")
def alert() -> None:
    pass


@alert.command("add", help="Watch a KPI of a view: one email each time it crosses the threshold.")
@click.option("--metric", "metric_id", required=True, help="A metric id (customer-insight alert metrics).")
@click.option("--above", type=float, default=None, help="Alert when the value is strictly above this.")
@click.option("--below", type=float, default=None, help="Alert when the value is strictly below this.")
@click.option("--url", required=True, help="The view whose filters the metric is computed with.")
@click.option("--to", "recipients", multiple=True, required=True, help="A recipient (repeat, or separate by commas).")
@click.option("--name", default=None, help="Default: the metric and the condition.")
@click.option("--owner", default=None, help=OWNER_HELP)
def alert_add(metric_id: str, above: float | None, below: float | None, url: str, recipients: tuple[str, ...],
              name: str | None, owner: str | None) -> None:
    from appstate.alerts import add_alert
    from reports.alerts import metric

    if (above is None) == (below is None):
        _fail("give exactly one of --above X or --below X")
    operator, threshold = ("above", above) if above is not None else ("below", below)
    try:
        item = metric(metric_id)
        made = add_alert(_store(), name=name or f"{item.label} {operator} {item.format(threshold)}", metric=metric_id,
                         operator=operator, threshold=threshold, search=url, recipients=list(recipients),
                         owner=_owner(owner))
    except ValueError as exc:
        _fail(str(exc))
    click.echo(f"alert #{made.id} '{made.name}'{_owned(made.owner)} on {made.search} to {', '.join(made.recipients)}: "
               "checked by the next run (customer-insight schedule run, or the server)")


@alert.command("list", help="The alerts, with their last value and state.")
def alert_list() -> None:
    from appstate.alerts import list_alerts
    from reports.alerts import metrics

    known = metrics()
    rows = list_alerts(_store())
    if not rows:
        click.echo("no alerts (add one with: customer-insight alert add --metric ... --above ... --url ... --to ...)")
    for a in rows:
        item = known.get(a.metric)
        value = "not checked yet" if a.last_checked_at is None else (
            "no data" if a.last_value is None else f"last value {item.format(a.last_value) if item else a.last_value}")
        click.echo(f"#{a.id} '{a.name}'{_owned(a.owner)} {a.metric} {a.operator} {a.threshold:g} on {a.search} — to "
                   f"{', '.join(a.recipients)} — {value}, state {a.state}" + (f" ({a.last_error})" if a.last_error
                                                                                  else ""))


@alert.command("remove", help="Delete an alert.")
@click.argument("alert_id", type=int)
def alert_remove(alert_id: int) -> None:
    from appstate.alerts import remove_alert

    if not remove_alert(_store(), alert_id):
        _fail(f"no alert #{alert_id}")
    click.echo(f"alert #{alert_id} removed")


@alert.command("metrics", help="The metrics an alert can watch (config/rules.toml [alerts]).")
def alert_metrics() -> None:
    from reports.alerts import metrics

    for item in metrics().values():
        unit = f", {item.unit}" if item.unit else ""
        click.echo(f"{item.id:<22} {item.label} ({item.query}.sql: {item.column}{unit})")


def _local(moment: datetime | None, timezone: str) -> str:
    from zoneinfo import ZoneInfo

    return "—" if moment is None else f"{moment.astimezone(ZoneInfo(timezone)):%Y-%m-%d %H:%M %Z}"
