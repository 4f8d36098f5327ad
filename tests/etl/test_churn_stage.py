"""The load stage "churn model" (insight/stage.py, called by etl/load.py) in whole loads: the PRD sample, the
generated demo data (scale S) and a model that fails. The PRD sample and the failing model load in this process
(run_load) so that their report can be read and a failure injected; the demo data is the session's load of scale S
by the real command (shared with tests/warehouse and tests/bench), its report read back from the warehouse's
load_runs and load_stages; test_the_installed_command_can_import_the_model checks that the `customer-insight` command
finds the same code."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from config.settings import Settings
from etl.load import run_load
from etl.sources.discover import plan_from_folder
from tests.conftest import copy_enrichment_cache
from tests.etl.conftest import SAMPLES, run_cli
from warehouse.filters import Filters
from warehouse.reader import WarehouseReader

CHURN_TABLES = ("churn_scores", "churn_model_evaluation", "churn_calibration", "churn_coefficients")


def load(data: Path, source: Path):
    settings = Settings(warehouse_url=f"duckdb:///{data / 'warehouse.duckdb'}", data_dir=data)
    return run_load(settings, plan_from_folder(source))


def table(data: Path, sql: str) -> pd.DataFrame:
    with duckdb.connect(str(data / "warehouse.duckdb"), read_only=True) as con:
        return con.execute(sql).df()


@pytest.fixture(scope="module")
def prd(tmp_path_factory):
    data = tmp_path_factory.mktemp("prd100")
    copy_enrichment_cache(SAMPLES / "prd_raw_100", data)  # the churn model is the point, not the texts' scores
    return data, load(data, SAMPLES / "prd_raw_100")


@pytest.fixture(scope="module")
def demo(tmp_path_factory, demo_s_source):
    """(data folder, (status, churn model seconds)) of a load of the demo data at scale S, the command's run once a
    session (a load of S takes 10-20 s): its status and the stage's time as the load recorded them."""
    data = tmp_path_factory.mktemp("demo-S")
    run_cli(data, "load", "--source", str(demo_s_source))
    status = table(data, "select status from load_runs")["status"].tolist()
    stages = table(data, "select stage, seconds from load_stages")
    return data, (status, dict(zip(stages["stage"], stages["seconds"], strict=True)))


def test_prd_sample_loads_with_a_status_row_instead_of_a_model(prd):
    # six months of history (2024-10-02 .. 2025-03-30) cannot hold a training cutoff 180 days before the end
    # and a 90-day horizon after it: no model, a clear reason, a successful load
    data, report = prd
    assert report.status == "success"
    assert list(report.stages) == ["read & validate", "enrich", "write tables", "build models", "churn model", "swap"]
    for name in CHURN_TABLES:
        table(data, f"select * from analytics.{name} limit 0")  # every table exists
    evaluation = table(data, "select * from analytics.churn_model_evaluation")
    assert len(evaluation) == 1
    status = evaluation["status"][0]
    assert status.startswith("insufficient data: 0 customers to model at the training cutoff 2024-10-01")
    assert evaluation["auc"].isna().all()
    assert f"churn model: {status}" in report.warnings
    assert table(data, "select count(*) as n from analytics.churn_scores")["n"][0] == 0
    stages = table(data, "select stage from load_stages")["stage"].tolist()
    assert "churn model" in stages


def test_demo_model_beats_the_constant_baseline(demo):
    data, (status, stages) = demo
    assert status == ["success"]
    ev = table(data, "select * from analytics.churn_model_evaluation").iloc[0]
    assert ev["status"] == "ok", ev["status"]
    assert ev["n_train"] >= 100 and ev["n_eval"] >= 100
    assert ev["baseline_auc"] == 0.5
    assert ev["auc"] > 0.6, f"hold-out AUC {ev['auc']:.3f}"
    assert ev["brier"] < ev["baseline_brier"], (ev["brier"], ev["baseline_brier"])
    assert stages["churn model"] < 30


def test_demo_scores_every_customer_with_words_and_an_action(demo):
    data, _ = demo
    scores = table(data, "select * from analytics.churn_scores")
    customers = table(data, "select count(*) as n from analytics.customer_base")["n"][0]
    assert len(scores) == customers == 1000  # every demo customer signed up before the as-of date
    modelled = scores[scores["churn_probability"].notna()]
    assert set(modelled["churn_band"]) <= {"High", "Medium", "Low"}
    assert set(scores["churn_band"]) - set(modelled["churn_band"]) <= {"Inactive"}
    assert scores["recommended_action"].notna().all()
    high = modelled[modelled["churn_band"] == "High"]
    assert len(high) > 0 and high["reason_1"].notna().all()
    assert table(data, "select count(*) as n from analytics.churn_calibration")["n"][0] > 0
    assert len(table(data, "select * from analytics.churn_coefficients")) == 15


def test_demo_dashboard_queries(demo):
    data, _ = demo
    reader = WarehouseReader(data / "warehouse.duckdb")
    try:
        summary = reader.query("churn/churn_summary", Filters())
        assert summary["customers"].sum() == 1000
        high_value = reader.query("churn/churn_summary", Filters(value_segments=("High Value",)))
        assert 0 < high_value["customers"].sum() < 1000
        top = reader.query("churn/churn_top_risks", Filters(), limit=10)
        assert len(top) == 10 and top["churn_probability"].is_monotonic_decreasing
        actions = reader.query("churn/churn_actions", Filters())
        assert actions["customers"].sum() == 1000
        assert reader.query("churn/churn_evaluation")["status"][0] == "ok"
        assert not reader.query("churn/churn_calibration").empty
    finally:
        reader.close()


def test_a_failing_model_never_fails_the_load(tmp_path, monkeypatch):
    import insight.stage

    def broken(*_args, **_kwargs):
        raise RuntimeError("the model exploded")

    monkeypatch.setattr(insight.stage, "run_churn_model", broken)
    copy_enrichment_cache(SAMPLES / "prd_raw_10", tmp_path)
    report = load(tmp_path, SAMPLES / "prd_raw_10")
    assert report.status == "success"
    status = "failed: RuntimeError: the model exploded"
    assert table(tmp_path, "select status from analytics.churn_model_evaluation")["status"].tolist() == [status]
    assert f"churn model: {status}" in report.warnings
    assert table(tmp_path, "select count(*) as n from analytics.customer_base")["n"][0] == 10


def test_the_installed_command_can_import_the_model(tmp_path):
    # The `customer-insight` command runs outside the project folder: `insight` must be one of the installed
    # packages (pyproject.toml [tool.setuptools] packages), or every load skips the model with a warning.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    result = subprocess.run([sys.executable, "-c", "import insight.stage"], cwd=tmp_path, env=env,
                            capture_output=True, text=True)
    assert result.returncode == 0, ("add 'insight*' to [tool.setuptools] packages in pyproject.toml and reinstall "
                                    f"(scripts/venv.sh):\n{result.stderr}")
