"""The server the bench's load test runs against: `customer-insight serve` started on a free port, answering, and
stopped with its whole process group (gunicorn's master and its workers)."""

from __future__ import annotations

import http.client
import os
import time
import urllib.parse
import urllib.request

import pytest

from bench.server import serving


def test_serving_starts_answers_and_stops(prd_settings):
    with serving(prd_settings, workers=2) as (url, pid):
        with urllib.request.urlopen(url + "/", timeout=30) as response:
            assert response.status == 200
        # a browser's connection stays open across a user's pause between clicks (gunicorn's default: 2 s)
        connection = http.client.HTTPConnection(urllib.parse.urlsplit(url).netloc, timeout=30)
        connection.request("GET", "/_dash-layout")
        first = connection.getresponse()
        first.read()
        socket = connection.sock
        time.sleep(4)
        connection.request("GET", "/_dash-layout")
        assert connection.getresponse().status == 200 and connection.sock is socket  # the same connection
        connection.close()
        assert os.getpgid(pid) == pid  # a process group of its own, so that stopping it reaches every worker
        deadline = time.monotonic() + 30  # the server answers once its first worker is up: the second may follow
        while len(_members(pid)) < 3 and time.monotonic() < deadline:
            time.sleep(0.2)
        assert len(_members(pid)) >= 3  # the master and two workers
    assert not _members(pid)
    with pytest.raises(OSError):
        urllib.request.urlopen(url + "/", timeout=5)


def _members(group: int) -> list[str]:
    return [entry for entry in os.listdir("/proc") if entry.isdigit() and _group(int(entry)) == group]


def _group(pid: int) -> int | None:
    try:
        return os.getpgid(pid)
    except ProcessLookupError:
        return None
