"""Scheduled reports: a saved view (a dashboard query string) emailed as a PDF to recipients daily or weekly at a
time of day in a time zone (default: the server's own zone).

Due-ness: a schedule is due when next_run_at <= now. The runner that sends it first *claims* it by moving
next_run_at on with a compare-and-set (UPDATE ... WHERE id = ? AND next_run_at = <the value it read>): of two
runners (cron and the server, two servers) exactly one gets the row, so a report is never sent twice.

Owner: the username that made it in the dashboard ("local" with sign-in off), or None from the command line (or the
CLI's --owner). The run uses the owner's account scope as it is then (reports/schedule.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import delete, insert, select, update

from appstate.db import AppStore, utc_now
from appstate.tables import schedules
from appstate.validate import check_timezone, local_zone_name, parse_recipients, parse_time_of_day, query_string

FREQUENCIES = ("daily", "weekly")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@dataclass(frozen=True)
class Schedule:
    id: int
    name: str
    search: str
    recipients: tuple[str, ...]
    frequency: str
    weekday: int | None
    time_of_day: str
    timezone: str
    enabled: bool
    next_run_at: datetime
    last_run_at: datetime | None
    last_status: str | None
    last_error: str | None
    created_at: datetime
    owner: str | None = None  # username that made it (None: made from the CLI)

    def when(self) -> str:
        """'daily at 07:00 (Europe/Paris)', 'weekly on Monday at 07:00 (UTC)'."""
        day = f" on {WEEKDAY_NAMES[self.weekday]}" if self.frequency == "weekly" and self.weekday is not None else ""
        return f"{self.frequency}{day} at {self.time_of_day} ({self.timezone})"

    def next_after(self, moment: datetime) -> datetime:
        return next_run_after(self.frequency, self.weekday, self.time_of_day, self.timezone, moment)


def next_run_after(frequency: str, weekday: int | None, time_of_day: str, timezone: str,
                   after: datetime) -> datetime:
    """The first run strictly after `after` (aware), in UTC. The time of day is wall-clock time in `timezone`:
    07:00 in Europe/Paris is 06:00 UTC in winter and 05:00 UTC in summer."""
    if after.tzinfo is None:
        raise ValueError("`after` must carry a time zone")
    zone = ZoneInfo(timezone)
    hour, minute = (int(part) for part in time_of_day.split(":"))
    day = after.astimezone(zone).date()
    if frequency == "weekly":
        day += timedelta(days=(weekday - day.weekday()) % 7)  # type: ignore[operator]
    step = timedelta(days=7 if frequency == "weekly" else 1)
    while True:
        candidate = datetime.combine(day, time(hour, minute), tzinfo=zone)
        if candidate > after:
            return candidate.astimezone(UTC)
        day += step


def parse_weekday(value: str | int | None) -> int:
    if isinstance(value, int) and 0 <= value <= 6:
        return value
    text = str(value or "").strip().lower()[:3]
    if text not in WEEKDAYS:
        raise ValueError(f"day must be one of {', '.join(WEEKDAYS)}, got {value!r}")
    return WEEKDAYS.index(text)


def add_schedule(store: AppStore, *, name: str, search: str, recipients: str | list[str], frequency: str,
                 time_of_day: str = "07:00", weekday: str | int | None = None, timezone: str | None = None,
                 owner: str | None = None, now: datetime | None = None) -> Schedule:
    """Store a schedule (inputs checked; ValueError says what is wrong). Its first run is the first slot after now."""
    if frequency not in FREQUENCIES:
        raise ValueError(f"frequency must be daily or weekly, got {frequency!r}")
    day = parse_weekday(weekday if weekday is not None else 0) if frequency == "weekly" else None
    clock = parse_time_of_day(time_of_day)
    zone = check_timezone(timezone or local_zone_name())
    name = (name or "").strip()[:200]
    if not name:
        raise ValueError("give the schedule a name")
    now = now or utc_now()
    values = {"name": name, "search": "?" + query_string(search), "recipients": ", ".join(parse_recipients(recipients)),
              "frequency": frequency, "weekday": day, "time_of_day": clock, "timezone": zone, "enabled": True,
              "next_run_at": next_run_after(frequency, day, clock, zone, now), "created_at": now, "owner": owner}
    with store.engine.begin() as conn:
        new_id = conn.execute(insert(schedules).values(**values)).inserted_primary_key[0]
    return get_schedule(store, new_id)  # type: ignore[return-value]


def list_schedules(store: AppStore, *, owner: str | None = None) -> list[Schedule]:
    """Every schedule, or those of `owner` only."""
    query = select(schedules).order_by(schedules.c.id)
    if owner is not None:
        query = query.where(schedules.c.owner == owner)
    with store.engine.begin() as conn:
        return [_schedule(row) for row in conn.execute(query).mappings()]


def get_schedule(store: AppStore, schedule_id: int) -> Schedule | None:
    with store.engine.begin() as conn:
        row = conn.execute(select(schedules).where(schedules.c.id == schedule_id)).mappings().first()
    return _schedule(row) if row else None


def remove_schedule(store: AppStore, schedule_id: int, *, owner: str | None = None) -> bool:
    """Delete a schedule (with `owner`: only if it is theirs); True when one was deleted."""
    query = delete(schedules).where(schedules.c.id == schedule_id)
    if owner is not None:
        query = query.where(schedules.c.owner == owner)
    with store.engine.begin() as conn:
        return conn.execute(query).rowcount == 1


def due_schedules(store: AppStore, now: datetime) -> list[Schedule]:
    with store.engine.begin() as conn:
        rows = conn.execute(select(schedules).where(schedules.c.enabled, schedules.c.next_run_at <= now)
                            .order_by(schedules.c.next_run_at, schedules.c.id)).mappings()
        return [_schedule(row) for row in rows]


def claim_schedule(store: AppStore, schedule: Schedule, next_run_at: datetime) -> bool:
    """Move a due schedule's next_run_at on, if no other runner did since it was read: True = ours to send."""
    with store.engine.begin() as conn:
        moved = conn.execute(update(schedules)
                             .where(schedules.c.id == schedule.id, schedules.c.next_run_at == schedule.next_run_at)
                             .values(next_run_at=next_run_at))
        return moved.rowcount == 1


def finish_schedule(store: AppStore, schedule_id: int, claimed_next: datetime, *, now: datetime,
                    error: str | None = None, retry_at: datetime | None = None) -> None:
    """Record a run: sent (error None) or failed; a failed run sets next_run_at to retry_at (when given), unless the
    schedule was changed meanwhile."""
    values: dict[str, object] = {"last_run_at": now, "last_status": "failed" if error else "sent",
                                 "last_error": error}
    with store.engine.begin() as conn:
        conn.execute(update(schedules).where(schedules.c.id == schedule_id).values(**values))
        if error and retry_at is not None:
            conn.execute(update(schedules)
                         .where(schedules.c.id == schedule_id, schedules.c.next_run_at == claimed_next)
                         .values(next_run_at=retry_at))


def _schedule(row: object) -> Schedule:
    data = dict(row)  # type: ignore[call-overload]
    data["recipients"] = tuple(r for r in data["recipients"].split(", ") if r)
    return Schedule(**data)
