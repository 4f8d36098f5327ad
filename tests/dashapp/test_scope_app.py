"""Account scope through the real server (Flask test client, sign-in on, a real warehouse): a CSM limited to their
accounts gets only those in the counts, the exports, the workbook and a permalink made by someone else; scheduling
is refused to them. The warehouse is the 10-customer PRD sample with a csm_owner written into its customers file
here: CUST-001..005 belong to Alice, CUST-006..010 to Bob."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
from pathlib import Path
from urllib.parse import urlsplit

import openpyxl
import pytest

from appstate import open_store
from appstate.users import create_user
from dashapp.app import create_app
from tests.dashapp.test_auth import PASSWORD, add_schedule, chips, settings_for, share, signed_in
from tests.etl.conftest import SAMPLES, run_cli
from warehouse.scope import require_scope

ALICE = {f"CUST-{i:03d}" for i in range(1, 6)}


def sample_with_csm_owners(folder: Path) -> Path:
    """The 10-customer PRD sample copied into `folder`, its customers given a csm_owner: ALICE's to "Alice", the
    others to "Bob" (the sample has no csm_owner)."""
    shutil.copytree(SAMPLES / "prd_raw_10", folder, dirs_exist_ok=True)
    customers = json.loads((folder / "customers.json").read_text())
    for row in customers:
        row["csm_owner"] = "Alice" if row["customer_id"] in ALICE else "Bob"
    (folder / "customers.json").write_text(json.dumps(customers))
    return folder


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    data = tmp_path_factory.mktemp("scope-app")
    run_cli(data, "load", "--source", str(sample_with_csm_owners(tmp_path_factory.mktemp("scope-app-source"))))
    return data


@pytest.fixture(scope="module")
def app(data_dir):
    store = open_store(settings_for(data_dir))
    create_user(store, "ann", PASSWORD, role="analyst")                      # every account
    create_user(store, "cara", PASSWORD, role="analyst", csm_scope="Alice")  # Alice's accounts only
    yield create_app(settings_for(data_dir))
    require_scope(False)  # the process-wide switch sign-in turned on (warehouse/scope.py)


def interactions_of(ids: set[str]) -> int:
    rows = json.loads((SAMPLES / "prd_raw_10" / "customer_interactions.json").read_text())
    return sum(row["customer_id"] in ids for row in rows)


def export_rows(browser, path: str) -> list[dict]:
    answer = browser.get(path)
    assert answer.status_code == 200, answer.get_data(as_text=True)
    return list(csv.DictReader(io.StringIO(answer.get_data(as_text=True).lstrip("\ufeff"))))


def test_counts_show_only_the_csms_accounts(app):
    for name, customers in (("ann", 10), ("cara", 5)):
        text = json.dumps(chips(signed_in(app, name)).get_json())
        assert re.search(rf"\b{customers} customers\b", text), (name, text)


def test_raw_export_holds_only_the_csms_accounts(app):
    everyone = export_rows(signed_in(app, "ann"), "/export/interactions.csv?range=all")
    theirs = export_rows(signed_in(app, "cara"), "/export/interactions.csv?range=all")
    assert len(everyone) == interactions_of(ALICE | {f"CUST-{i:03d}" for i in range(6, 11)})
    assert len(theirs) == interactions_of(ALICE) and {row["customer_id"] for row in theirs} <= ALICE
    # naming another CSM's team in the export's own parameters: an unknown team to her (ann may name it)
    refused = signed_in(app, "cara").get("/export/interactions.csv?range=all&team=CUST-007")
    assert refused.status_code == 400 and "unknown team(s): 'CUST-007'" in refused.get_data(as_text=True)
    assert {r["customer_id"] for r in export_rows(signed_in(app, "ann"), "/export/interactions.csv?range=all"
                                                  "&team=CUST-007")} == {"CUST-007"}


def test_workbook_holds_only_the_csms_accounts(app):
    answer = signed_in(app, "cara").get("/export/view.xlsx?tab=segmentation&range=all")
    assert answer.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(answer.data), read_only=True)
    seen = set()
    for sheet in book.worksheets:
        rows = list(sheet.iter_rows(values_only=True))
        for header_at, row in enumerate(rows[:8]):
            if row and "customer_id" in row:
                column = row.index("customer_id")
                seen |= {r[column] for r in rows[header_at + 1:] if r and r[column]}
                break
    assert seen and seen <= ALICE


def test_a_permalink_opened_by_the_csm_shows_their_accounts_only(app):
    code = share(signed_in(app, "ann"), "?tab=overview&range=all").get_json()["response"]["share-short"]["value"]
    cara = signed_in(app, "cara")
    opened = cara.get(urlsplit(code).path)
    assert opened.status_code in (301, 302)
    # the view is the link's; the data is the opener's: the same counts as on cara's own page
    assert "5 customers" in json.dumps(chips(cara).get_json())


def test_scheduling_is_refused_to_a_scoped_user(app):
    assert add_schedule(signed_in(app, "cara")).status_code == 403
    assert add_schedule(signed_in(app, "ann")).status_code == 200


def test_pdf_report_holds_only_the_csms_accounts(app, tmp_path):
    """The Support tab's PDF (its ticket table names each ticket's customer) as cara downloads it, text extracted."""
    import base64
    import subprocess

    from tests.reports.test_pdf import tab_pdf_request

    texts = {}
    for name in ("ann", "cara"):
        answer = signed_in(app, name).post("/_dash-update-component", json=tab_pdf_request("?tab=support&range=all"))
        assert answer.status_code == 200, answer.data[:300]
        pdf = tmp_path / f"{name}.pdf"
        pdf.write_bytes(base64.b64decode(answer.get_json()["response"]["report-download"]["data"]["content"]))
        texts[name] = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    named = {name: set(re.findall(r"CUST-\d{3}", text)) for name, text in texts.items()}
    assert named["cara"] and named["cara"] <= ALICE
    assert named["ann"] - ALICE  # the same report for everyone names Bob's accounts too (the check above can fail)
