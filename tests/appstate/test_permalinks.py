"""Permalinks on a real SQLite app database: same query string -> same code, codes that cannot be misread, junk codes
rejected before the database is asked."""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import select, text

from appstate import AppStore, create_permalink, resolve_permalink
from appstate.tables import permalinks

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
