"""Where a load writes: the warehouse of CUSTOMER_INSIGHT_WAREHOUSE_URL, a DuckDB file or a PostgreSQL database.

Both give etl/load.py the same steps: hold the one-load-at-a-time lock, clean up what killed loads left, read the
load history of the warehouse in service, build a new warehouse (a warehouse.models.Build) without touching the
one in service, and swap it in atomically.
"""

from __future__ import annotations

import errno
import fcntl
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import duckdb
import pandas as pd

from config.settings import Settings
from warehouse import duck
from warehouse.models import Build

HISTORY_COLUMNS = ["load_id", "started_at", "finished_at", "source", "fingerprint", "status"]


class TargetError(Exception):
    """The load cannot start (locked, foreign schemas, unsupported warehouse); nothing was changed."""


# A write the filesystem refused, by errno: what that says of the folder, and what the user can do about it.
_DISK_FAULTS = {
    errno.ENOSPC: ("is full (no space left on device)", "Free some space and load again."),
    errno.EDQUOT: ("is full for this user (disk quota exceeded)",
                   "Free some space, or raise the quota, and load again."),
    errno.EFBIG: ("cannot hold a file this large (file too large: the file size limit of this process, ulimit -f)",
                  "Raise the limit and load again."),
    errno.EROFS: ("is read-only (read-only file system)",
                  "Make it writable, or set CUSTOMER_INSIGHT_DATA_DIR to a writable folder, and load again."),
    errno.EACCES: ("is not writable by this user (permission denied)", "Give this user write access and load again."),
    errno.EPERM: ("is not writable by this user (operation not permitted)",
                  "Give this user write access and load again."),
}
_DUCKDB_FILE = re.compile(r'file "([^"]+)"')


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
            try:  # unbuffered: a buffered write fails later, at close, naming no file
                os.ftruncate(lock.fileno(), 0)
                os.write(lock.fileno(), str(os.getpid()).encode())
            except OSError as exc:  # a full folder: named, for disk_fault_message
                raise OSError(exc.errno, exc.strerror, str(lock_path)) from exc
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


def disk_fault_message(exc: BaseException, target: DuckTarget | PgTarget, settings: Settings) -> str | None:
    """The sentence for a load that failed because a folder it writes to is full, read-only or not writable (the
    load lock, the enrichment cache, the new warehouse file); None for any other error."""
    fault = disk_fault(exc)
    if fault is None:
        return None
    code, file = fault
    warehouse_folder = target.path.parent if isinstance(target, DuckTarget) else None
    data_dir = settings.data_dir
    doing = _write_of(file, warehouse_folder, settings)
    if doing is None and code in (errno.EACCES, errno.EPERM):
        return None  # also raised by reads (an unreadable source file): only a refused write of ours is this case
    folder = file.parent if file else warehouse_folder or data_dir
    where = f"The warehouse folder {folder}" if folder == warehouse_folder else f"The folder {folder}"
    state, todo = _DISK_FAULTS[code]
    served = not isinstance(target, DuckTarget) or target.path.exists()
    outcome = "the warehouse in service is unchanged" if served else "no warehouse was created"
    message = f"{where} {state} while {doing or 'loading'}: {outcome}. {todo}"
    if isinstance(target, DuckTarget):
        # duck.building removes its file on error; a filesystem that refuses even that leaves it taking space
        build = duck.build_path(target.path)
        left = [p for p in (build, build.with_name(build.name + ".wal")) if p.exists()]
        if left:
            message += (f" The unfinished build file {left[0]} could not be removed: delete it to get its space "
                        "back (the next load also removes it).")
    return message


def _write_of(file: Path | None, warehouse_folder: Path | None, settings: Settings) -> str | None:
    """What the load was writing when `file` was refused, for the files a load writes; None for any other file."""
    if file is None:
        return None
    if file in (warehouse_folder, settings.data_dir):
        return f"creating {file}"
    if file.name.endswith(".lock"):
        return "taking the load lock"
    if duck.BUILD_SUFFIX in file.name:
        return "building the new warehouse"
    if file.is_relative_to(settings.enrichment_cache_dir):
        return "saving enrichment results"
    return None


def disk_fault(exc: BaseException | None) -> tuple[int, Path | None] | None:
    """(errno, file) of the refused write behind exc or one of its causes: an OSError, or a DuckDB error quoting the
    operating system's message (DuckDB raises its own exception types, with the file in the text)."""
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if isinstance(exc, OSError) and exc.errno in _DISK_FAULTS:
            return exc.errno, Path(os.fsdecode(exc.filename)) if exc.filename else None
        if isinstance(exc, duckdb.Error):
            text = str(exc)
            for code in _DISK_FAULTS:
                if os.strerror(code) in text:
                    quoted = _DUCKDB_FILE.search(text)
                    return code, Path(quoted.group(1)) if quoted else None
        if "readonly database" in str(exc) or "read-only file system" in str(exc).lower():  # SQLite's own words
            return errno.EROFS, None
        exc = exc.__cause__ or exc.__context__
    return None


def fault_state(code: int) -> str:
    """What a refused write with errno `code` says of its folder ("is read-only (read-only file system)")."""
    return _DISK_FAULTS[code][0]


def _history(reader) -> pd.DataFrame:
    try:
        return reader.query("loads/load_history")[HISTORY_COLUMNS]
    except Exception:  # an old or foreign warehouse without history: start a new one
        return pd.DataFrame(columns=HISTORY_COLUMNS)
    finally:
        reader.close()
