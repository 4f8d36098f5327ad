"""The audit log (issue 8): who did what, when, from where, and whether it was allowed: sign-ins (success and
failure), sign-outs, exports, permalink creation, schedule and alert changes, data refreshes, user changes.

The dashboard writes it from one place (dashapp/auth/gate.py), the CLI for user changes; admins read it on
/admin/audit and download it as CSV. Rows are only ever added.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import insert, select

from appstate.cells import spreadsheet_safe
from appstate.db import AppStore, utc_now
from appstate.tables import audit_log

OUTCOMES = ("ok", "denied", "failed")
MAX_DETAIL = 2000
CSV_COLUMNS = ("at", "username", "action", "outcome", "remote_addr", "detail")


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: datetime
    username: str | None
    action: str
    detail: str
    remote_addr: str | None
    outcome: str


def record(store: AppStore, action: str, *, username: str | None, outcome: str = "ok", detail: str = "",
           remote_addr: str | None = None, now: datetime | None = None) -> None:
    if outcome not in OUTCOMES:
        raise ValueError(f"outcome must be one of {', '.join(OUTCOMES)}, got {outcome!r}")
    detail = (detail or "").replace("\r", " ").replace("\n", " ")
    if len(detail) > MAX_DETAIL:
        detail = detail[:MAX_DETAIL - 1] + "…"
    with store.engine.begin() as conn:
        conn.execute(insert(audit_log).values(at=now or utc_now(), username=username, action=action[:64],
                                              detail=detail, remote_addr=(remote_addr or None) and remote_addr[:64],
                                              outcome=outcome))


def list_entries(store: AppStore, *, username: str | None = None, action: str | None = None,
                 outcome: str | None = None, since: datetime | None = None, until: datetime | None = None,
                 limit: int | None = 200) -> list[AuditEntry]:
    """The newest first. `action` matches an action or its family ("schedule" finds schedule.add, ...)."""
    return list(_entries(store, username, action, outcome, since, until, limit))


def csv_chunks(store: AppStore, *, username: str | None = None, action: str | None = None,
               outcome: str | None = None, since: datetime | None = None, until: datetime | None = None,
               limit: int | None = None) -> Iterator[str]:
    """The filtered log as CSV text (times in UTC), newest first, header row first; for a streamed download."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    for entry in _entries(store, username, action, outcome, since, until, limit):
        writer.writerow([entry.at.isoformat(timespec="seconds"), *(spreadsheet_safe(v) for v in (
            entry.username or "", entry.action, entry.outcome, entry.remote_addr or "", entry.detail))])
        if buffer.tell() > 64_000:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def _entries(store: AppStore, username: str | None = None, action: str | None = None, outcome: str | None = None,
             since: datetime | None = None, until: datetime | None = None,
             limit: int | None = 200) -> Iterator[AuditEntry]:
    query = select(audit_log)
    if username:
        query = query.where(audit_log.c.username == username.strip().lower())
    if action:
        action = action.strip()
        query = query.where((audit_log.c.action == action) | audit_log.c.action.startswith(action + ".",
                                                                                           autoescape=True))
    if outcome:
        query = query.where(audit_log.c.outcome == outcome)
    if since:
        query = query.where(audit_log.c.at >= since)
    if until:
        query = query.where(audit_log.c.at < until)
    query = query.order_by(audit_log.c.id.desc())
    if limit:
        query = query.limit(limit)
    with store.engine.begin() as conn:
        rows = conn.execute(query).mappings().all()
    for row in rows:
        yield AuditEntry(**row)
