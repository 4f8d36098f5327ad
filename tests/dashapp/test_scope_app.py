"""Account scope through the real server (Flask test client, sign-in on, a real warehouse): a CSM limited to their
accounts gets only those in the counts, the exports, the workbook and a permalink made by someone else (also one
with a password); their scheduled reports and alerts run with their scope as it is at the run (a real SMTP server
receives the mail), and not at all once they are disabled. The warehouse is the 10-customer PRD sample with a
csm_owner written into its customers file here: CUST-001..005 belong to Alice, CUST-006..010 to Bob."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import subprocess
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import openpyxl
import pytest

from appstate import audit, open_store
from appstate.alerts import add_alert, alerts_to_check, get_alert
from appstate.deliveries import list_deliveries
from appstate.schedules import add_schedule, get_schedule, list_schedules
from appstate.users import create_user, set_disabled, set_role, set_scope
from dashapp.app import create_app
from reports.alerts import check_alert
from reports.schedule import run_schedule
from tests.dashapp.conftest import load_sample_copy
from tests.dashapp.test_auth import (
    PASSWORD,
    SCHEDULES,
    callback,
    chips,
    client,
    settings_for,
    share,
    signed_in,
    value,
)
from tests.etl.conftest import SAMPLES
from tests.reports.mailbox import body_of, mail_settings, smtp_server, texts
from warehouse.reader import WarehouseReader
from warehouse.scope import require_scope

ALICE = {f"CUST-{i:03d}" for i in range(1, 6)}
BOB = {f"CUST-{i:03d}" for i in range(6, 11)}


def sample_with_csm_owners(tmp_path_factory) -> Path:
    """The 10-customer PRD sample with its customers given a csm_owner: ALICE's to "Alice", the others to "Bob" (the
    sample has no csm_owner). One folder for the session (read only), so that its loads are one (load_sample_copy)."""
    folder = tmp_path_factory.getbasetemp() / "sample-with-csm-owners"
    if folder.exists():
        return folder
    shutil.copytree(SAMPLES / "prd_raw_10", folder)
    customers = json.loads((folder / "customers.json").read_text())
    for row in customers:
        row["csm_owner"] = "Alice" if row["customer_id"] in ALICE else "Bob"
    (folder / "customers.json").write_text(json.dumps(customers))
    return folder


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    data = tmp_path_factory.mktemp("scope-app")
    load_sample_copy(tmp_path_factory, sample_with_csm_owners(tmp_path_factory), data)
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


# ---------------------------------------------------------------- schedules and alerts carry their owner's scope

SUPPORT_ALL = "?tab=support&range=all"  # the Support tab's PDF names each ticket's customer


def schedule_dialog(browser, add: str | None = None, delete: int | None = None, search: str = SUPPORT_ALL):
    """The Schedule dialog's list callback: opened (add and delete None), "Add schedule" with the title `add`, or a
    click on the Delete button of schedule `delete`."""
    fields = {"name": add, "to": "csm@example.com", "every": "daily", "day": "0", "at": "07:00", "tz": "UTC"}
    button = {"index": delete, "type": "schedule-delete"} if delete is not None else None
    changed = ("schedule-add.n_clicks" if add else "schedule-modal.is_open" if button is None
               else json.dumps(button, separators=(",", ":"), sort_keys=True) + ".n_clicks")
    return callback(browser, SCHEDULES, [value("schedule-modal", "is_open", True),
                                         value("schedule-add", "n_clicks", 1 if add else None),
                                         [value(button, "n_clicks", 1)] if button else []],
                    [changed], [value(f"schedule-{k}", "value", v) for k, v in fields.items()]
                    + [value("url", "search", search)])


def listed(answer) -> str:
    assert answer.status_code == 200, answer.data[:300]
    return texts(answer.get_json()["response"]["schedule-list"]["children"])


def accounts_in_pdf(mail, tmp_path: Path) -> set[str]:
    [attachment] = list(mail.message.iter_attachments())
    path = tmp_path / "attachment.pdf"
    path.write_bytes(attachment.get_content())
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return set(re.findall(r"CUST-\d{3}", text))


@pytest.fixture
def reader(data_dir):
    reader = WarehouseReader(data_dir / "warehouse.duckdb")
    yield reader
    reader.close()


def test_a_scoped_csm_schedules_a_report_that_holds_only_her_accounts(app, data_dir, reader, tmp_path):
    layout = signed_in(app, "cara").get("/_dash-layout").get_data(as_text=True)
    button = re.search(r'\{[^{}]*"id":\s*"schedule-open"[^{}]*\}', layout).group(0)
    assert "d-none" not in button  # the Schedule button is hers too now
    cara, ann = signed_in(app, "cara"), signed_in(app, "ann")
    described = callback(cara, "..schedule-view.children...schedule-mail-warning.children...schedule-mail-warning."
                               "is_open...schedule-name.placeholder..", [value("schedule-modal", "is_open", True)],
                         ["schedule-modal.is_open"], [value("url", "search", SUPPORT_ALL)])
    assert described.get_json()["response"]["schedule-view"]["children"].endswith(" · your accounts only (CSM Alice)")
    assert "Scheduled: 'Cara tickets'" in json.dumps(schedule_dialog(cara, add="Cara tickets").get_json())
    listed(schedule_dialog(ann, add="Ann tickets"))
    store = open_store(settings_for(data_dir))
    mine = next(s for s in list_schedules(store) if s.name == "Cara tickets")
    theirs = next(s for s in list_schedules(store) if s.name == "Ann tickets")
    assert (mine.owner, theirs.owner) == ("cara", "ann")
    # she lists and deletes only her own; ann (every account) sees every job with its owner
    assert "Cara tickets" in listed(schedule_dialog(cara)) and "Ann tickets" not in listed(schedule_dialog(cara))
    everyone = listed(schedule_dialog(ann))
    assert "Cara tickets" in everyone and "Owner: cara" in everyone and "Owner: ann" in everyone
    refused = schedule_dialog(cara, delete=theirs.id).get_json()["response"]["schedule-feedback"]["children"]
    assert refused == "Not deleted: no such schedule of yours." and get_schedule(store, theirs.id) is not None
    cli_made = add_schedule(store, name="Everyone tickets", search=SUPPORT_ALL, recipients="boss@example.com",
                            frequency="daily")  # from the command line: no owner, every account
    with smtp_server() as (port, mailbox):
        settings = mail_settings(data_dir, data_dir / "app.db", port)
        for job in (mine, cli_made):
            sent = run_schedule(settings, store, reader, job, job.next_run_at)
            assert sent.status == "sent", sent.detail
        hers, all_of_them = mailbox.received
    assert hers.rcpt_tos == ["csm@example.com"]
    named = accounts_in_pdf(hers, tmp_path)
    # Alice's accounts with tickets in the sample: CUST-002..005; Bob's CUST-010 has the most tickets of all
    assert "CUST-004" in named and named <= ALICE and "CUST-010" not in named
    assert "CUST-010" in accounts_in_pdf(all_of_them, tmp_path)  # the same view for every account names it


def test_an_alert_of_a_scoped_csm_is_computed_over_her_accounts_as_scoped_at_each_check(app, data_dir, reader):
    store = open_store(settings_for(data_dir))
    create_user(store, "eve", PASSWORD, role="analyst", csm_scope="Alice")
    made = add_alert(store, name="Eve interactions", metric="interactions", operator="above", threshold=-1,
                     search="?tab=overview&range=all", recipients="eve@example.com", owner="eve")
    everyone = add_alert(store, name="All interactions", metric="interactions", operator="above", threshold=-1,
                         search="?tab=overview&range=all", recipients="boss@example.com")  # no owner: all accounts
    with smtp_server() as (port, mailbox):
        settings = mail_settings(data_dir, data_dir / "app.db", port)
        for alert in (made, everyone):
            assert check_alert(settings, store, reader, alert, alert.created_at, None).status == "sent"
        # counted by hand from the sample: CUST-001 8, -002 5, -003 4, -004 2 (Alice's); Bob's 4 + 3 + 3 + 1
        assert (get_alert(store, made.id).last_value, get_alert(store, everyone.id).last_value) == (19, 30)
        assert "Interactions is 19, above the threshold of −1." in body_of(mailbox.received[0].message)
        set_scope(store, "eve", "Bob")  # her next check sees Bob's accounts: the scope is read at each run
        check_alert(settings, store, reader, get_alert(store, made.id), made.created_at, None)
    assert get_alert(store, made.id).last_value == 11 == interactions_of(BOB)


def test_the_jobs_of_a_disabled_or_removed_owner_are_not_sent_and_not_retried_every_minute(app, data_dir, reader):
    store = open_store(settings_for(data_dir))
    create_user(store, "dora", PASSWORD, role="analyst", csm_scope="Alice")
    create_user(store, "vera", PASSWORD, role="analyst", csm_scope="Alice")
    demoted = add_schedule(store, name="Vera weekly", search=SUPPORT_ALL, recipients="vera@example.com",
                           frequency="weekly", weekday="mon", time_of_day="07:00", timezone="UTC", owner="vera")
    set_role(store, "vera", "viewer")  # viewers may not schedule: nor have their old jobs sent
    report = add_schedule(store, name="Dora weekly", search=SUPPORT_ALL, recipients="dora@example.com",
                          frequency="weekly", weekday="mon", time_of_day="07:00", timezone="UTC", owner="dora")
    orphan = add_schedule(store, name="Left behind", search=SUPPORT_ALL, recipients="x@example.com",
                          frequency="daily", time_of_day="07:00", timezone="UTC", owner="nobody-now")
    alert = add_alert(store, name="Dora alert", metric="interactions", operator="above", threshold=-1,
                      search="?tab=overview&range=all", recipients="dora@example.com", owner="dora")
    set_disabled(store, "dora", True)
    with smtp_server() as (port, mailbox):
        settings = mail_settings(data_dir, data_dir / "app.db", port)
        failed = run_schedule(settings, store, reader, report, report.next_run_at)
        gone = run_schedule(settings, store, reader, orphan, orphan.next_run_at)
        checked = check_alert(settings, store, reader, alert, alert.created_at, "v1")
        viewer = run_schedule(settings, store, reader, demoted, demoted.next_run_at)
        assert mailbox.received == []
    assert viewer.detail.startswith("owner vera is now a viewer, who cannot schedule reports or alerts: the report was "
                                    "not sent")
    assert failed.status == "failed" and failed.detail.startswith("owner dora is disabled: the report was not sent")
    assert gone.detail.startswith("owner nobody-now is no longer a user: the report was not sent")
    assert (checked.status, checked.detail) == ("failed", "owner dora is disabled: the alert was not checked")
    after = get_schedule(store, report.id)
    assert after.last_status == "failed" and after.last_error == "owner dora is disabled: the report was not sent"
    assert after.next_run_at == report.next_run_at + timedelta(days=7)  # the next regular run, not 5 minutes on
    assert alert.id not in {a.id for a in alerts_to_check(store, "v1")}  # checked again after the next load
    assert alert.id in {a.id for a in alerts_to_check(store, "v2")}
    rows = {(d.kind, d.job_id): (d.status, d.error) for d in list_deliveries(store, limit=1000)}
    assert rows[("schedule", report.id)] == ("failed", "owner dora is disabled: the report was not sent")
    assert rows[("alert", alert.id)] == ("failed", "owner dora is disabled: the alert was not checked")


def test_a_protected_permalink_asks_a_signed_in_csm_for_its_password_and_shows_her_accounts(app):
    from tests.dashapp.test_share import form_token

    made = callback(signed_in(app, "ann"), PROTECT, [value("share-protect", "n_clicks", 1),
                                                     value("share-open", "n_clicks", 1)], ["share-protect.n_clicks"],
                    [value("share-password", "value", "blue-harbour-42"), value("url", "search", "?tab=overview")])
    path = urlsplit(made.get_json()["response"]["share-protected"]["value"]).path
    signed_out = client(app).get(path)
    assert signed_out.status_code == 302 and signed_out.headers["Location"] == f"/login?next=%2Fs%2F{path[3:]}"
    cara = signed_in(app, "cara", "10.4.4.4")
    token = form_token(cara.get(path).get_data(as_text=True))
    assert cara.post(path, data={"password": "blue-harbour-42"}).status_code == 400  # no CSRF token
    opened = cara.post(path, data={"password": "blue-harbour-42", "csrf_token": token})
    assert opened.status_code == 302 and opened.headers["Location"] == "/?tab=overview"
    assert "5 customers" in json.dumps(chips(cara).get_json())  # the view is the link's, the data hers
    [row] = audit.list_entries(open_store(app.server.config["AUTH_SETTINGS"]), limit=1, action="permalink.open")
    assert (row.username, row.outcome, row.remote_addr, row.detail) == ("cara", "ok", "10.4.4.4", path[3:])


PROTECT = ("..share-protected.value...share-password.value...share-protect-feedback.children..."
           "share-protect-feedback.className..")
