"""The log of what was emailed (or failed to be): one row per scheduled report or alert mail attempted."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import insert, select

from appstate.db import AppStore
from appstate.tables import deliveries


@dataclass(frozen=True)
class Delivery:
    id: int
    kind: str          # schedule | alert
    job_id: int
    job_name: str
    recipients: str
    subject: str
    status: str        # sent | failed
    error: str | None
    size_bytes: int | None
    created_at: datetime


def record_delivery(store: AppStore, *, kind: str, job_id: int, job_name: str, recipients: tuple[str, ...],
                    subject: str, status: str, now: datetime, error: str | None = None,
                    size_bytes: int | None = None) -> None:
    with store.engine.begin() as conn:
        conn.execute(insert(deliveries).values(kind=kind, job_id=job_id, job_name=job_name,
                                               recipients=", ".join(recipients), subject=subject, status=status,
                                               error=error, size_bytes=size_bytes, created_at=now))


def list_deliveries(store: AppStore, limit: int = 100) -> list[Delivery]:
    """The newest first."""
    with store.engine.begin() as conn:
        rows = conn.execute(select(deliveries).order_by(deliveries.c.id.desc()).limit(limit)).mappings()
        return [Delivery(**row) for row in rows]
