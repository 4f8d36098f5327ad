"""App state (issue 6, and issue 8's foundation): permalinks, scheduled reports, KPI alerts and the log of what was
emailed, users and the audit log, in their own small database through SQLAlchemy Core (SQLite file by default,
PostgreSQL when configured), separate from the warehouse so that a warehouse rebuild never loses them. Schema
migrations: appstate/migrations.py.
"""

from appstate.db import AppStateError, AppStore, open_store
from appstate.permalinks import create_permalink, resolve_permalink

__all__ = ["AppStateError", "AppStore", "create_permalink", "open_store", "resolve_permalink"]
