"""When a scheduled report is due: the next run after a given `now`, daily and weekly, at a wall-clock time in the
schedule's time zone (expected instants worked out by hand), and the checks of what a user types."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from appstate.alerts import add_alert, list_alerts, remove_alert
from appstate.schedules import (
    add_schedule,
    claim_schedule,
    due_schedules,
    list_schedules,
    next_run_after,
    remove_schedule,
)
from appstate.validate import local_zone_name, parse_recipients


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize(("after", "expected"), [
    # Paris is UTC+1 in January: 07:00 there is 06:00 UTC
    (utc(2025, 1, 15, 5, 59), utc(2025, 1, 15, 6, 0)),
    (utc(2025, 1, 15, 6, 0), utc(2025, 1, 16, 6, 0)),      # exactly at the slot: the next one (strictly after)
    (utc(2025, 1, 15, 23, 30), utc(2025, 1, 16, 6, 0)),
    # UTC+2 in July: 05:00 UTC
    (utc(2025, 7, 15, 4, 0), utc(2025, 7, 15, 5, 0)),
])
def test_daily_at_a_wall_clock_time_in_the_schedules_zone(after, expected):
    assert next_run_after("daily", None, "07:00", "Europe/Paris", after) == expected


def test_the_local_date_is_the_zones_not_utcs():
    # 23:30 UTC on the 15th is 08:30 on the 16th in Tokyo (UTC+9): today's 07:00 there has passed -> the 17th, 07:00
    # JST = 22:00 UTC on the 16th
    assert next_run_after("daily", None, "07:00", "Asia/Tokyo", utc(2025, 1, 15, 23, 30)) == utc(2025, 1, 16, 22, 0)


@pytest.mark.parametrize(("after", "expected"), [
    (utc(2025, 1, 15, 12, 0), utc(2025, 1, 20, 12, 0)),   # a Wednesday -> Monday 20th, 07:00 EST = 12:00 UTC
    (utc(2025, 1, 20, 11, 59), utc(2025, 1, 20, 12, 0)),  # Monday before 07:00 New York -> that day
    (utc(2025, 1, 20, 12, 0), utc(2025, 1, 27, 12, 0)),   # Monday at 07:00 -> a week later
])
def test_weekly_on_a_day_at_a_time(after, expected):
    assert next_run_after("weekly", 0, "07:00", "America/New_York", after) == expected


def test_a_schedule_is_due_from_its_slot_on_and_a_claim_moves_it_on_once(store):
    created = utc(2025, 3, 3, 9, 0)  # a Monday
    made = add_schedule(store, name="Weekly churn", search="https://x/?tab=overview&risk=High",
                        recipients="ana@example.com; bo@example.org ana@example.com", frequency="weekly",
                        weekday="fri", time_of_day="8:30", timezone="UTC", now=created)
    assert made.search == "?tab=overview&risk=High" and made.recipients == ("ana@example.com", "bo@example.org")
    assert made.next_run_at == utc(2025, 3, 7, 8, 30) and made.when() == "weekly on Friday at 08:30 (UTC)"
    assert due_schedules(store, utc(2025, 3, 7, 8, 29)) == []
    [due] = due_schedules(store, utc(2025, 3, 7, 8, 30))
    later = due.next_after(utc(2025, 3, 7, 8, 31))
    assert later == utc(2025, 3, 14, 8, 30)
    assert claim_schedule(store, due, later) is True
    assert claim_schedule(store, due, later) is False  # the same row read before the first claim: not ours
    assert due_schedules(store, utc(2025, 3, 7, 8, 31)) == []
    assert list_schedules(store)[0].next_run_at == later


def test_the_default_zone_is_the_servers(store, monkeypatch):
    monkeypatch.setenv("TZ", "Asia/Kolkata")
    assert local_zone_name() == "Asia/Kolkata"
    made = add_schedule(store, name="n", search="?tab=support", recipients="a@example.com", frequency="daily",
                        now=utc(2025, 1, 1, 0, 0))
    assert made.timezone == "Asia/Kolkata" and made.next_run_at == utc(2025, 1, 1, 1, 30)  # 07:00 IST = 01:30 UTC
    monkeypatch.setenv("TZ", "Not/A_Zone")
    assert local_zone_name() != "Not/A_Zone"


@pytest.mark.parametrize(("changes", "message"), [
    ({"recipients": "ana@example.com, bob"}, "not an email address: 'bob'"),
    ({"recipients": "a@b, c@@d.com"}, "not email addresses: 'a@b', 'c@@d.com'"),
    ({"recipients": "  "}, "at least one recipient"),
    ({"time_of_day": "25:00"}, "HH:MM"),
    ({"timezone": "Mars/Olympus"}, "unknown time zone"),
    ({"frequency": "hourly"}, "daily or weekly"),
    ({"frequency": "weekly", "weekday": "someday"}, "day must be one of"),
    ({"name": "  "}, "name"),
])
def test_what_a_user_types_is_checked_with_a_clear_message(store, changes, message):
    values = {"name": "r", "search": "?tab=support", "recipients": "a@example.com", "frequency": "daily", **changes}
    with pytest.raises(ValueError, match=message.replace("(", r"\(")):
        add_schedule(store, **values)
    assert list_schedules(store) == []


def test_recipient_lists_split_on_commas_semicolons_and_lines():
    assert parse_recipients(["a@example.com,b@example.org", "c.d+x@sub.example.co.uk\ne@example.com"]) == (
        "a@example.com", "b@example.org", "c.d+x@sub.example.co.uk", "e@example.com")
    assert len(parse_recipients(", ".join(f"u{i}@example.com" for i in range(50)))) == 50
    with pytest.raises(ValueError, match="at most 50"):
        parse_recipients(", ".join(f"u{i}@example.com" for i in range(51)))


def test_weekly_slots_are_a_week_apart_across_a_dst_change_in_local_time():
    first = next_run_after("weekly", 6, "09:00", "Europe/London", utc(2025, 3, 24, 0, 0))  # Sunday 30 March: BST
    before = next_run_after("weekly", 6, "09:00", "Europe/London", first - timedelta(days=7))
    assert (before, first) == (utc(2025, 3, 23, 9, 0), utc(2025, 3, 30, 8, 0))  # 09:00 GMT, then 09:00 BST


def test_jobs_keep_their_owner_and_an_owner_lists_and_deletes_only_theirs(store):
    def schedule(name: str, owner: str | None) -> int:
        return add_schedule(store, name=name, search="?tab=support", recipients="a@example.com", frequency="daily",
                            owner=owner).id

    def alert(name: str, owner: str | None) -> int:
        return add_alert(store, name=name, metric="interactions", operator="above", threshold=1,
                         search="?tab=overview", recipients="a@example.com", owner=owner).id

    cara, ann, cli = schedule("cara's", "cara"), schedule("ann's", "ann"), schedule("from the CLI", None)
    assert [(s.name, s.owner) for s in list_schedules(store)] == [("cara's", "cara"), ("ann's", "ann"),
                                                                  ("from the CLI", None)]
    assert [s.id for s in list_schedules(store, owner="cara")] == [cara]
    assert remove_schedule(store, ann, owner="cara") is False and remove_schedule(store, cli, owner="cara") is False
    assert remove_schedule(store, cara, owner="cara") is True
    assert remove_schedule(store, ann) is True  # no owner given: any schedule (an unscoped user, the CLI)
    assert [s.id for s in list_schedules(store)] == [cli]
    mine, theirs = alert("cara's", "cara"), alert("ann's", "ann")
    assert [(a.id, a.owner) for a in list_alerts(store, owner="cara")] == [(mine, "cara")]
    assert remove_alert(store, theirs, owner="cara") is False and remove_alert(store, mine, owner="cara") is True
    assert [a.id for a in list_alerts(store)] == [theirs]
