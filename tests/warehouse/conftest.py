"""Fixtures of the warehouse tests: one real PostgreSQL server for the whole test session (tests/pgserver.py)."""

from __future__ import annotations

import pytest

from tests.pgserver import find_bindir, started_server


@pytest.fixture(scope="session")
def pg_server():
    """A running PostgreSQL server on 127.0.0.1, stopped (and its files removed) when the session ends."""
    if find_bindir() is None:
        pytest.skip("no PostgreSQL server binaries (initdb, pg_ctl) on this machine: "
                    "install them with scripts/system-packages.sh test")
    server = started_server()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def pg_url(pg_server) -> str:
    """SQLAlchemy URL of the test server's `postgres` database (superuser, no password)."""
    return pg_server.url
