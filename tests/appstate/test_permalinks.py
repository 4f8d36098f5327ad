"""Permalinks on a real SQLite app database: same query string -> same code, codes that cannot be misread, junk codes
rejected before the database is asked; links with a password (one row each, argon2id, the lock after 5 wrong
passwords)."""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select, text

from appstate import AppStore, create_permalink, resolve_permalink
from appstate.permalinks import (
    Opened,
    ProtectedPermalink,
    create_protected_permalink,
    get_permalink,
    open_protected,
)
from appstate.tables import permalinks
from appstate.users import UserError

LOOK_ALIKES = set("0Oo1lIi")


def test_a_view_round_trips_and_the_same_view_gets_the_same_code(store):
    search = "?tab=support&range=30d&risk=High&risk=Medium&lang=fr"
    code = create_permalink(store, search)
    assert resolve_permalink(store, code) == search
    # the same view written as a query string without "?" or as a whole dashboard URL: the same code
    assert create_permalink(store, "tab=support&range=30d&risk=High&risk=Medium&lang=fr") == code
    assert create_permalink(store, f"https://insight.example.com/{search}") == code
    other = create_permalink(store, "?tab=support&range=90d&risk=High&risk=Medium&lang=fr")
    assert other != code and resolve_permalink(store, other) == "?tab=support&range=90d&risk=High&risk=Medium&lang=fr"
    with store.engine.connect() as conn:
        assert len(conn.execute(select(permalinks.c.code)).scalars().all()) == 2


def test_codes_are_short_url_safe_and_without_look_alike_characters(store):
    codes = {create_permalink(store, f"?tab=overview&customer=C{i}") for i in range(200)}
    assert len(codes) == 200
    assert all(re.fullmatch(r"[A-Za-z0-9]{8,10}", code) for code in codes)
    assert not LOOK_ALIKES & set("".join(codes))


def test_a_long_state_is_stored_and_an_oversized_or_control_character_one_is_refused(store):
    long_view = "?tab=overview&" + "&".join(f"persona=P{i}" for i in range(600))  # ~6,000 characters
    assert resolve_permalink(store, create_permalink(store, long_view)) == long_view
    with pytest.raises(ValueError, match="too long"):
        create_permalink(store, "?tab=overview&x=" + "a" * 20_000)
    with pytest.raises(ValueError, match="control characters"):
        create_permalink(store, "?tab=overview\n&x=1")


def test_unknown_codes_are_none_and_junk_never_reaches_the_database(store):
    create_permalink(store, "?tab=product")
    assert resolve_permalink(store, "abcdefghj") is None  # well-formed, unknown
    with store.engine.begin() as conn:
        conn.execute(text("drop table permalinks"))  # from here on any query of the table fails
    for junk in ["", "short", "x" * 11, "abc/../de", "abcd'--xx", "abcdefgh\n", "O0O0O0O0O", "ab cd efg", None, 12345]:
        assert resolve_permalink(store, junk) is None, junk
    with pytest.raises(Exception, match="permalinks"):
        resolve_permalink(store, "abcdefghj")  # the same call with a well-formed code does ask the database


def test_resolving_records_the_last_use(store):
    code = create_permalink(store, "?tab=usage")
    with store.engine.connect() as conn:
        assert conn.execute(select(permalinks.c.last_used_at)).scalar_one() is None
    resolve_permalink(store, code)
    with store.engine.connect() as conn:
        created, used = conn.execute(select(permalinks.c.created_at, permalinks.c.last_used_at)).one()
    assert used is not None and used >= created and used.tzinfo is not None


def test_concurrent_shares_of_one_view_get_one_code(tmp_path):
    url = f"sqlite:///{tmp_path / 'app.db'}"
    stores = [AppStore(url) for _ in range(4)]  # four processes' worth of engines on one file
    with ThreadPoolExecutor(8) as pool:
        codes = set(pool.map(lambda i: create_permalink(stores[i % 4], "?tab=retention&range=ytd"), range(16)))
    assert len(codes) == 1
    for s in stores:
        s.close()


