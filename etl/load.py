"""A load: read and validate the source files, enrich, build a new warehouse, swap it in.

Stages (timed in the load report): read & validate, enrich, write tables, build models, churn model, swap.
The warehouse in service is never written to: everything is built apart (a new DuckDB file, or new PostgreSQL
schemas: etl/targets.py) and replaces it atomically at the end, so a failed or killed load leaves the previous
warehouse intact and serving. Loading the same files again is a no-op (their fingerprint matches the last
successful load), unless forced.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import pandas as pd
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from config.rules import RULES_FILE
from config.settings import Settings
from etl.enrich import sentiment, tickets
from etl.enrich.pipeline import enrich_all
from etl.enrich.provider import provider_from_settings
from etl.report import FileCounts, LoadReport
from etl.sources.contract import ENTITIES, LOAD_ORDER
from etl.sources.discover import SourceFile, SourcePlan
from etl.sources.errors import SourceError
from etl.sources.mapping import apply_mapping
from etl.sources.readers import read_source
from etl.sources.validate import SOURCE_FILE_COLUMN, validate
from etl.tables import ENRICHMENT_SCHEMAS, empty_rows, quarantine_table, raw_schema, to_arrow
from etl.targets import TargetError, disk_fault_message, target_for
from warehouse.models import Build, discover_models
from warehouse.sqlfiles import SQL_DIR

INSIGHT_DIR = Path(__file__).resolve().parents[1] / "insight"

ETL_VERSION = "1"


class LoadError(Exception):
    """The load could not run (locked, unsupported warehouse...): nothing was changed."""


def run_load(
    settings: Settings,
    plan: SourcePlan,
    *,
    force: bool = False,
    console: Console | None = None,
    now: datetime | None = None,
) -> LoadReport:
    console = console or Console(stderr=True)
    try:
        target = target_for(settings)
    except TargetError as exc:
        raise LoadError(str(exc)) from exc
    load_id = datetime.now().strftime("%Y%m%dT%H%M%S-") + uuid.uuid4().hex[:6]
    source = str(plan.mapping_file or (plan.files[0].path.parent if plan.files else ""))
    report = LoadReport(load_id, source, ignored=[str(p) for p in plan.ignored])
    with _disk_faults(target, settings), _exclusive(target), _progress(console) as progress:
        target.remove_stale_builds()
        fingerprint = source_fingerprint(plan)
        previous = target.previous_runs()
        if not force and _last_fingerprint(previous) == fingerprint:
            report.status = "unchanged"
            report.message = ("The warehouse already holds exactly these files (same fingerprint): nothing to do. "
                              "Use --force to rebuild anyway.")
            return report
        started = datetime.now()
        rows, quarantines = _read_all(plan, report, progress, now)
        enriched = _enrich(settings, rows, report, progress)
        with target.building() as build:
            with report.timed("write tables"):
                for name, frame in rows.items():
                    build.write_table(f"raw_{name}", to_arrow(frame, raw_schema(ENTITIES[name])))
                for name, frame in enriched.items():
                    build.write_table(name, to_arrow(frame, ENRICHMENT_SCHEMAS[name]))
                build.write_table("quarantine", quarantine_table(quarantines, load_id))
            task = progress.add_task("build models", total=len(discover_models()))
            with report.timed("build models"):
                build.build_models(on_model=lambda _m, _s: progress.advance(task))
            with report.timed("churn model"):
                _churn_model(build, report, progress)
            report.status = "success"
            runs = pd.concat([previous, pd.DataFrame([{
                "load_id": load_id, "started_at": started, "finished_at": datetime.now(), "source": source,
                "fingerprint": fingerprint, "status": "success"}])], ignore_index=True)
            build.write_table("load_runs", runs)
            build.write_table("load_report", report.files_frame())
            build.write_table("load_stages", report.stages_frame())
        with report.timed("swap"):
            report.warnings.extend(target.swap_in())
    return report


def source_fingerprint(plan: SourcePlan) -> str:
    """Changes when a source file, the mapping, the rules, the SQL models or an enricher changes."""
    digest = hashlib.sha256()
    for item in sorted(plan.files, key=lambda f: str(f.path)):
        digest.update(f"{item.entity.name}|{item.path.name}|".encode())
        digest.update(_file_hash(item.path).encode())
    # the churn model's code too: its tables are part of the warehouse (insight/)
    for extra in [plan.mapping_file, RULES_FILE, *sorted(SQL_DIR.rglob("*.sql")), *sorted(INSIGHT_DIR.glob("*.py"))]:
        if extra is not None:
            digest.update(_file_hash(extra).encode())
    digest.update(f"{ETL_VERSION}|{sentiment.SENTIMENT_VERSION}|{tickets.TICKET_RULES_VERSION}".encode())
    return digest.hexdigest()


def _read_all(plan: SourcePlan, report: LoadReport, progress: Progress,
              now: datetime | None) -> tuple[dict[str, pd.DataFrame], list[pd.DataFrame]]:
    order = {name: i for i, name in enumerate(LOAD_ORDER)}
    files = sorted(plan.files, key=lambda f: order[f.entity.name])
    task = progress.add_task("read & validate", total=len(files))
    rows: dict[str, list[pd.DataFrame]] = {name: [] for name in ENTITIES}
    quarantines: list[pd.DataFrame] = []
    with report.timed("read & validate"):
        for item in files:
            frame = _read(item, plan)
            customer_ids = _ids(rows["customers"], "customer_id") if item.entity.name != "customers" else None
            user_ids = _ids(rows["users"], "user_id") if rows["users"] else None
            seen = _files_of_ids(rows[item.entity.name], item.entity.id_column) if item.entity.id_column else None
            checked = validate(frame, item.entity, item.label,
                               date_format=item.mapping.date_format if item.mapping else None,
                               customer_ids=customer_ids, user_ids=user_ids, seen_ids=seen, now=now)
            rows[item.entity.name].append(checked.rows)
            quarantines.append(checked.quarantine)
            report.add_quarantine(checked.quarantine)
            report.files.append(FileCounts(item.label, item.entity.name, checked.rows_read,
                                           len(checked.rows), len(checked.quarantine)))
            progress.advance(task)
    merged = {name: pd.concat(parts, ignore_index=True) if parts else empty_rows(ENTITIES[name])
              for name, parts in rows.items()}
    return merged, quarantines


def _read(item: SourceFile, plan: SourcePlan) -> pd.DataFrame:
    if item.mapping is None:
        return read_source(item.path)
    frame = read_source(item.path, csv_delimiter=item.mapping.delimiter, encoding=item.mapping.encoding)
    return apply_mapping(frame, item.mapping, plan.mapping_file)


def _files_of_ids(parts: list[pd.DataFrame], column: str) -> pd.Series | None:
    """The source file of each id loaded so far from earlier files of an entity, indexed by id."""
    if not parts:
        return None
    frame = pd.concat([p[[column, SOURCE_FILE_COLUMN]] for p in parts], ignore_index=True)
    return pd.Series(frame[SOURCE_FILE_COLUMN].to_numpy(), index=pd.Index(frame[column]))


def _ids(parts: list[pd.DataFrame], column: str | None) -> pd.Index:
    if not parts or column is None:
        return pd.Index([])
    return pd.Index(pd.concat([p[column] for p in parts], ignore_index=True))


def _enrich(settings: Settings, rows: dict[str, pd.DataFrame], report: LoadReport,
            progress: Progress) -> dict[str, pd.DataFrame]:
    task = progress.add_task("enrich", total=4)
    with report.timed("enrich"):
        return enrich_all(rows, settings.enrichment_cache_dir, provider_from_settings(settings),
                          on_step=lambda _name: progress.advance(task), on_warning=report.warnings.append)


def _churn_model(build: Build, report: LoadReport, progress: Progress) -> None:
    """The churn model's tables (insight/stage.py). Never fails the load: a model that cannot be fitted leaves its
    reason in analytics.churn_model_evaluation and a warning in the report. Imported here, as scikit-learn is only
    needed by a load."""
    try:
        from insight.stage import STEPS, build_churn_tables
    except ImportError as exc:  # `insight` missing from the installed packages: the load goes on without the model
        report.warnings.append(f"churn model skipped: {exc}")
        return
    task = progress.add_task("churn model", total=STEPS)
    build_churn_tables(build, on_step=lambda _name: progress.advance(task), on_warning=report.warnings.append)


def _last_fingerprint(runs: pd.DataFrame) -> str | None:
    done = runs[runs["status"] == "success"]
    return None if done.empty else str(done.sort_values("started_at").iloc[-1]["fingerprint"])


def _file_hash(path: Path) -> str:
    digest = hashlib.blake2b(digest_size=16)
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@contextmanager
def _disk_faults(target, settings: Settings) -> Iterator[None]:
    """A folder the load writes to that is full or read-only is a LoadError saying so (issue 9), not a traceback:
    the write failed before the swap, so the warehouse in service is unchanged."""
    try:
        yield
    except Exception as exc:
        message = disk_fault_message(exc, target, settings)
        if message is None:
            raise
        raise LoadError(message) from exc


@contextmanager
def _exclusive(target) -> Iterator[None]:
    """The target's one-load-at-a-time lock; a load that cannot start is a LoadError (nothing changed)."""
    try:
        with target.exclusive():
            yield
    except TargetError as exc:
        raise LoadError(str(exc)) from exc


@contextmanager
def _progress(console: Console) -> Iterator[Progress]:
    progress = Progress(TextColumn("{task.description:<16}"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
                        TimeElapsedColumn(), console=console, transient=False, disable=not console.is_terminal)
    with progress:
        yield progress


__all__ = ["LoadError", "SourceError", "run_load", "source_fingerprint"]
