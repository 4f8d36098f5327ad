"""The current schema of the app-state database, for queries. Migrations (appstate/migrations.py) create it; change
both together (a new step there, the new columns here)."""

from __future__ import annotations

from sqlalchemy import Boolean, Column, Float, Integer, MetaData, String, Table, Text, UniqueConstraint

from appstate.db import UtcDateTime

metadata = MetaData()

permalinks = Table(
    "permalinks", metadata,
    Column("code", String(16), primary_key=True),
    Column("search", Text, nullable=False),              # the dashboard query string, without the "?"
    Column("search_sha256", String(64), nullable=False),  # plain links: same query string -> same code (unique
    Column("created_at", UtcDateTime, nullable=False),    # where password_hash is NULL, migration step 5)
    Column("last_used_at", UtcDateTime),
    Column("created_by", String(64)),                    # username ("local" with sign-in off); NULL before step 5
    Column("password_hash", Text),                       # argon2id of the link's password; NULL = no password
    Column("failed_attempts", Integer, nullable=False, default=0),  # wrong passwords since the last lock
    Column("locked_until", UtcDateTime),
)

schedules = Table(
    "schedules", metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(200), nullable=False),
    Column("search", Text, nullable=False),              # the saved view: a dashboard query string
    Column("recipients", Text, nullable=False),          # "a@x.com, b@y.com"
    Column("frequency", String(10), nullable=False),     # daily | weekly
    Column("weekday", Integer),                          # weekly: 0 = Monday ... 6 = Sunday
    Column("time_of_day", String(5), nullable=False),    # HH:MM in `timezone`
    Column("timezone", String(64), nullable=False),      # IANA name, e.g. Europe/Paris
    Column("enabled", Boolean, nullable=False, default=True),
    Column("next_run_at", UtcDateTime, nullable=False),  # due when <= now; moved on by the run that claims it
    Column("last_run_at", UtcDateTime),
    Column("last_status", String(10)),                   # sent | failed
    Column("last_error", Text),
    Column("created_at", UtcDateTime, nullable=False),
    Column("owner", String(64)),                         # username that made it; runs with their account scope
)

alerts = Table(
    "alerts", metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(200), nullable=False),
    Column("metric", String(64), nullable=False),        # an id of config/rules.toml [alerts] metrics
    Column("operator", String(10), nullable=False),      # above | below
    Column("threshold", Float, nullable=False),
    Column("search", Text, nullable=False),              # the saved view whose filters the metric is computed with
    Column("recipients", Text, nullable=False),
    Column("enabled", Boolean, nullable=False, default=True),
    Column("state", String(10), nullable=False, default="new"),  # new | clear | fired | retry (appstate/alerts.py)
    Column("last_value", Float),
    Column("checked_version", String(64)),               # warehouse version of the last check (None: check again)
    Column("last_checked_at", UtcDateTime),
    Column("last_fired_at", UtcDateTime),
    Column("last_error", Text),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Column("owner", String(64)),                         # as schedules.owner
)

deliveries = Table(
    "deliveries", metadata,
    Column("id", Integer, primary_key=True),
    Column("kind", String(10), nullable=False),          # schedule | alert
    Column("job_id", Integer, nullable=False),
    Column("job_name", String(200), nullable=False),
    Column("recipients", Text, nullable=False),
    Column("subject", Text, nullable=False),
    Column("status", String(10), nullable=False),        # sent | failed
    Column("error", Text),
    Column("size_bytes", Integer),
    Column("created_at", UtcDateTime, nullable=False),
)

users = Table(
    "users", metadata,
    Column("id", Integer, primary_key=True),
    Column("username", String(64), nullable=False, unique=True),  # stored lower-case: unique case-insensitively
    Column("display_name", String(200), nullable=False),
    Column("password_hash", Text, nullable=False),       # argon2id (argon2-cffi's PHC string); never the password
    Column("role", String(10), nullable=False),          # viewer | analyst | admin
    Column("csm_scope", Text),                           # the csm_owner whose accounts the user sees; NULL = all
    Column("disabled", Boolean, nullable=False, default=False),
    Column("failed_logins", Integer, nullable=False, default=0),  # consecutive wrong passwords since the last lock
    Column("locked_until", UtcDateTime),
    Column("session_epoch", Integer, nullable=False, default=0),  # +1 voids every signed-in session
    Column("created_at", UtcDateTime, nullable=False),
    Column("last_login_at", UtcDateTime),
)

audit_log = Table(
    "audit_log", metadata,
    Column("id", Integer, primary_key=True),
    Column("at", UtcDateTime, nullable=False),
    Column("username", String(64)),                      # NULL: a sign-in attempt with an unknown name
    Column("action", String(64), nullable=False),        # signin, signout, export, permalink.create, ...
    Column("detail", Text, nullable=False, default=""),
    Column("remote_addr", String(64)),
    Column("outcome", String(10), nullable=False),       # ok | denied | failed
)

feedback = Table(
    "feedback", metadata,
    Column("id", Integer, primary_key=True),
    Column("at", UtcDateTime, nullable=False),
    Column("username", String(64)),                      # who sent it ("local" with sign-in off)
    Column("tab", String(32), nullable=False),           # the tab it was sent from
    Column("search", Text, nullable=False),              # the view: the dashboard's query string, with the filters
    Column("rating", Integer, nullable=False),           # 1 (poor) .. 5 (very useful)
    Column("comment", Text, nullable=False, default=""),
)

user_preferences = Table(
    "user_preferences", metadata,
    Column("username", String(64), primary_key=True),    # "local" with sign-in off
    Column("default_tab", String(32)),                   # a tab id; NULL = Overview
    Column("default_range", String(32)),                 # a date preset id; NULL = the product's default
    Column("colour_scheme", String(32)),                 # a chart colour scheme id; NULL = the default
    Column("number_format", String(16)),                 # a number format id; NULL = the default
    Column("updated_at", UtcDateTime, nullable=False),
)

presets = Table(
    "presets", metadata,
    Column("id", Integer, primary_key=True),
    Column("owner", String(64), nullable=False),         # username ("local" with sign-in off)
    Column("name", String(100), nullable=False),         # unique per owner
    Column("search", Text, nullable=False),              # the dashboard query string, without the "?"
    Column("shared", Boolean, nullable=False, default=False),  # visible to every user (analysts and admins share)
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    UniqueConstraint("owner", "name", name="uq_presets_owner_name"),
)
