"""Where a load writes: the warehouse of CUSTOMER_INSIGHT_WAREHOUSE_URL, a DuckDB file or a PostgreSQL database.

Both give etl/load.py the same steps: hold the one-load-at-a-time lock, clean up what killed loads left, read the
load history of the warehouse in service, build a new warehouse (a warehouse.models.Build) without touching the
one in service, and swap it in atomically.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import pandas as pd

from config.settings import Settings
from warehouse import duck
from warehouse.models import Build

HISTORY_COLUMNS = ["load_id", "started_at", "finished_at", "source", "fingerprint", "status"]


class TargetError(Exception):
    """The load cannot start (locked, foreign schemas, unsupported warehouse); nothing was changed."""


class DuckTarget:
    """A DuckDB file: a new file is built next to it and renamed over it (warehouse/duck.py)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._built: Path | None = None

    def describe(self) -> str:
        return str(self.path)

    @contextmanager
    def exclusive(self) -> Iterator[None]:
        """One load at a time per warehouse: a second one fails at once instead of racing the swap."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        lock_path = self.path.with_name(self.path.name + ".lock")
        with lock_path.open("a+") as lock:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError as exc:
                raise TargetError(f"another load into {self.path} is running; try again when it has finished") \
                    from exc
            lock.seek(0)
            lock.truncate()
            lock.write(str(os.getpid()))
            lock.flush()
            yield

    def remove_stale_builds(self) -> None:
        duck.remove_stale_builds(self.path)

    def previous_runs(self) -> pd.DataFrame:
        """Load history of the warehouse in service, carried into the new one."""
        if not self.path.exists():
            return pd.DataFrame(columns=HISTORY_COLUMNS)
        from warehouse.reader import WarehouseReader  # local: only needed when a warehouse exists

        return _history(WarehouseReader(self.path))

    @contextmanager
    def building(self) -> Iterator[Build]:
        with duck.building(self.path) as (con, built):
            yield duck.DuckBuild(con)
        self._built = built

    def swap_in(self) -> list[str]:
        assert self._built is not None, "swap_in before a completed build"
        duck.swap_in(self._built, self.path)
        return []


class PgTarget:
    """A PostgreSQL database: new schemas are built and renamed over the ones in service (warehouse/pgbuild.py)."""

    def __init__(self, url: str) -> None:
        from warehouse.postgres import create_engine

        self.engine = create_engine(url)

    def describe(self) -> str:
        return self.engine.url.render_as_string(hide_password=True)

    @contextmanager
    def exclusive(self) -> Iterator[None]:
        from warehouse import pgbuild

        try:
            with pgbuild.load_lock(self.engine):
                pgbuild.check_schemas(self.engine)
                yield
        except (pgbuild.WarehouseBusy, pgbuild.ForeignSchema) as exc:
            raise TargetError(str(exc)) from exc
        finally:
            self.engine.dispose()

    def remove_stale_builds(self) -> None:
        from warehouse import pgbuild

        pgbuild.drop_stale_builds(self.engine)

    def previous_runs(self) -> pd.DataFrame:
        from warehouse import pgbuild
        from warehouse.reader import PostgresReader

        if not pgbuild.has_warehouse(self.engine):
            return pd.DataFrame(columns=HISTORY_COLUMNS)
        return _history(PostgresReader(self.engine.url))

    @contextmanager
    def building(self) -> Iterator[Build]:
        from warehouse.pgbuild import PgBuild

        build = PgBuild(self.engine)
        build.create()
        try:
            yield build
        except BaseException:
            # the load's own error is the one to report; a killed load cannot discard: the next one drops its builds
            with suppress(Exception):
                build.discard()
            raise

    def swap_in(self) -> list[str]:
        from warehouse import pgbuild

        return pgbuild.swap_in(self.engine)


def target_for(settings: Settings) -> DuckTarget | PgTarget:
    if settings.backend == "duckdb":
        return DuckTarget(settings.duckdb_path)
    if settings.backend == "postgresql":
        return PgTarget(settings.warehouse_url)
    raise TargetError(f"loading into a {settings.backend} warehouse is not supported; use a DuckDB file or "
                      "PostgreSQL (docs/postgres.md)")


def _history(reader) -> pd.DataFrame:
    try:
        return reader.query("loads/load_history")[HISTORY_COLUMNS]
    except Exception:  # an old or foreign warehouse without history: start a new one
        return pd.DataFrame(columns=HISTORY_COLUMNS)
    finally:
        reader.close()
