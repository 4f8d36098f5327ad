"""Scheduled reports through the real parts: the PRD-sample warehouse (fixture data_dir), an app database of each
test's own, WeasyPrint + Chromium for the PDF, a real SMTP server on 127.0.0.1 (aiosmtpd) that receives the mail, the
`customer-insight` command and the gunicorn server. Expected texts come from the raw sample files."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import dash
import pytest
from dash import dcc, html

from appstate import open_store
from appstate.deliveries import list_deliveries
from appstate.schedules import add_schedule, due_schedules, get_schedule, list_schedules
from config.settings import load_settings
from dashapp import schedule_dialog
from dashapp.wsgi import start_scheduler
from reports.mail import MailNotConfigured
from reports.schedule import RETRY_DELAY, run_due, run_schedule
from tests.etl.conftest import SAMPLES
from tests.reports.mailbox import (
    SENDER,
    body_of,
    dash_call,
    free_port,
    mail_env,
    mail_settings,
    smtp_server,
    texts,
)
from warehouse.reader import WarehouseReader

CLI = str(Path(sys.executable).with_name("customer-insight"))
RAW = SAMPLES / "prd_raw_100"


def all_time_chip() -> str:
    """The date-range chip of "all time": the first and last record dates of the raw sample files."""
    days = [row[key][:10] for name, key in [("customer_interactions", "interaction_date"),
                                            ("product_reviews", "review_date"), ("support_tickets", "ticket_date")]
            for row in json.loads((RAW / f"{name}.json").read_text())]
    return f"{date.fromisoformat(min(days)):%d %b %Y} – {date.fromisoformat(max(days)):%d %b %Y}"


def pdf_text(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "attachment.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


def cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    full = {**os.environ, **env}
    full.pop("CUSTOMER_INSIGHT_WAREHOUSE_URL", None)
    return subprocess.run([CLI, *args], env=full, capture_output=True, text=True, timeout=300)


@pytest.fixture
def smtp():
    with smtp_server() as server:
        yield server


def test_a_due_report_is_mailed_once_with_the_pdf_of_its_view(data_dir, tmp_path, smtp):
    port, mailbox = smtp
    settings = mail_settings(data_dir, tmp_path / "app.db", port)
    store = open_store(settings)
    made = add_schedule(store, name="Weekly churn review", search="?tab=overview&risk=High",
                        recipients="ana@example.com, bo@example.org", frequency="weekly", weekday="mon",
                        time_of_day="08:00", timezone="Europe/Paris", now=datetime(2025, 6, 1, 12, 0, tzinfo=UTC))
    slot = datetime(2025, 6, 2, 6, 0, tzinfo=UTC)  # Monday 2 June, 08:00 in Paris (UTC+2)
    assert made.next_run_at == slot
    assert run_due(settings, now=slot - timedelta(minutes=1)) == []

    [outcome] = run_due(settings, now=slot + timedelta(minutes=2))

    assert outcome.status == "sent", outcome.detail
    [got] = mailbox.received
    message = got.message
    assert message["Subject"] == "Weekly churn review – 02 Jun 2025"
    assert message["From"] == SENDER and got.mail_from == "insight@example.com"
    assert message["To"] == "ana@example.com, bo@example.org"
    assert sorted(got.rcpt_tos) == ["ana@example.com", "bo@example.org"]
    body = body_of(message)
    assert "Tab: Overview" in body
    assert f"Filters: {all_time_chip()} · Churn risk: High" in body
    assert "Open it in the dashboard: https://insight.example.com/dash/?tab=overview&risk=High" in body
    [attachment] = list(message.iter_attachments())
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_filename() == "customer-insight-overview-2025-06-02.pdf"
    pdf = attachment.get_content()
    assert pdf[:5] == b"%PDF-"
    text = pdf_text(pdf, tmp_path)
    assert "Overview" in text and "Churn risk: High" in text and all_time_chip() in text

    [after] = list_schedules(store)
    assert after.next_run_at == slot + timedelta(days=7) and after.last_status == "sent" and after.last_error is None
    [delivery] = list_deliveries(store)
    assert (delivery.status, delivery.kind, delivery.size_bytes) == ("sent", "schedule", len(pdf))
    assert run_due(settings, now=slot + timedelta(minutes=3)) == []  # sent, not due again until next Monday
    assert len(mailbox.received) == 1


def test_a_failed_send_is_recorded_and_retried_by_a_later_run(data_dir, tmp_path):
    port = free_port()  # nothing listens there yet: the SMTP server is down
    settings = mail_settings(data_dir, tmp_path / "app.db", port)
    store = open_store(settings)
    made = add_schedule(store, name="Daily support", search="?tab=support&range=30d", recipients="ana@example.com",
                        frequency="daily", time_of_day="07:00", timezone="UTC",
                        now=datetime(2025, 6, 1, 12, 0, tzinfo=UTC))
    slot = made.next_run_at

    [failed] = run_due(settings, now=slot)

    assert failed.status == "failed" and f"could not send through the SMTP server 127.0.0.1:{port}" in failed.detail
    row = get_schedule(store, made.id)
    assert row.last_status == "failed" and "refused" in row.last_error.lower()
    assert row.next_run_at == slot + RETRY_DELAY
    assert run_due(settings, now=slot + RETRY_DELAY - timedelta(seconds=1)) == []  # not before the retry time
    with smtp_server(port=port) as (_port, mailbox):
        [sent] = run_due(settings, now=slot + RETRY_DELAY)
        assert sent.status == "sent" and len(mailbox.received) == 1
    row = get_schedule(store, made.id)
    assert (row.last_status, row.last_error, row.next_run_at) == ("sent", None, slot + timedelta(days=1))
    assert [d.status for d in list_deliveries(store)] == ["sent", "failed"]


def test_without_smtp_settings_nothing_is_claimed_and_the_error_names_the_settings(data_dir, tmp_path):
    env = {"CUSTOMER_INSIGHT_DATA_DIR": str(data_dir), "CUSTOMER_INSIGHT_APP_DB_URL": f"sqlite:///{tmp_path / 'a.db'}"}
    settings = load_settings(env)
    store = open_store(settings)
    made = add_schedule(store, name="r", search="?tab=overview", recipients="a@example.com", frequency="daily",
                        now=datetime(2025, 6, 1, tzinfo=UTC))
    with pytest.raises(MailNotConfigured, match="CUSTOMER_INSIGHT_SMTP_HOST and CUSTOMER_INSIGHT_SMTP_FROM"):
        run_due(settings, now=made.next_run_at)
    assert due_schedules(store, made.next_run_at) != []  # still due: sent once email is set up
    result = cli(env, "schedule", "run", "--now", made.next_run_at.isoformat())
    assert result.returncode == 2 and "email is not configured: set CUSTOMER_INSIGHT_SMTP_HOST" in result.stderr


def test_a_runner_that_read_a_schedule_as_due_after_another_claimed_it_sends_nothing(data_dir, tmp_path, smtp):
    port, mailbox = smtp
    settings = mail_settings(data_dir, tmp_path / "app.db", port)
    from appstate import AppStore

    runner_a, runner_b = AppStore(settings.app_db), AppStore(settings.app_db)  # two processes' connections
    made = add_schedule(runner_a, name="r", search="?tab=product", recipients="a@example.com", frequency="daily",
                        now=datetime(2025, 6, 1, tzinfo=UTC))
    seen_a, seen_b = due_schedules(runner_a, made.next_run_at), due_schedules(runner_b, made.next_run_at)
    assert len(seen_a) == len(seen_b) == 1  # both read it as due ...
    reader = WarehouseReader(data_dir / "warehouse.duckdb")
    first = run_schedule(settings, runner_a, reader, seen_a[0], made.next_run_at)
    second = run_schedule(settings, runner_b, reader, seen_b[0], made.next_run_at)
    assert first.status == "sent" and second is None  # ... only the one that claimed it first sends
    assert len(mailbox.received) == 1


def test_two_schedule_run_commands_at_once_send_each_report_once(data_dir, tmp_path, smtp):
    port, mailbox = smtp
    env = mail_env(data_dir, tmp_path / "app.db", port)
    store = open_store(load_settings(env))
    made = add_schedule(store, name="Both runners", search="?tab=sentiment", recipients="a@example.com",
                        frequency="daily", now=datetime(2025, 6, 1, tzinfo=UTC))
    now = made.next_run_at.isoformat()
    full = {**os.environ, **env}
    runners = [subprocess.Popen([CLI, "schedule", "run", "--now", now], env=full, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True) for _ in range(2)]
    results = [(runner.wait(timeout=300), *runner.communicate()) for runner in runners]
    assert [code for code, *_ in results] == [0, 0], results
    printed = "".join(out for _code, out, _err in results)
    assert len(re.findall(r"^sent +schedule #\d+ 'Both runners'", printed, re.M)) == 1, printed
    assert len(mailbox.received) == 1 and mailbox.received[0].message["Subject"].startswith("Both runners – ")


def test_the_cli_adds_lists_and_removes_schedules(data_dir, tmp_path):
    env = {"CUSTOMER_INSIGHT_DATA_DIR": str(data_dir), "CUSTOMER_INSIGHT_APP_DB_URL": f"sqlite:///{tmp_path / 'a.db'}"}
    bad = cli(env, "schedule", "add", "--url", "http://h/?tab=support", "--to", "ana@example.com", "--to", "bob",
              "--every", "daily")
    assert bad.returncode == 2 and "not an email address: 'bob'" in bad.stderr
    added = cli(env, "schedule", "add", "--url", "http://h/?tab=support&risk=High", "--to", "ana@example.com,b@x.org",
                "--every", "weekly", "--day", "wed", "--at", "6:30", "--tz", "Europe/Paris")
    assert added.returncode == 0, added.stderr
    assert "schedule #1 'Support report': weekly on Wednesday at 06:30 (Europe/Paris) to ana@example.com, b@x.org" \
        in added.stdout
    listed = cli(env, "schedule", "list").stdout
    assert "#1 'Support report' ?tab=support&risk=High" in listed and "not run yet" in listed
    assert cli(env, "schedule", "remove", "1").returncode == 0
    gone = cli(env, "schedule", "remove", "1")
    assert gone.returncode == 2 and "no schedule #1" in gone.stderr


def test_the_cli_gives_a_job_an_owner_that_exists(data_dir, tmp_path):
    from appstate.users import create_user

    env = {"CUSTOMER_INSIGHT_DATA_DIR": str(data_dir), "CUSTOMER_INSIGHT_APP_DB_URL": f"sqlite:///{tmp_path / 'a.db'}"}
    create_user(open_store(load_settings(env)), "Cara", "correct horse battery", role="analyst", csm_scope="Alice")
    typo = cli(env, "schedule", "add", "--url", "?tab=support", "--to", "a@example.com", "--every", "daily",
               "--owner", "carra")
    assert typo.returncode == 2 and "no user named 'carra'" in typo.stderr
    added = cli(env, "alert", "add", "--metric", "interactions", "--above", "3", "--url", "?tab=overview", "--to",
                "a@example.com", "--owner", "CARA")
    assert added.returncode == 0 and "alert #1 'Interactions above 3' (owner cara) on ?tab=overview" in added.stdout
    assert "#1 'Interactions above 3' (owner cara) interactions above 3" in cli(env, "alert", "list").stdout


# ---------------------------------------------------------------- the server runs them itself


def test_the_server_runs_due_jobs_from_one_scheduler_whatever_its_workers(data_dir, tmp_path, smtp):
    from appstate.alerts import add_alert

    port, mailbox = smtp
    env = {**os.environ, **mail_env(data_dir, tmp_path / "app.db", port), "CUSTOMER_INSIGHT_REPORTS_READY": "off"}
    env.pop("CUSTOMER_INSIGHT_WAREHOUSE_URL", None)
    # interactions in view "above -1": true from the first check, so the first run mails it
    add_alert(open_store(load_settings(env)), name="Any interaction", metric="interactions", operator="above",
              threshold=-1, search="?tab=overview", recipients="ana@example.com")
    web = free_port()
    server = subprocess.Popen([CLI, "serve", "--host", "127.0.0.1", "--port", str(web), "--workers", "2"], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        got = mailbox.wait(1, timeout=120)
        time.sleep(2)  # a second scheduler (one per worker) would have mailed too by now
    finally:
        server.terminate()
        log = server.communicate(timeout=30)[0]
    assert len(got) == 1, log
    assert got[0].message["Subject"].startswith("Alert: Interactions above −1 – now")
    assert log.count("scheduler started") == 1, log
    assert "scheduler: sent    alert #1 'Any interaction'" in log


def test_the_scheduler_can_be_switched_off(monkeypatch):
    import logging

    class Arbiter:  # the part of gunicorn's arbiter the hook uses
        log = logging.getLogger("test-arbiter")

    monkeypatch.setenv("CUSTOMER_INSIGHT_SCHEDULER", "off")
    assert start_scheduler(Arbiter()) is None
    monkeypatch.setenv("CUSTOMER_INSIGHT_SCHEDULER", "sometimes")
    assert start_scheduler(Arbiter()) is None  # a bad value is logged, never a crash of the server


# ---------------------------------------------------------------- the dialog, through Dash's HTTP endpoint


@pytest.fixture
def dialog(data_dir, tmp_path):
    settings = load_settings({"CUSTOMER_INSIGHT_DATA_DIR": str(data_dir),
                              "CUSTOMER_INSIGHT_APP_DB_URL": f"sqlite:///{tmp_path / 'app.db'}"})
    app = dash.Dash(__name__, suppress_callback_exceptions=True)
    app.server.config["AUTH_ON"] = False  # no sign-in: the dialog's user is the local admin (dashapp/auth/session.py)
    app.layout = html.Div([dcc.Location(id="url"), schedule_dialog.layout()])
    schedule_dialog.register(app, settings, WarehouseReader(settings.duckdb_path))
    return app, open_store(settings)


def schedule_call(app, changed: str, search: str, *, deletes=(), to="", name=None, every="weekly", day="2",
                  at="06:30", tz="Europe/Paris") -> dict:
    delete_inputs = [{"id": {"type": "schedule-delete", "index": i}, "property": "n_clicks", "value": 1 if n else None}
                     for i, n in deletes]
    values = {"schedule-name": name, "schedule-to": to, "schedule-every": every, "schedule-day": day,
              "schedule-at": at, "schedule-tz": tz}
    added = 1 if changed == "schedule-add.n_clicks" else None
    return dash_call(app, "schedule-list.children",
                     [{"id": "schedule-modal", "property": "is_open", "value": True},
                      {"id": "schedule-add", "property": "n_clicks", "value": added},
                      delete_inputs],
                     [*({"id": k, "property": "value", "value": v} for k, v in values.items()),
                      {"id": "url", "property": "search", "value": search}], changed)


def test_the_dialog_schedules_the_view_in_the_url_and_checks_addresses(dialog):
    app, store = dialog
    search = "?tab=support&risk=High"
    opened = schedule_call(app, "schedule-modal.is_open", search)
    assert texts(opened["schedule-list"]["children"]) == "None yet."

    bad = schedule_call(app, "schedule-add.n_clicks", search, to="ana@example.com, ana@")
    assert bad["schedule-feedback"]["children"] == "Not saved: not an email address: 'ana@'."
    assert "text-danger" in bad["schedule-feedback"]["className"] and list_schedules(store) == []

    good = schedule_call(app, "schedule-add.n_clicks", search, to="ana@example.com\nbo@example.org")
    [made] = list_schedules(store)
    assert (made.name, made.search) == ("Support report", search)
    assert made.recipients == ("ana@example.com", "bo@example.org")
    assert made.when() == "weekly on Wednesday at 06:30 (Europe/Paris)"
    assert good["schedule-feedback"]["children"] == \
        "Scheduled: 'Support report', weekly on Wednesday at 06:30 (Europe/Paris)."
    assert "Support report" in texts(good["schedule-list"]["children"])

    deleted = schedule_call(app, f'{{"index":{made.id},"type":"schedule-delete"}}.n_clicks', search,
                            deletes=[(made.id, True)])
    assert list_schedules(store) == [] and deleted["schedule-feedback"]["children"] == "Schedule deleted."


def test_the_dialog_describes_the_view_and_warns_when_email_is_not_set_up(dialog):
    app, _store = dialog
    shown = dash_call(app, "schedule-view.children", [{"id": "schedule-modal", "property": "is_open", "value": True}],
                      [{"id": "url", "property": "search", "value": "?tab=support&risk=High"}],
                      "schedule-modal.is_open")
    assert shown["schedule-view"]["children"] == f"This view: Support · {all_time_chip()} · Churn risk: High"
    assert shown["schedule-mail-warning"]["is_open"] is True
    assert "CUSTOMER_INSIGHT_SMTP_HOST" in shown["schedule-mail-warning"]["children"]
