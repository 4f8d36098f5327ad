"""Short permalinks for dashboard views: a code of 9 characters stands for a query string stored on the server, for
states too long to share as a URL. The same query string always gets the same code.

Codes come from `secrets` over an alphabet without look-alike characters (no 0/O/o, 1/l/I/i), so a code read aloud
or copied from paper comes out right; 55^9 ≈ 4.6e15 codes, which cannot be enumerated. A string that cannot be a
code is rejected before the database is asked.
"""

from __future__ import annotations

import hashlib
import re
import secrets

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError

from appstate.db import AppStore, utc_now
from appstate.tables import permalinks
from appstate.validate import query_string

ALPHABET = "23456789abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ"
CODE_LENGTH = 9
CODE_PATTERN = re.compile(f"[{ALPHABET}]{{8,10}}")  # 8-10 accepted: room to change the length later
_ATTEMPTS = 5


def create_permalink(store: AppStore, search: str) -> str:
    """The code of a dashboard query string ("?tab=...", "tab=..." or a whole URL), created on first use."""
    query = query_string(search)
    digest = hashlib.sha256(query.encode()).hexdigest()
    for _ in range(_ATTEMPTS):
        found = _code_of(store, digest)
        if found:
            return found
        code = "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))
        try:
            with store.engine.begin() as conn:
                conn.execute(insert(permalinks).values(code=code, search=query, search_sha256=digest,
                                                       created_at=utc_now()))
            return code
        except IntegrityError:
            continue  # the same query string stored meanwhile by another request (found above), or a code clash
    raise RuntimeError("could not store the permalink")  # five clashes in 4.6e15: the database is broken


def resolve_permalink(store: AppStore, code: str) -> str | None:
    """The query string ("?tab=...") of a code, or None for an unknown or malformed code."""
    if not isinstance(code, str) or not CODE_PATTERN.fullmatch(code):
        return None
    with store.engine.begin() as conn:
        query = conn.execute(select(permalinks.c.search).where(permalinks.c.code == code)).scalar_one_or_none()
        if query is None:
            return None
        conn.execute(update(permalinks).where(permalinks.c.code == code).values(last_used_at=utc_now()))
    return f"?{query}"


def _code_of(store: AppStore, digest: str) -> str | None:
    with store.engine.begin() as conn:
        return conn.execute(select(permalinks.c.code).where(permalinks.c.search_sha256 == digest,
                                                            permalinks.c.password_hash.is_(None))).scalar_one_or_none()
