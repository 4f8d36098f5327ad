"""Deployment settings, read from the environment once per command.

The warehouse location is one setting, CUSTOMER_INSIGHT_WAREHOUSE_URL (a SQLAlchemy URL). Without it,
the warehouse is a DuckDB file in the data folder (CUSTOMER_INSIGHT_DATA_DIR, default ./data).
App state (permalinks, schedules, alerts, deliveries) lives in its own database, CUSTOMER_INSIGHT_APP_DB_URL
(default: the SQLite file app.db in the data folder), which a warehouse rebuild never touches. Email (scheduled
reports, alerts) goes through the SMTP server of CUSTOMER_INSIGHT_SMTP_* (docs/schedules.md). Sign-in, roles and the
audit log: CUSTOMER_INSIGHT_AUTH and the settings after it (docs/security.md).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.engine import make_url

WAREHOUSE_URL_ENV = "CUSTOMER_INSIGHT_WAREHOUSE_URL"
DATA_DIR_ENV = "CUSTOMER_INSIGHT_DATA_DIR"
PROVIDER_URL_ENV = "CUSTOMER_INSIGHT_LLM_URL"
PROVIDER_MODEL_ENV = "CUSTOMER_INSIGHT_LLM_MODEL"
PROVIDER_KEY_ENV = "CUSTOMER_INSIGHT_LLM_API_KEY"
APP_DB_URL_ENV = "CUSTOMER_INSIGHT_APP_DB_URL"
BASE_URL_ENV = "CUSTOMER_INSIGHT_BASE_URL"
SMTP_HOST_ENV = "CUSTOMER_INSIGHT_SMTP_HOST"
SMTP_PORT_ENV = "CUSTOMER_INSIGHT_SMTP_PORT"
SMTP_USER_ENV = "CUSTOMER_INSIGHT_SMTP_USER"
SMTP_PASSWORD_ENV = "CUSTOMER_INSIGHT_SMTP_PASSWORD"
SMTP_FROM_ENV = "CUSTOMER_INSIGHT_SMTP_FROM"
SMTP_STARTTLS_ENV = "CUSTOMER_INSIGHT_SMTP_STARTTLS"
SCHEDULER_ENV = "CUSTOMER_INSIGHT_SCHEDULER"
REPORTS_READY_ENV = "CUSTOMER_INSIGHT_REPORTS_READY"
AUTH_ENV = "CUSTOMER_INSIGHT_AUTH"
SECRET_KEY_ENV = "CUSTOMER_INSIGHT_SECRET_KEY"
LOCKOUT_ATTEMPTS_ENV = "CUSTOMER_INSIGHT_LOCKOUT_ATTEMPTS"
LOCKOUT_MINUTES_ENV = "CUSTOMER_INSIGHT_LOCKOUT_MINUTES"
THROTTLE_ATTEMPTS_ENV = "CUSTOMER_INSIGHT_THROTTLE_ATTEMPTS"
THROTTLE_MINUTES_ENV = "CUSTOMER_INSIGHT_THROTTLE_MINUTES"
SESSION_IDLE_HOURS_ENV = "CUSTOMER_INSIGHT_SESSION_IDLE_HOURS"
COOKIE_SECURE_ENV = "CUSTOMER_INSIGHT_COOKIE_SECURE"
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


@dataclass(frozen=True)
class Settings:
    warehouse_url: str
    data_dir: Path
    llm_url: str | None = None
    llm_model: str | None = None
    llm_api_key: str | None = field(default=None, repr=False)
    app_db_url: str | None = None           # None: sqlite file app.db in data_dir (see app_db)
    base_url: str | None = None             # the dashboard's public address, for links in emails
    smtp_host: str | None = None
    smtp_port: int | None = None            # None: 587 with STARTTLS, else 25 (465 means implicit TLS)
    smtp_user: str | None = None
    smtp_password: str | None = field(default=None, repr=False)
    smtp_from: str | None = None
    smtp_starttls: bool = True
    scheduler: bool = True                  # the server runs due schedules and alerts itself
    reports_ready: bool = True              # server workers start the reports' browser and workers ahead
    auth: bool = False                      # sign-in and roles; off: everyone is the local admin "local"
    secret_key: str | None = field(default=None, repr=False)  # None: <data_dir>/secret_key, made once
    lockout_attempts: int = 5               # consecutive wrong passwords that lock an account ...
    lockout_minutes: float = 15             # ... for this long
    throttle_attempts: int = 20             # failed sign-ins from one network address that refuse its next ones
    throttle_minutes: float = 10            # ... counted over this sliding window (per server process)
    session_idle_hours: float = 12          # a session unused for this long has to sign in again
    cookie_secure: bool = False             # the session cookie only over HTTPS

    @property
    def secret_key_file(self) -> Path:
        """Where the session-signing key is kept when CUSTOMER_INSIGHT_SECRET_KEY is not set (mode 0600)."""
        return self.data_dir / "secret_key"

    @property
    def backend(self) -> str:
        """The SQLAlchemy backend name: 'duckdb', 'postgresql', 'snowflake', ..."""
        return make_url(self.warehouse_url).get_backend_name()

    @property
    def warehouse_shown(self) -> str:
        """The warehouse URL without its password (a PostgreSQL URL may hold one), for messages and logs."""
        return make_url(self.warehouse_url).render_as_string(hide_password=True)

    @property
    def duckdb_path(self) -> Path | None:
        """The DuckDB file of the warehouse, or None for a server warehouse."""
        if self.backend != "duckdb":
            return None
        database = make_url(self.warehouse_url).database
        if not database or database == ":memory:":
            raise ValueError(f"{WAREHOUSE_URL_ENV} must name a DuckDB file, got {self.warehouse_url!r}")
        return Path(database).expanduser().resolve()

    @property
    def app_db(self) -> str:
        """SQLAlchemy URL of the app-state database (separate from the warehouse: a rebuild never touches it)."""
        return self.app_db_url or f"sqlite:///{self.data_dir / 'app.db'}"

    @property
    def enrichment_cache_dir(self) -> Path:
        """Where enrichment results are cached by text hash (kept across warehouse rebuilds)."""
        return self.data_dir / "enrichment_cache"


def load_settings(environ: dict[str, str] | None = None) -> Settings:
    env = os.environ if environ is None else environ
    data_dir = Path(env.get(DATA_DIR_ENV, "data")).expanduser().resolve()
    url = env.get(WAREHOUSE_URL_ENV) or f"duckdb:///{data_dir / 'warehouse.duckdb'}"
    return Settings(
        warehouse_url=url,
        data_dir=data_dir,
        llm_url=env.get(PROVIDER_URL_ENV) or None,
        llm_model=env.get(PROVIDER_MODEL_ENV) or None,
        llm_api_key=env.get(PROVIDER_KEY_ENV) or None,
        app_db_url=env.get(APP_DB_URL_ENV) or None,
        base_url=env.get(BASE_URL_ENV) or None,
        smtp_host=env.get(SMTP_HOST_ENV) or None,
        smtp_port=_port(env.get(SMTP_PORT_ENV)),
        smtp_user=env.get(SMTP_USER_ENV) or None,
        smtp_password=env.get(SMTP_PASSWORD_ENV) or None,
        smtp_from=env.get(SMTP_FROM_ENV) or None,
        smtp_starttls=_flag(env, SMTP_STARTTLS_ENV, default=True),
        scheduler=_flag(env, SCHEDULER_ENV, default=True),
        reports_ready=_flag(env, REPORTS_READY_ENV, default=True),
        auth=_flag(env, AUTH_ENV, default=False),
        secret_key=env.get(SECRET_KEY_ENV) or None,
        lockout_attempts=int(_number(env, LOCKOUT_ATTEMPTS_ENV, 5, whole=True)),
        lockout_minutes=_number(env, LOCKOUT_MINUTES_ENV, 15),
        throttle_attempts=int(_number(env, THROTTLE_ATTEMPTS_ENV, 20, whole=True)),
        throttle_minutes=_number(env, THROTTLE_MINUTES_ENV, 10),
        session_idle_hours=_number(env, SESSION_IDLE_HOURS_ENV, 12),
        # default: secure cookies when the dashboard's public address is HTTPS
        cookie_secure=_flag(env, COOKIE_SECURE_ENV,
                            default=(env.get(BASE_URL_ENV) or "").strip().lower().startswith("https")),
    )


def _number(env: Mapping[str, str], name: str, default: float, whole: bool = False) -> float:
    value = (env.get(name) or "").strip()
    if not value:
        return default
    try:
        number = int(value) if whole else float(value)
    except ValueError:
        number = 0
    if not number > 0 or number != number or number == float("inf"):
        raise ValueError(f"{name} must be a positive {'whole ' if whole else ''}number, got {value!r}")
    return number


def _flag(env: Mapping[str, str], name: str, default: bool) -> bool:
    value = (env.get(name) or "").strip().lower()
    if not value:
        return default
    if value in _TRUE | _FALSE:
        return value in _TRUE
    raise ValueError(f"{name} must be on or off, got {value!r}")


def _port(value: str | None) -> int | None:
    if not value:
        return None
    try:
        port = int(value)
    except ValueError:
        port = 0
    if not 0 < port < 65536:
        raise ValueError(f"{SMTP_PORT_ENV} must be a port number, got {value!r}")
    return port
