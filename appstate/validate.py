"""Checks of what a user types for a schedule or an alert (CLI and dashboard share them): email addresses, time of
day, time zone. Each raises ValueError with a message that can be shown as it is."""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Iterable
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

# Deliberately plain (no quoted local parts, no IP literals): what people type for a colleague's address.
EMAIL = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
                   r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+")
TIME_OF_DAY = re.compile(r"([01]?\d|2[0-3]):([0-5]\d)")
MAX_RECIPIENTS = 50
MAX_SEARCH_CHARS = 16_000


def query_string(search: str) -> str:
    """The query string of a dashboard view given as "?tab=...", "tab=..." or a whole URL, without the "?"."""
    if not isinstance(search, str):
        raise TypeError("a view is a query string")
    search = search.strip()
    if "://" in search:
        search = search.split("?", 1)[1] if "?" in search else ""
    query = search.split("#", 1)[0].removeprefix("?")
    if len(query) > MAX_SEARCH_CHARS:
        raise ValueError(f"the view is too long to store ({len(query):,} characters; at most {MAX_SEARCH_CHARS:,})")
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in query):
        raise ValueError("a query string cannot hold control characters")
    return query


def parse_recipients(values: str | Iterable[str] | None) -> tuple[str, ...]:
    """Addresses from a text ("a@x.com, b@y.com; c@z.com", one per line, ...) or a list of such texts; duplicates
    dropped, order kept. ValueError names every address that is not one."""
    texts = [values] if isinstance(values, str) else list(values or [])
    found = [part for text in texts for part in re.split(r"[\s,;]+", text or "") if part]
    bad = [part for part in found if not EMAIL.fullmatch(part) or ".." in part]
    if bad:
        shown = ", ".join(f"'{b[:60]}'" for b in bad[:5])
        raise ValueError(f"not an email address: {shown}" if len(bad) == 1 else f"not email addresses: {shown}")
    unique = tuple(dict.fromkeys(found))
    if not unique:
        raise ValueError("give at least one recipient email address")
    if len(unique) > MAX_RECIPIENTS:
        raise ValueError(f"at most {MAX_RECIPIENTS} recipients")
    return unique


def parse_time_of_day(value: str | None) -> str:
    """'7:00', '07:00' -> '07:00'."""
    match = TIME_OF_DAY.fullmatch((value or "").strip())
    if not match:
        raise ValueError(f"time of day must be HH:MM (24-hour clock), got {value!r}")
    return f"{int(match[1]):02d}:{match[2]}"


def check_timezone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {name!r} (an IANA name such as Europe/Paris or UTC)") from None
    return name


def local_zone_name() -> str:
    """The server's own time zone as an IANA name: $TZ, else the zone /etc/localtime points to, else /etc/timezone,
    else UTC. The default zone of a schedule."""
    candidates = [os.environ.get("TZ", "").lstrip(":")]
    link = os.path.realpath("/etc/localtime")
    if "zoneinfo/" in link:
        candidates.append(link.split("zoneinfo/", 1)[1])
    with contextlib.suppress(OSError):
        candidates.append(Path("/etc/timezone").read_text().strip())
    for name in candidates:
        if name:
            try:
                return check_timezone(name)
            except ValueError:
                continue
    return "UTC"
