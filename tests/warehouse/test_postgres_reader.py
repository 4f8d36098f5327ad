"""A dropped PostgreSQL connection: the query is run once more on a new connection, and a warehouse that stays out
of reach is a clear WarehouseUnavailable, not a driver's stack trace. The connection goes through a small TCP relay
on 127.0.0.1 that cuts it the moment a query's text passes (the real server, the real driver, a real cut)."""

from __future__ import annotations

import contextlib
import socket
import threading

import pytest
import sqlalchemy as sa

from warehouse.cache import QueryCache
from warehouse.filters import Filters
from warehouse.reader import PostgresReader, WarehouseUnavailable


class CuttingRelay:
    """Relays 127.0.0.1:<port> to the PostgreSQL server; while `cuts` > 0, a connection whose client sends bytes
    containing `marker` is closed at once (both sides) and `cuts` goes down by one."""

    def __init__(self, host: str, port: int, marker: bytes) -> None:
        self.target, self.marker, self.cuts, self.cut = (host, port), marker, 0, 0
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            server = socket.create_connection(self.target)
            threading.Thread(target=self._pipe, args=(client, server, True), daemon=True).start()
            threading.Thread(target=self._pipe, args=(server, client, False), daemon=True).start()

    def _pipe(self, source: socket.socket, sink: socket.socket, from_client: bool) -> None:
        with contextlib.suppress(OSError):
            while data := source.recv(65536):
                if from_client and self.cuts > 0 and self.marker in data:
                    self.cuts -= 1
                    self.cut += 1
                    break
                sink.sendall(data)
        for end in (source, sink):
            with contextlib.suppress(OSError):
                end.shutdown(socket.SHUT_RDWR)
            end.close()

    def close(self) -> None:
        self.listener.close()


@pytest.fixture(scope="module")
def warehouse_url(prd100_both) -> str:
    """The session's PostgreSQL warehouse of the 100-customer PRD sample (tests/conftest.py), which these tests only
    read: a load of their own would cost a PostgreSQL load (8-10 s)."""
    return prd100_both.pg.warehouse_url


def customers(url: str, risk: str) -> int:
    """Counted in the warehouse directly, not through the reader."""
    engine = sa.create_engine(sa.make_url(url).set(drivername="postgresql+psycopg"))
    with engine.connect() as conn:
        found = conn.execute(sa.text("select count(*) from analytics.customer_dimensions "
                                     "where churn_risk = :risk"), {"risk": risk}).scalar_one()
    engine.dispose()
    return found


@pytest.fixture()
def relayed(warehouse_url, tmp_path):
    url = sa.make_url(warehouse_url)
    relay = CuttingRelay(url.host, url.port or 5432, b"customer_dimensions")
    reader = PostgresReader(url.set(host="127.0.0.1", port=relay.port).render_as_string(hide_password=False),
                            QueryCache(tmp_path / "cache"), tmp_path)
    yield relay, reader, warehouse_url
    reader.close()
    relay.close()


def test_a_connection_cut_during_a_query_is_retried_on_a_new_one(relayed, caplog):
    relay, reader, _url = relayed
    everyone = reader.query("segmentation/persona_distribution", Filters())
    assert int(everyone["customers"].sum()) == 100  # the PRD sample's customers, through the relay
    relay.cuts = 1
    low = reader.query("segmentation/persona_distribution", Filters(churn_risks=("Low",)))
    assert relay.cut == 1  # the first attempt was cut mid-query ...
    assert int(low["customers"].sum()) == customers(relayed[2], "Low")  # ... and the second answered
    assert "retrying once on a new connection" in caplog.text


def test_a_warehouse_out_of_reach_is_a_clear_error(relayed):
    relay, reader, _url = relayed
    relay.cuts = 2  # the query and its retry
    with pytest.raises(WarehouseUnavailable, match=r"cannot reach the warehouse postgresql\+psycopg://.*127\.0\.0\.1"):
        reader.query("segmentation/persona_distribution", Filters(churn_risks=("Medium",)))
    assert relay.cut == 2
    relay.cuts = 0  # back: the next query works without a restart
    medium = reader.query("segmentation/persona_distribution", Filters(churn_risks=("Medium",)))
    assert int(medium["customers"].sum()) == customers(relayed[2], "Medium")
