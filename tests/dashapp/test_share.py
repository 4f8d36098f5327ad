""""Share": short permalinks stored in the app-state database, the /s/<code> redirect, and the report command
accepting a permalink; on the real warehouse of the PRD sample (tests/reports/conftest.py's is reused)."""

from __future__ import annotations

import json
import re
import subprocess

import pytest

from config.settings import load_settings
from dashapp.app import create_app
from tests.etl.conftest import SAMPLES, run_cli

VIEW = "?tab=support&risk=High&lang=fr&range=90d"


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    data = tmp_path_factory.mktemp("share")
    run_cli(data, "load", "--source", str(SAMPLES / "prd_raw_100"))
    return data


@pytest.fixture(scope="module")
def app(data_dir):
    return create_app(load_settings({"CUSTOMER_INSIGHT_DATA_DIR": str(data_dir)}))


def share(app, search: str) -> dict:
    payload = {
        "output": "..share-modal.is_open...share-short.value...share-full.value...share-error.children..",
        "outputs": [{"id": "share-modal", "property": "is_open"}, {"id": "share-short", "property": "value"},
                    {"id": "share-full", "property": "value"}, {"id": "share-error", "property": "children"}],
        "inputs": [{"id": "share-open", "property": "n_clicks", "value": 1}],
        "changedPropIds": ["share-open.n_clicks"],
        "state": [{"id": "url", "property": "search", "value": search}],
    }
    response = app.server.test_client().post("/_dash-update-component", json=payload,
                                             base_url="http://dash.example:8050")
    assert response.status_code == 200, response.data[:500]
    return {k: v[next(iter(v))] for k, v in json.loads(response.data)["response"].items()}


def test_share_gives_a_short_link_that_redirects_to_the_view(app):
    shown = share(app, VIEW)
    assert shown["share-modal"] is True and shown["share-error"] == ""
    assert shown["share-full"] == f"http://dash.example:8050/{VIEW}"
    short = re.fullmatch(r"http://dash\.example:8050/s/([2-9a-zA-Z]{9})", shown["share-short"])
    assert short, shown["share-short"]
    assert share(app, VIEW)["share-short"] == shown["share-short"]  # the same view keeps its code
    assert share(app, "?tab=overview")["share-short"] != shown["share-short"]
    response = app.server.test_client().get(f"/s/{short.group(1)}")
    assert response.status_code == 302 and response.headers["Location"] == f"/{VIEW}"


@pytest.mark.parametrize("code", ["zzzzzzzzz", "zz..zzzzz", "0OlI1abcd", "x" * 300, "%00"])
def test_an_unknown_or_malformed_code_is_a_404_page(app, code):
    response = app.server.test_client().get(f"/s/{code}")
    assert response.status_code == 404 and b"This short link is unknown" in response.data


def test_the_report_command_accepts_a_permalink(app, data_dir, tmp_path):
    code = share(app, VIEW)["share-short"].rsplit("/", 1)[1]
    out = tmp_path / "shared.pdf"
    result = run_cli(data_dir, "report", "--url", f"http://anywhere/s/{code}", "--out", str(out))
    assert result.stdout.startswith("support report")
    text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True, check=True).stdout
    # the data ends on 30 Mar 2025 (the sample): the last 90 days start on 31 Dec 2024
    assert "Churn risk: High" in text and "Review language: French" in text and "31 Dec 2024 – 30 Mar 2025" in text
    bad = run_cli(data_dir, "report", "--url", "http://anywhere/s/zzzzzzzzz", "--out", str(out), check=False)
    assert bad.returncode == 2 and "unknown permalink 'zzzzzzzzz'" in bad.stderr
