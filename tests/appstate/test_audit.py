"""The audit log: rows written as given, read back newest first with filters, and exported as CSV that Excel
cannot mistake for formulas."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest

from appstate import audit
from appstate.db import AppStore

T0 = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def store(tmp_path):
    store = AppStore(f"sqlite:///{tmp_path / 'app.db'}")
    rows = [  # minutes after T0, user, action, outcome, detail, address
        (0, "ann", "signin", "ok", "", "10.0.0.1"),
        (1, None, "signin", "failed", "unknown username", "10.0.0.9"),
        (2, "vic", "export", "denied", "/export/interactions.csv", "10.0.0.2"),
        (3, "ann", "export", "ok", "/export/tickets.csv?tab=support", "10.0.0.1"),
        (4, "ann", "schedule.add", "ok", "name=Weekly", "10.0.0.1"),
        (5, "ann", "schedules", "ok", "not a family member of schedule", "10.0.0.1"),
        (60 * 24, "ann", "export.pdf", "ok", "=HYPERLINK(\"http://evil\")", "10.0.0.1"),
    ]
    for minutes, user, action, outcome, detail, address in rows:
        audit.record(store, action, username=user, outcome=outcome, detail=detail, remote_addr=address,
                     now=T0 + timedelta(minutes=minutes))
    yield store
    store.close()


def summary(entries):
    return [(e.username, e.action, e.outcome) for e in entries]


def test_entries_come_back_newest_first_as_written(store):
    entries = audit.list_entries(store)
    assert [e.at for e in entries][-1] == T0 and entries[0].at == T0 + timedelta(days=1)
    assert (entries[-2].username, entries[-2].detail, entries[-2].remote_addr) == (None, "unknown username",
                                                                                    "10.0.0.9")
    assert len(audit.list_entries(store, limit=3)) == 3


def test_filters_by_user_action_family_outcome_and_time(store):
    assert summary(audit.list_entries(store, username="VIC")) == [("vic", "export", "denied")]
    assert summary(audit.list_entries(store, action="export")) == [
        ("ann", "export.pdf", "ok"), ("ann", "export", "ok"), ("vic", "export", "denied")]
    assert summary(audit.list_entries(store, action="schedule")) == [("ann", "schedule.add", "ok")]
    assert summary(audit.list_entries(store, outcome="failed")) == [(None, "signin", "failed")]
    assert summary(audit.list_entries(store, since=T0 + timedelta(minutes=2), until=T0 + timedelta(minutes=4))) == [
        ("ann", "export", "ok"), ("vic", "export", "denied")]


def test_a_bad_outcome_is_refused_and_a_detail_is_one_line(store):
    with pytest.raises(ValueError, match="outcome must be one of ok, denied, failed"):
        audit.record(store, "signin", username="ann", outcome="maybe")
    audit.record(store, "export", username="ann", detail="a\r\nb" + "x" * 3000)
    newest = audit.list_entries(store, limit=1)[0]
    assert newest.detail.startswith("a  bx") and len(newest.detail) == audit.MAX_DETAIL


def test_the_csv_export_has_every_matching_row_and_no_formulas(store):
    text = "".join(audit.csv_chunks(store, username="ann"))
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["at", "username", "action", "outcome", "remote_addr", "detail"]
    assert len(rows) == 1 + 5
    assert rows[1] == ["2025-03-02T09:00:00+00:00", "ann", "export.pdf", "ok", "10.0.0.1",
                       "'=HYPERLINK(\"http://evil\")"]
    assert rows[-1] == ["2025-03-01T09:00:00+00:00", "ann", "signin", "ok", "10.0.0.1", ""]
