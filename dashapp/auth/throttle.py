"""A limit on failed sign-ins per network address (docs/security.md): the account lock-out stops one account's
password being guessed, but anyone could lock a known account by failing its password on purpose, and nothing
stopped one address from trying many usernames. After `attempts` failed sign-ins from one address within a sliding
window of `window`, that address's sign-ins are refused (429, Retry-After) until the oldest of them leaves the window;
refused tries are not checked against any account, so they lock nobody out.

In-process on purpose (no schema, no shared store): each server process counts on its own, so with N workers an
address gets at most N times the limit. The address is the one the server sees: behind a reverse proxy, the proxy's
(every user then shares one limit), unless the deployment sets up werkzeug's ProxyFix.
"""

from __future__ import annotations

import math
import threading
from collections import OrderedDict, deque
from datetime import datetime, timedelta

MAX_ADDRESSES = 10_000  # addresses remembered at most: a flood of addresses cannot grow the memory without end


class SignInThrottle:
    def __init__(self, attempts: int, window: timedelta, max_addresses: int = MAX_ADDRESSES) -> None:
        self.attempts = attempts
        self.window = window
        self.max_addresses = max_addresses
        # address -> times of its latest failures (at most `attempts`), the address failed longest ago first
        self._failures: OrderedDict[str, deque[datetime]] = OrderedDict()
        self._lock = threading.Lock()

    def retry_after(self, address: str, now: datetime) -> int:
        """Seconds until `address` may try to sign in again; 0: it may now."""
        with self._lock:
            times = self._failures.get(address)
            if times is None or len(times) < self.attempts:
                return 0
            wait = (times[0] + self.window - now).total_seconds()
            return math.ceil(wait) if wait > 0 else 0

    def failed(self, address: str, now: datetime) -> bool:
        """Count a failed sign-in; True when it is the one that reaches the limit (the address is refused from now)."""
        with self._lock:
            times = self._failures.pop(address, None) or deque(maxlen=self.attempts)
            while times and times[0] <= now - self.window:
                times.popleft()
            times.append(now)
            self._failures[address] = times  # moved to the end: the most recently failed
            while len(self._failures) > self.max_addresses:
                self._failures.popitem(last=False)  # the address that failed longest ago is forgotten
            return len(times) == self.attempts
