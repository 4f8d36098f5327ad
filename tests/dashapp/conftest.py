"""Helpers for the dashboard tests' warehouses (also used by tests/e2e)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from config.settings import DATA_DIR_ENV, WAREHOUSE_URL_ENV, Settings, load_settings
from tests.conftest import copy_enrichment_cache
from tests.etl.conftest import SAMPLES, run_cli


def prd10_source(tmp_path_factory) -> Path:
    """A source folder of the 10-customer PRD sample that the caller may change or delete: the sample's files (and
    their modification times) copied afresh to the same place every time, so that its load is the same load for
    every module that asks (load_sample_copy: run once, then copied), where a folder in each module's own tmp path
    was a new 5-10 s load each time. The warehouse records this path as the source of its last load: "Refresh data"
    reads whatever the module has put here since. One module at a time: each module's fixture holds it until the
    module ends (pytest tears module fixtures down before the next module starts); what the last one left is
    replaced."""
    folder = tmp_path_factory.getbasetemp() / "prd10-source"
    shutil.rmtree(folder, ignore_errors=True)
    shutil.copytree(SAMPLES / "prd_raw_10", folder)  # copy2: the sample's modification times are kept
    return folder


_LOADED: dict[tuple, Path] = {}


def load_sample_copy(tmp_path_factory, source: Path, data: Path) -> None:
    """What `customer-insight load --source SOURCE` makes of the new folder `data`, for a SOURCE whose texts are all
    the 10-customer sample's (prd10_source, tests/dashapp/test_scope_app.py sample_with_csm_owners).

    Made once per source folder (its path, its files' names, sizes and times) and setting, and copied afterwards,
    as tests/conftest.py run_cli_on does; and that once with the enrichment cache of the sample's own load (made once
    by run_cli_on) put in first: the same scores, without a cold start of the sentiment scorers (4 of the load's 8
    CPU-s). run_cli_on itself cannot do this: it copies only loads into an empty folder."""
    files = tuple(sorted((p.name, p.stat().st_size, p.stat().st_mtime_ns) for p in source.iterdir() if p.is_file()))
    settings = tuple(sorted((k, v) for k, v in os.environ.items()
                            if k.startswith("CUSTOMER_INSIGHT_") and k not in (DATA_DIR_ENV, WAREHOUSE_URL_ENV)))
    key = (str(source.resolve()), files, settings)
    if key not in _LOADED:
        done = tmp_path_factory.mktemp("loaded-once")
        copy_enrichment_cache(SAMPLES / "prd_raw_10", done)
        run_cli(done, "load", "--source", str(source))
        _LOADED[key] = done
    shutil.copytree(_LOADED[key], data, dirs_exist_ok=True, ignore=shutil.ignore_patterns("*.lock"))


def refreshable_sample(tmp_path_factory, tmp_path: Path, monkeypatch) -> tuple[Path, Path, Settings]:
    """(source, data, settings): a warehouse in the test's own data folder loaded from a source folder that starts
    as the 10-customer sample (prd10_source, load_sample_copy), set as the environment's, with no refresh source
    or warehouse URL of its own: "Refresh data" reloads that source folder. For the refresh tests
    (tests/etl/test_refresh.py, tests/dashapp/test_refresh_button.py)."""
    source, data = prd10_source(tmp_path_factory), tmp_path / "data"
    load_sample_copy(tmp_path_factory, source, data)
    monkeypatch.setenv(DATA_DIR_ENV, str(data))
    monkeypatch.delenv("CUSTOMER_INSIGHT_REFRESH_SOURCE", raising=False)
    monkeypatch.delenv(WAREHOUSE_URL_ENV, raising=False)
    return source, data, load_settings()
