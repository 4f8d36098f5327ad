"""Deployment settings, read from the environment once per command.

The warehouse location is one setting, CUSTOMER_INSIGHT_WAREHOUSE_URL (a SQLAlchemy URL). Without it,
the warehouse is a DuckDB file in the data folder (CUSTOMER_INSIGHT_DATA_DIR, default ./data).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.engine import make_url

WAREHOUSE_URL_ENV = "CUSTOMER_INSIGHT_WAREHOUSE_URL"
DATA_DIR_ENV = "CUSTOMER_INSIGHT_DATA_DIR"
PROVIDER_URL_ENV = "CUSTOMER_INSIGHT_LLM_URL"
PROVIDER_MODEL_ENV = "CUSTOMER_INSIGHT_LLM_MODEL"
PROVIDER_KEY_ENV = "CUSTOMER_INSIGHT_LLM_API_KEY"


@dataclass(frozen=True)
class Settings:
    warehouse_url: str
    data_dir: Path
    llm_url: str | None = None
    llm_model: str | None = None
    llm_api_key: str | None = field(default=None, repr=False)

    @property
    def backend(self) -> str:
        """The SQLAlchemy backend name: 'duckdb', 'postgresql', 'snowflake', ..."""
        return make_url(self.warehouse_url).get_backend_name()

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
    )
