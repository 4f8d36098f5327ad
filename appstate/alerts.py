"""KPI alerts: a metric (config/rules.toml [alerts] metrics) computed with the filters of a saved view, compared with
a threshold (above / below), emailed to recipients once per crossing.

`state` is what the last check found, and drives "once per crossing":
    new    never checked
    clear  the condition was false: armed, the next time it is true sends a mail
    fired  the condition was true and the mail was sent (or is being sent): silent while it stays true
    retry  the condition was true but the mail failed: the next run that finds it still true sends again
A run moves a state with a compare-and-set (UPDATE ... WHERE id = ? AND state = <the state it read>), so of two
runners evaluating the same alert at once only one sends. Owner: as for schedules (appstate/schedules.py); the
metric is computed with the owner's account scope as it is at the check (reports/alerts.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, insert, or_, select, update

from appstate.db import AppStore, utc_now
from appstate.tables import alerts
from appstate.validate import parse_recipients, query_string

OPERATORS = ("above", "below")
STATES = ("new", "clear", "fired", "retry")


@dataclass(frozen=True)
class Alert:
    id: int
    name: str
    metric: str
    operator: str
    threshold: float
    search: str
    recipients: tuple[str, ...]
    enabled: bool
    state: str
    last_value: float | None
    checked_version: str | None
    last_checked_at: datetime | None
    last_fired_at: datetime | None
    last_error: str | None
    created_at: datetime
    updated_at: datetime
    owner: str | None = None  # username that made it (None: made from the CLI)

    def holds(self, value: float) -> bool:
        """The alert's condition: strictly above / below the threshold."""
        return value > self.threshold if self.operator == "above" else value < self.threshold


def add_alert(store: AppStore, *, name: str, metric: str, operator: str, threshold: float, search: str,
              recipients: str | list[str], owner: str | None = None, now: datetime | None = None) -> Alert:
    """Store an alert (inputs checked, ValueError says what is wrong; the metric id is checked by the caller against
    the registry, reports.alerts.metric). Its first check is the next run."""
    now = now or utc_now()
    values = {"name": _name(name), "metric": metric, "operator": _operator(operator),
              "threshold": _threshold(threshold), "search": "?" + query_string(search),
              "recipients": ", ".join(parse_recipients(recipients)), "enabled": True, "state": "new",
              "created_at": now, "updated_at": now, "owner": owner}
    with store.engine.begin() as conn:
        new_id = conn.execute(insert(alerts).values(**values)).inserted_primary_key[0]
    return get_alert(store, new_id)  # type: ignore[return-value]


def update_alert(store: AppStore, alert_id: int, **changes: object) -> Alert | None:
    """Change name, operator, threshold, search, recipients or enabled. The state is kept (a changed condition that
    is still true stays silent; one that became false re-arms at the next check), and the next run checks again."""
    checks = {"name": _name, "operator": _operator, "threshold": _threshold,
              "search": lambda s: "?" + query_string(s),  # type: ignore[arg-type]
              "recipients": lambda r: ", ".join(parse_recipients(r)), "enabled": bool}  # type: ignore[arg-type]
    unknown = set(changes) - set(checks)
    if unknown:
        raise ValueError(f"cannot change {', '.join(sorted(unknown))} of an alert")
    values = {key: checks[key](value) for key, value in changes.items()}
    with store.engine.begin() as conn:
        conn.execute(update(alerts).where(alerts.c.id == alert_id)
                     .values(**values, checked_version=None, updated_at=utc_now()))
    return get_alert(store, alert_id)


def list_alerts(store: AppStore, *, owner: str | None = None) -> list[Alert]:
    """Every alert, or those of `owner` only."""
    query = select(alerts).order_by(alerts.c.id)
    if owner is not None:
        query = query.where(alerts.c.owner == owner)
    with store.engine.begin() as conn:
        return [_alert(row) for row in conn.execute(query).mappings()]


def get_alert(store: AppStore, alert_id: int) -> Alert | None:
    with store.engine.begin() as conn:
        row = conn.execute(select(alerts).where(alerts.c.id == alert_id)).mappings().first()
    return _alert(row) if row else None


def remove_alert(store: AppStore, alert_id: int, *, owner: str | None = None) -> bool:
    """Delete an alert (with `owner`: only if it is theirs); True when one was deleted."""
    query = delete(alerts).where(alerts.c.id == alert_id)
    if owner is not None:
        query = query.where(alerts.c.owner == owner)
    with store.engine.begin() as conn:
        return conn.execute(query).rowcount == 1


def alerts_to_check(store: AppStore, version: str | None) -> list[Alert]:
    """Enabled alerts whose value may have changed since their last check: never checked, changed since, a failed
    check or mail, or another warehouse version (None: unknown, check all). A metric depends on the warehouse and
    the saved view only (relative date ranges count from the newest data, not from today)."""
    query = select(alerts).where(alerts.c.enabled)
    if version is not None:
        query = query.where(or_(alerts.c.checked_version.is_(None), alerts.c.checked_version != version,
                                alerts.c.state == "retry"))
    with store.engine.begin() as conn:
        return [_alert(row) for row in conn.execute(query.order_by(alerts.c.id)).mappings()]


def move_state(store: AppStore, alert_id: int, old: str, new: str, *, now: datetime) -> bool:
    """Compare-and-set of the state: True when this caller moved it (no other runner did first)."""
    values: dict[str, object] = {"state": new}
    if new == "fired":
        values["last_fired_at"] = now
    with store.engine.begin() as conn:
        moved = conn.execute(update(alerts).where(alerts.c.id == alert_id, alerts.c.state == old).values(**values))
        return moved.rowcount == 1


def record_check(store: AppStore, alert_id: int, *, now: datetime, value: float | None, version: str | None,
                 error: str | None = None, retry: bool = True) -> None:
    """The outcome of a check: the value found, and the warehouse version it was found on (not on an error: the
    next run checks again; unless retry is False, for an error that the next run would only meet again, such as a
    disabled owner: checked again after the next load or a change of the alert)."""
    values: dict[str, object] = {"last_checked_at": now, "last_error": error}
    if error is None:
        values.update(last_value=value, checked_version=version)
    elif not retry:
        values["checked_version"] = version  # the last value found stays as it was
    with store.engine.begin() as conn:
        conn.execute(update(alerts).where(alerts.c.id == alert_id).values(**values))


def _name(value: object) -> str:
    name = str(value or "").strip()[:200]
    if not name:
        raise ValueError("give the alert a name")
    return name


def _operator(value: object) -> str:
    if value not in OPERATORS:
        raise ValueError(f"operator must be above or below, got {value!r}")
    return str(value)


def _threshold(value: object) -> float:
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ValueError(f"threshold must be a number, got {value!r}") from None
    if number != number or number in (float("inf"), float("-inf")):
        raise ValueError(f"threshold must be a finite number, got {value!r}")
    return number


def _alert(row: object) -> Alert:
    data = dict(row)  # type: ignore[call-overload]
    data["recipients"] = tuple(r for r in data["recipients"].split(", ") if r)
    return Alert(**data)
