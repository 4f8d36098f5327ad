"""The load report: rows read / loaded / quarantined per file and the time of each stage."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import pandas as pd
from rich.console import Console
from rich.table import Table


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
    status: str = "running"
    message: str = ""

    def timed(self, stage: str) -> _StageTimer:
        return _StageTimer(self, stage)

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
        stages = Table(title="Stages", title_justify="left")
        stages.add_column("stage")
        stages.add_column("seconds", justify="right")
        for name, seconds in self.stages.items():
            stages.add_row(name, f"{seconds:.1f}")
        stages.add_row("total", f"{sum(self.stages.values()):.1f}")
        console.print(stages)
        for warning in self.warnings:
            console.print(f"[yellow]warning[/yellow] {warning}", highlight=False)
        for path in self.ignored:
            console.print(f"[yellow]ignored[/yellow] {path}: not a source entity of the contract")
        if self.message:
            console.print(self.message)


class _StageTimer:
    def __init__(self, report: LoadReport, stage: str) -> None:
        self.report, self.stage = report, stage

    def __enter__(self) -> None:
        self.started = time.perf_counter()

    def __exit__(self, *exc: object) -> None:
        self.report.stages[self.stage] = self.report.stages.get(self.stage, 0.0) + time.perf_counter() - self.started
