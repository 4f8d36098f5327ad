"""KPI alerts: the metric registry (config/rules.toml [alerts] metrics) and the check of each alert at every run.

A metric's value is the tab's own number: the registry names the query (sql/queries) and column the KPI card reads,
run through WarehouseReader.query with the filters of the alert's saved view, as the dashboard reads that view.
Once per crossing (states in appstate/alerts.py): the mail goes when the condition becomes true (also at the first
check when it already is); while it stays true nothing is sent; when it becomes false the alert re-arms. A view
with no data (the value is empty) changes nothing. A failed mail is sent again by the next run that finds the
condition still true. The metric is computed with the alert owner's account scope as it is at the check
(reports.schedule.owner_scope); an alert whose owner is disabled or deleted is not checked.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from appstate.alerts import Alert, move_state, record_check
from appstate.db import AppStore
from appstate.deliveries import record_delivery
from config.rules import load_rules
from config.settings import Settings
from reports.mail import alert_message, send
from reports.schedule import Outcome, OwnerUnavailable, owner_scope
from warehouse.scope import scoped

if TYPE_CHECKING:
    from email.message import EmailMessage

    from reports.view import View
    from warehouse.reader import WarehouseReader

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Metric:
    id: str
    label: str
    query: str     # sql/queries/<query>.sql
    column: str
    unit: str
    decimals: int

    def format(self, value: float) -> str:
        text = f"{value:,.{self.decimals}f}".replace("-", "−")
        return f"{text} {self.unit}" if self.unit else text


def metrics(rules: Mapping[str, Any] | None = None) -> dict[str, Metric]:
    """The registry, in the file's order: id -> Metric."""
    entries = (rules or load_rules())["alerts"]["metrics"]
    return {m["id"]: Metric(m["id"], m["label"], m["query"], m["column"], m.get("unit", ""), int(m.get("decimals", 1)))
            for m in entries}


def metric(metric_id: str) -> Metric:
    known = metrics()
    if metric_id not in known:
        raise ValueError(f"unknown metric {metric_id!r}; metrics: {', '.join(known)} (config/rules.toml [alerts])")
    return known[metric_id]


def metric_value(reader: WarehouseReader, item: Metric, search: str) -> tuple[float | None, View]:
    """The metric for the filters of a saved view, and that view (reports.view.View)."""
    import pandas as pd

    from reports.view import view_from_search

    view = view_from_search(reader, search)
    value = reader.query(item.query, view.filters).iloc[0][item.column]
    return (None if pd.isna(value) else float(value)), view


def check_alerts(settings: Settings, store: AppStore, reader: WarehouseReader, alerts: list[Alert], now: datetime,
                 version: str | None) -> list[Outcome]:
    return [outcome for alert in alerts if (outcome := check_alert(settings, store, reader, alert, now, version))]


def check_alert(settings: Settings, store: AppStore, reader: WarehouseReader, alert: Alert, now: datetime,
                version: str | None) -> Outcome | None:
    """Check one alert, with its owner's account scope, and send its mail when it crossed; None when another runner
    is sending it."""
    try:
        scope = owner_scope(store, alert.owner)
    except OwnerUnavailable as exc:
        # recorded once per warehouse version (retry=False): not again at every run of the scheduler
        error = f"{exc}: the alert was not checked"
        record_check(store, alert.id, now=now, value=None, version=version, error=error, retry=False)
        record_delivery(store, kind="alert", job_id=alert.id, job_name=alert.name, recipients=alert.recipients,
                        subject=alert.name, status="failed", now=now, error=error)
        return Outcome("alert", alert.id, alert.name, "failed", error)
    with scoped(scope):  # the metric, and the mail's filters and dates, over the owner's accounts only
        return _check(settings, store, reader, alert, now, version)


def _check(settings: Settings, store: AppStore, reader: WarehouseReader, alert: Alert, now: datetime,
           version: str | None) -> Outcome | None:
    def outcome(status: str, detail: str) -> Outcome:
        return Outcome("alert", alert.id, alert.name, status, detail)

    try:
        item = metric(alert.metric)
        value, view = metric_value(reader, item, alert.search)
    except Exception as exc:  # a broken alert must not stop the others; checked again next run
        log.warning("alert #%s could not be checked", alert.id, exc_info=True)
        record_check(store, alert.id, now=now, value=None, version=version, error=str(exc))
        return outcome("failed", f"could not compute {alert.metric}: {exc}")
    if value is None:
        record_check(store, alert.id, now=now, value=None, version=version)
        return outcome("checked", f"{item.label}: no data for this view (state unchanged: {alert.state})")
    condition = f"{alert.operator} {item.format(alert.threshold)}"
    if not alert.holds(value):
        if alert.state != "clear":
            move_state(store, alert.id, alert.state, "clear", now=now)
        record_check(store, alert.id, now=now, value=value, version=version)
        return outcome("checked", f"{item.label} {item.format(value)}: not {condition} (armed)")
    if alert.state == "fired":
        record_check(store, alert.id, now=now, value=value, version=version)
        return outcome("checked", f"{item.label} {item.format(value)}: still {condition} (already sent)")
    if not move_state(store, alert.id, alert.state, "fired", now=now):
        return None  # another runner moved it first: it sends (or re-arms)
    message = _message(settings, reader, alert, item, value, view)
    try:
        refused = send(settings, message)
    except Exception as exc:
        log.warning("alert #%s: the mail failed", alert.id, exc_info=False)
        move_state(store, alert.id, "fired", "retry", now=now)
        record_check(store, alert.id, now=now, value=value, version=version, error=str(exc))
        record_delivery(store, kind="alert", job_id=alert.id, job_name=alert.name, recipients=alert.recipients,
                        subject=str(message["Subject"]), status="failed", now=now, error=str(exc))
        return outcome("failed", f"{item.label} {item.format(value)} is {condition}, but the mail failed: {exc} "
                                 "(sent again by the next run that finds it still true)")
    record_check(store, alert.id, now=now, value=value, version=version)
    note = f"refused by the server: {', '.join(refused)}" if refused else None
    record_delivery(store, kind="alert", job_id=alert.id, job_name=alert.name, recipients=alert.recipients,
                    subject=str(message["Subject"]), status="sent", now=now, error=note)
    return outcome("sent", f"{item.label} {item.format(value)} is {condition}: sent to {', '.join(alert.recipients)}"
                   + (f"; {note}" if note else ""))


def _message(settings: Settings, reader: WarehouseReader, alert: Alert, item: Metric, value: float,
             view: View) -> EmailMessage:
    from dashapp.shell import chip_texts

    back = "below" if alert.operator == "above" else "above"
    lines = [f'Customer Insight alert "{alert.name}".', "",
             f"{item.label} is {item.format(value)}, {alert.operator} the threshold of {item.format(alert.threshold)}.",
             f"Filters: {' · '.join(text for text, *_ in chip_texts(view.filters))}",
             f"Data up to {reader.date_bounds()[1]:%d %b %Y}.", "",
             f"No further mail while it stays {alert.operator} {item.format(alert.threshold)}: the alert re-arms when "
             f"the value goes back {back} it (or to it), and mails again at the next crossing."]
    subject = (f"Alert: {item.label} {alert.operator} {item.format(alert.threshold)} – now {item.format(value)}")
    return alert_message(settings, subject=subject, lines=lines, search=alert.search, recipients=alert.recipients)
