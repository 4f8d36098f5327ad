"""Running scheduled reports and KPI alerts: `run_due(settings)` sends every due report and checks every alert,
for `customer-insight schedule run` (cron) and for the server's own scheduler thread (dashapp/wsgi.py).

Never twice: a due schedule is claimed before it is run (appstate.schedules.claim_schedule: a compare-and-set of
next_run_at), an alert's mail likewise (appstate.alerts.move_state), so any number of runners at once (cron and
the server, several servers on one app database) send each report and each alert once.
Missed runs are not caught up: a server down for three days sends a daily report once when it is back, then on
schedule. A failed send (SMTP down, no browser for the charts) is recorded on the schedule (last_status, last_error)
and in the deliveries log, and retried by the first run RETRY_DELAY after it, until the next regular run.

Account scope and look: a job runs with its owner's account scope as it is at the run (owner_scope), and its PDF
has the owner's colour scheme and number format (owner_look): a CSM limited to their
accounts gets reports and alerts over those accounts only, and a new scope applies to their next run. A job made
from the command line (no owner), or by "local" (the dashboard without sign-in), covers every account. A job whose
owner is disabled or deleted is not run: the run is recorded as failed with the reason, and not retried before its
next regular time (an alert: before the next load or a change of the alert).

Imports of the dashboard and the PDF machinery happen only when something is due: a run that finds nothing to do
(the server's every minute) costs a query on the app database.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING
from urllib.parse import parse_qs
from zoneinfo import ZoneInfo

from appstate.db import AppStore, open_store, utc_now
from appstate.deliveries import record_delivery
from appstate.schedules import Schedule, claim_schedule, due_schedules, finish_schedule
from config.settings import Settings
from reports.mail import check_configured, report_message, send
from warehouse.scope import ALL, Scope, scoped

if TYPE_CHECKING:  # the warehouse (pandas, DuckDB) is imported only when something is due
    from email.message import EmailMessage

    from dashapp.figures.common import Look
    from warehouse.reader import WarehouseReader

log = logging.getLogger(__name__)
RETRY_DELAY = timedelta(minutes=5)
JOB_ROLE = "analyst"  # the role that may make schedules and alerts (dashapp/auth/rules.py): also to have them run


class OwnerUnavailable(Exception):
    """The owner of a job cannot have it run: disabled, or no longer a user. The message says which."""


def owner_scope(store: AppStore, owner: str | None) -> Scope:
    """The account scope a job of `owner` runs with, read now (a changed scope applies to the next run). None (made
    from the command line) and "local" (the dashboard without sign-in), unless a user has that name: every account."""
    from appstate.users import get_user

    if owner is None:
        return ALL
    user = get_user(store, owner)
    if user is None:
        from dashapp.auth.session import LOCAL_USER

        if owner == LOCAL_USER.username:
            return ALL
        raise OwnerUnavailable(f"owner {owner} is no longer a user")
    if user.disabled:
        raise OwnerUnavailable(f"owner {owner} is disabled")
    if not user.can(JOB_ROLE):  # made as an analyst, since made a viewer: viewers get no reports by email
        raise OwnerUnavailable(f"owner {owner} is now a {user.role}, who cannot schedule reports or alerts")
    return Scope(user.csm_scope)


@dataclass(frozen=True)
class Outcome:
    """What a run did with one schedule or alert."""
    kind: str      # schedule | alert
    job_id: int
    name: str
    status: str    # sent | failed | checked
    detail: str

    def line(self) -> str:
        return f"{self.status:<7} {self.kind} #{self.job_id} '{self.name}': {self.detail}"


def run_due(settings: Settings, now: datetime | None = None, *, store: AppStore | None = None,
            reader: WarehouseReader | None = None) -> list[Outcome]:
    """Send the due scheduled reports and check the alerts; returns what was done (nothing due: an empty list).

    now: the time to run at (default: now; a naive time is the server's local time). Raises MailNotConfigured
    when there is something to send but no SMTP server (nothing is claimed then)."""
    from appstate.alerts import alerts_to_check

    now = utc_now() if now is None else (now if now.tzinfo else now.astimezone())
    store = store or open_store(settings)
    version = warehouse_version(settings)
    due = due_schedules(store, now)
    alerts = alerts_to_check(store, version)
    if not due and not alerts:
        return []
    check_configured(settings)
    from reports.alerts import check_alerts

    opened = reader is None  # closed here: the server's scheduler runs for weeks, and a reader left open in a
    reader = reader or open_reader(settings)  # process would keep the old warehouse after a swap for the next one
    try:
        outcomes = [outcome for schedule in due if (outcome := run_schedule(settings, store, reader, schedule, now))]
        return outcomes + check_alerts(settings, store, reader, alerts, now, version)
    finally:
        if opened:
            reader.close()


def run_schedule(settings: Settings, store: AppStore, reader: WarehouseReader, schedule: Schedule,
                 now: datetime) -> Outcome | None:
    """Claim and send one due schedule; None when another runner claimed it first."""
    next_at = schedule.next_after(now)
    if not claim_schedule(store, schedule, next_at):
        return None
    subject, size, refused = schedule.name, None, {}
    try:
        scope = owner_scope(store, schedule.owner)
    except OwnerUnavailable as exc:  # not retried in 5 minutes: the owner will not be back by then, as a rule
        error = f"{exc}: the report was not sent"
        finish_schedule(store, schedule.id, next_at, now=now, error=error)
        record_delivery(store, kind="schedule", job_id=schedule.id, job_name=schedule.name,
                        recipients=schedule.recipients, subject=subject, status="failed", now=now, error=error)
        return Outcome("schedule", schedule.id, schedule.name, "failed",
                       f"{error} (next run {next_at:%Y-%m-%d %H:%M} UTC)")
    try:
        # every query of the report sees the owner's accounts only; its charts and numbers are in the owner's look
        from dashapp.figures.common import using_look

        with scoped(scope), using_look(owner_look(store, schedule.owner)):
            message, size = report_mail(settings, reader, schedule, now)
        subject = str(message["Subject"])
        refused = send(settings, message)
    except Exception as exc:  # any failure is recorded and retried; it must not stop the other jobs
        log.warning("scheduled report #%s failed", schedule.id, exc_info=not _expected(exc))
        error = str(exc) or type(exc).__name__
        retry_at = min(now + RETRY_DELAY, next_at)
        finish_schedule(store, schedule.id, next_at, now=now, error=error, retry_at=retry_at)
        record_delivery(store, kind="schedule", job_id=schedule.id, job_name=schedule.name,
                        recipients=schedule.recipients, subject=subject, status="failed", now=now, error=error)
        return Outcome("schedule", schedule.id, schedule.name, "failed",
                       f"{error} (tried again from {retry_at:%Y-%m-%d %H:%M} UTC)")
    note = f"refused by the server: {', '.join(refused)}" if refused else None
    finish_schedule(store, schedule.id, next_at, now=now, error=None)
    record_delivery(store, kind="schedule", job_id=schedule.id, job_name=schedule.name,
                    recipients=schedule.recipients, subject=subject, status="sent", now=now, error=note,
                    size_bytes=size)
    sent_to = [r for r in schedule.recipients if r not in refused]
    return Outcome("schedule", schedule.id, schedule.name, "sent",
                   f"PDF ({size / 1024:,.0f} KB) to {', '.join(sent_to)}" + (f"; {note}" if note else "")
                   + f"; next run {next_at:%Y-%m-%d %H:%M} UTC")


def owner_look(store: AppStore, owner: str | None) -> Look:
    """The colour scheme and number format of the owner's preferences, read at the run like the scope; the default
    look for a job made from the command line."""
    from appstate.preferences import get_preferences
    from dashapp.figures.common import Look
    from dashapp.preferences import look_of

    return look_of(get_preferences(store, owner)) if owner is not None else Look()


def report_mail(settings: Settings, reader: WarehouseReader, schedule: Schedule,
                now: datetime) -> tuple[EmailMessage, int]:
    """The email of a scheduled report (the PDF of its view attached) and the PDF's size."""
    from dashapp.shell import chip_texts
    from dashapp.state import TABS
    from reports.pdf import report_pdf
    from reports.view import view_from_search

    view = view_from_search(reader, schedule.search)  # read once: the PDF and the mail's text describe this view
    pdf = report_pdf(reader, view.tab, view.filters, view.customer)
    day = now.astimezone(ZoneInfo(schedule.timezone)).date()
    footer = (f"Sent {schedule.when()}. To stop it, delete it in the dashboard's Schedule dialog or run "
              f"customer-insight schedule remove {schedule.id}.")
    message = report_message(settings, title=schedule.name, tab_label=TABS[view.tab],
                             chips=[text for text, *_ in chip_texts(view.filters)], search=schedule.search,
                             pdf=pdf, filename=f"customer-insight-{view.tab}-{day:%Y-%m-%d}.pdf",
                             recipients=schedule.recipients, day=day, notices=view.notices, footer=footer)
    return message, len(pdf)


def default_name(search: str) -> str:
    """A schedule's name when none is given: '<Tab> report'."""
    from dashapp.state import DEFAULT_TAB, TABS

    tab = (parse_qs(search.split("?", 1)[-1]).get("tab") or [DEFAULT_TAB])[0]
    return f"{TABS.get(tab, TABS[DEFAULT_TAB])} report"


def warehouse_version(settings: Settings) -> str | None:
    """The DuckDB file's identity (inode, mtime: a load swaps a new file in), or on a server warehouse its reader's
    version (the newest load), or None when unknown. Alerts are checked again only when it changes (or the alert
    does)."""
    if settings.backend != "duckdb":
        try:
            reader = open_reader(settings)
            try:
                return reader.version
            finally:
                reader.close()
        except Exception:  # the warehouse unreachable: unknown, the alerts are checked (and report the error)
            return None
    try:
        path = settings.duckdb_path
        stat = os.stat(path) if path else None
    except (OSError, ValueError):
        return None
    return f"{stat.st_ino}-{stat.st_mtime_ns}" if stat else None


def open_reader(settings: Settings) -> WarehouseReader:
    from warehouse.cache import QueryCache
    from warehouse.reader import open_reader as open_warehouse

    # the server's result cache: the dashboard has often computed the same queries already
    return open_warehouse(settings, QueryCache(settings.data_dir / "query_cache"))


def _expected(exc: Exception) -> bool:
    """Failures with a clear message of their own (no traceback needed in the log)."""
    from reports.mail import MailError, MailNotConfigured
    from reports.view import ReportError

    return isinstance(exc, MailError | MailNotConfigured | ReportError)