SECRET = "blue-harbour-42"
T0 = datetime(2025, 5, 1, 9, 0, tzinfo=UTC)


def test_a_protected_link_is_a_row_of_its_own_with_an_argon2id_hash(store):
    view = "?tab=support&risk=High"
    plain = create_permalink(store, view, created_by="ann")
    first = create_protected_permalink(store, view, SECRET, created_by="ann")
    second = create_protected_permalink(store, view, "another-password", created_by="bob")
    assert len({plain, first, second}) == 3  # never the plain code, and a new code each time
    assert create_permalink(store, view) == plain  # the plain link of the view is still the one plain code
    with store.engine.connect() as conn:
        rows = {r.code: r for r in conn.execute(select(permalinks))}
    assert rows[plain].password_hash is None and rows[plain].created_by == "ann"
    stored = rows[first].password_hash
    assert stored.startswith("$argon2id$") and SECRET not in stored and PasswordHasher().verify(stored, SECRET)
    assert (rows[first].created_by, rows[second].created_by) == ("ann", "bob")
    assert rows[first].search == rows[second].search == "tab=support&risk=High"


def test_a_protected_code_gives_its_view_only_with_the_password(store):
    code = create_protected_permalink(store, "?tab=churn&range=90d", SECRET, created_by="ann")
    with pytest.raises(ProtectedPermalink, match=f"permalink '{code}' is protected by a password"):
        resolve_permalink(store, code)
    link = get_permalink(store, code)
    assert link.protected and link.search == "?tab=churn&range=90d"
    assert open_protected(store, code, "blue-harbour-41", now=T0)[0] is Opened.WRONG
    opened, link = open_protected(store, code, SECRET, now=T0)
    assert opened is Opened.OK and link.search == "?tab=churn&range=90d" and link.failed_attempts == 0
    assert open_protected(store, create_permalink(store, "?tab=churn"), SECRET, now=T0) == (Opened.UNKNOWN, None)
    assert open_protected(store, "abcdefghj", SECRET, now=T0) == (Opened.UNKNOWN, None)


def test_a_short_password_is_refused_and_nothing_is_stored(store):
    with pytest.raises(UserError, match="at least 8 characters"):
        create_protected_permalink(store, "?tab=overview", "1234567", created_by="ann")
    with store.engine.connect() as conn:
        assert conn.execute(select(permalinks.c.code)).all() == []


def test_five_wrong_passwords_lock_the_link_for_15_minutes_even_for_the_right_one(store):
    code = create_protected_permalink(store, "?tab=usage", SECRET, created_by="ann")
    found = [open_protected(store, code, f"wrong-{i}-password", now=T0 + timedelta(seconds=i)) for i in range(5)]
    assert [opened for opened, _ in found] == [Opened.WRONG] * 4 + [Opened.LOCKS]
    assert [link.failed_attempts for _, link in found] == [1, 2, 3, 4, 0]  # counted, then the count starts again
    locked_until = T0 + timedelta(seconds=4, minutes=15)  # the fifth failure was at T0 + 4 s
    assert found[-1][1].locked_until == locked_until
    assert open_protected(store, code, SECRET, now=locked_until - timedelta(seconds=1))[0] is Opened.LOCKED
    assert get_permalink(store, code).failed_attempts == 0  # a try while locked is not even counted
    opened, link = open_protected(store, code, SECRET, now=locked_until + timedelta(seconds=1))
    assert opened is Opened.OK and link.locked_until is None


def test_a_right_password_resets_the_count_of_wrong_ones(store):
    code = create_protected_permalink(store, "?tab=usage", SECRET, created_by="ann")
    for i in range(3):
        open_protected(store, code, "not it at all", now=T0 + timedelta(seconds=i))
    assert get_permalink(store, code).failed_attempts == 3
    opened, link = open_protected(store, code, SECRET, now=T0 + timedelta(seconds=5))
    assert opened is Opened.OK and link.failed_attempts == 0
