"""The load stage "churn model": run the churn model on a freshly built warehouse and write its tables.

Called by etl/load.py on the warehouse being built (DuckDB or PostgreSQL: a warehouse.models.Build), after the
SQL models and before the swap. The features come from sql/queries/churn/ through the build's query(); the results
go back with its write_table() as analytics.churn_scores, churn_model_evaluation, churn_calibration and
churn_coefficients (columns: insight.churn.TABLES). Whatever goes wrong in the model, the stage writes the four
tables (the evaluation row with status 'failed: <reason>', the others empty) and returns: the model is enrichment,
never a reason to fail a load.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import duckdb
import pandas as pd

from insight.churn import ChurnConfig, ChurnResult, run_churn_model, without_model
from warehouse.duck import DuckBuild
from warehouse.models import Build

# Progress steps of one run: the as-of date, the five steps of run_churn_model and the table writes. A run that stops
# early (no model) reports its remaining steps at the end, so a progress bar always completes.
STEPS = 7


def build_churn_tables(con: duckdb.DuckDBPyConnection | Build, config: ChurnConfig | None = None,
                       on_step: Callable[[str], None] | None = None,
                       on_warning: Callable[[str], None] | None = None) -> ChurnResult:
    """Fit, evaluate and score; write the four analytics.churn_* tables on `con` (a DuckDB connection or a
    warehouse being built). Returns what was written."""
    build = DuckBuild(con) if isinstance(con, duckdb.DuckDBPyConnection) else con
    done: list[str] = []

    def step(name: str) -> None:
        done.append(name)
        if on_step:
            on_step(name)

    warn = on_warning or (lambda _message: None)
    try:
        config = config or ChurnConfig.from_rules()
        as_of = build.query("churn/model_as_of")["as_of_date"].iloc[0]
        step("as-of date")

        def features_at(cutoff: date) -> pd.DataFrame:
            return build.query("churn/features_at_cutoff", cutoff=cutoff, horizon_days=config.horizon_days)

        result = run_churn_model(features_at, as_of, config, on_step=step)
        _write(build, result)
    except Exception as exc:  # any failure of the model must leave a loadable warehouse
        result = without_model(f"failed: {type(exc).__name__}: {exc}", config or ChurnConfig())
        _write(build, result)
    if result.status != "ok":
        warn(f"churn model: {result.status}")
    while len(done) < STEPS:
        step("write tables")
    return result


def _write(build: Build, result: ChurnResult) -> None:
    for name, table in result.tables().items():
        build.write_table(f"analytics.{name}", table)
