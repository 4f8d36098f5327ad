"""Feedback on the dashboard (issue 8): a rating of 1 to 5 and a comment, sent from any tab with the view it was
sent from (the tab and the query string, filters included), so that an admin can open exactly what was rated.
Every signed-in user may send it; admins read it on /admin/feedback and download it as CSV."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, insert, select

from appstate.cells import spreadsheet_safe
from appstate.db import AppStore, utc_now
from appstate.tables import feedback

RATINGS = (1, 2, 3, 4, 5)
MAX_COMMENT = 2000
MAX_SEARCH = 4000
CSV_COLUMNS = ("at", "username", "tab", "rating", "comment", "view")


class FeedbackError(ValueError):
    """Feedback that cannot be stored; the message can be shown to the user."""


@dataclass(frozen=True)
class Feedback:
    id: int
    at: datetime
    username: str | None
    tab: str
    search: str
    rating: int
    comment: str


def add_feedback(store: AppStore, *, username: str | None, tab: str, search: str, rating: object, comment: str,
                 now: datetime | None = None) -> Feedback:
    if rating not in RATINGS:
        raise FeedbackError("Choose a rating from 1 to 5.")
    comment = (comment or "").strip()
    if len(comment) > MAX_COMMENT:
        raise FeedbackError(f"The comment is {len(comment):,} characters long; at most {MAX_COMMENT:,}, please.")
    values = {"at": now or utc_now(), "username": username, "tab": (tab or "")[:32], "rating": rating,
              "search": (search or "")[:MAX_SEARCH], "comment": comment}
    with store.engine.begin() as conn:
        new_id = conn.execute(insert(feedback).values(**values)).inserted_primary_key[0]
    return Feedback(id=new_id, **values)


def list_feedback(store: AppStore, *, tab: str | None = None, limit: int | None = 200) -> list[Feedback]:
    """The newest first."""
    query = select(feedback).order_by(feedback.c.id.desc())
    if tab:
        query = query.where(feedback.c.tab == tab)
    if limit:
        query = query.limit(limit)
    with store.engine.begin() as conn:
        return [Feedback(**row) for row in conn.execute(query).mappings().all()]


def ratings_by_tab(store: AppStore) -> list[tuple[str, int, float]]:
    """(tab, how many, average rating) per tab, the most rated first."""
    query = (select(feedback.c.tab, func.count(), func.avg(feedback.c.rating)).group_by(feedback.c.tab)
             .order_by(func.count().desc(), feedback.c.tab))
    with store.engine.begin() as conn:
        return [(tab, int(count), float(average)) for tab, count, average in conn.execute(query).all()]


def csv_text(store: AppStore, *, tab: str | None = None) -> Iterator[str]:
    """Every feedback row as CSV (times in UTC), newest first; comments are what users typed, so a cell that
    a spreadsheet would run as a formula is quote-prefixed (appstate.cells)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    for item in list_feedback(store, tab=tab, limit=None):
        writer.writerow([item.at.isoformat(timespec="seconds"), *(spreadsheet_safe(v) for v in (
            item.username or "", item.tab)), item.rating, spreadsheet_safe(item.comment),
            spreadsheet_safe(item.search)])
    yield buffer.getvalue()
