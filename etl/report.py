"""The load report: rows read / loaded / quarantined per file, the quarantined rows with their reasons (the first
QUARANTINE_SHOWN of each file; the warehouse's quarantine table has them all) and the time of each stage."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from etl.sources.contract import ENTITIES, SOURCE_EXTENSIONS

QUARANTINE_SHOWN = 20  # quarantined rows listed per file in the printed report


@dataclass
class FileCounts:
    source_file: str
    entity: str
    rows_read: int
    rows_loaded: int
    rows_quarantined: int

    def __post_init__(self) -> None:
        # The contract's invariant; a breach is a bug in the ETL, never something to report quietly.
        if self.rows_read != self.rows_loaded + self.rows_quarantined:
            raise AssertionError(f"{self.source_file}: {self.rows_read} read != {self.rows_loaded} loaded "
                                 f"+ {self.rows_quarantined} quarantined")


@dataclass
class LoadReport:
    load_id: str
    source: str
    files: list[FileCounts] = field(default_factory=list)
    stages: dict[str, float] = field(default_factory=dict)
    ignored: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    # (file, row, reason) of the first QUARANTINE_SHOWN quarantined rows of each file
    quarantined: list[tuple[str, int, str]] = field(default_factory=list)
    status: str = "running"
    message: str = ""

    def timed(self, stage: str) -> _StageTimer:
        return _StageTimer(self, stage)

    def add_quarantine(self, quarantine: pd.DataFrame) -> None:
        """Keep the first rows of one file's quarantine (validate's QUARANTINE_COLUMNS) for the printed report."""
        for row in quarantine.head(QUARANTINE_SHOWN).itertuples(index=False):
            self.quarantined.append((str(row.source_file), int(row.source_row), str(row.reason)))

    def files_frame(self) -> pd.DataFrame:
        frame = pd.DataFrame([vars(f) for f in self.files],
                             columns=["source_file", "entity", "rows_read", "rows_loaded", "rows_quarantined"])
        return frame.assign(load_id=self.load_id)[["load_id", *frame.columns]]

    def stages_frame(self) -> pd.DataFrame:
        return pd.DataFrame({"load_id": self.load_id, "stage": list(self.stages),
                             "seconds": [round(s, 3) for s in self.stages.values()]})

    def print(self, console: Console) -> None:
        table = Table(title=f"Load {self.load_id} — {self.status}", title_justify="left")
        for column in ("file", "entity", "read", "loaded", "quarantined"):
            table.add_column(column, justify="right" if column in ("read", "loaded", "quarantined") else "left")
        for f in self.files:
            table.add_row(f.source_file, f.entity, f"{f.rows_read:,}", f"{f.rows_loaded:,}",
                          f"{f.rows_quarantined:,}")
        console.print(table)
        self._print_quarantined(console)
        stages = Table(title="Stages", title_justify="left")
        stages.add_column("stage")
        stages.add_column("seconds", justify="right")
        for name, seconds in self.stages.items():
            stages.add_row(name, f"{seconds:.1f}")
        stages.add_row("total", f"{sum(self.stages.values()):.1f}")
        console.print(stages)
        for warning in self.warnings:
            console.print(f"[yellow]warning[/yellow] {escape(warning)}", highlight=False)
        stems = {stem for entity in ENTITIES.values() for stem in entity.file_stems}
        for path in self.ignored:
            suffix = Path(path).suffix.lower()
            why = (f"unsupported file type '{suffix}' (use {', '.join(SOURCE_EXTENSIONS)})"
                   if Path(path).stem.lower() in stems else "not a source entity of the contract")
            console.print(f"[yellow]ignored[/yellow] {escape(path)}: {escape(why)}", highlight=False)
        if self.message:
            console.print(self.message)


    def _print_quarantined(self, console: Console) -> None:
        # File names and reasons quote the source's own text: escaped, so that "[...]" in it is not rich markup.
        for f in self.files:
            shown = [(row, reason) for name, row, reason in self.quarantined if name == f.source_file]
            for row, reason in shown:
                console.print(f"[yellow]quarantined[/yellow] {escape(f.source_file)} row {row}: {escape(reason)}",
                              highlight=False)
            if f.rows_quarantined > len(shown):
                console.print(f"[yellow]quarantined[/yellow] {escape(f.source_file)}: "
                              f"{f.rows_quarantined - len(shown):,} more rows, all in the warehouse table "
                              "quarantine", highlight=False)


class _StageTimer:
    def __init__(self, report: LoadReport, stage: str) -> None:
        self.report, self.stage = report, stage

    def __enter__(self) -> None:
        self.started = time.perf_counter()

    def __exit__(self, *exc: object) -> None:
        self.report.stages[self.stage] = self.report.stages.get(self.stage, 0.0) + time.perf_counter() - self.started
