""""Share": short permalinks stored in the app-state database, the /s/<code> redirect, and the report command
accepting a permalink; links with a password: made in the dialog, the password page (CSRF token, the lock after 5
wrong passwords, the audit log), refused by the report command. On the real warehouse of the PRD sample, sign-in off
(the user is "local"; with sign-in on: tests/dashapp/test_scope_app.py)."""

from __future__ import annotations

import json
import re
import subprocess
from datetime import UTC, datetime, timedelta

import pytest

from appstate import audit, open_store
from appstate.permalinks import get_permalink
from config.settings import load_settings
from dashapp.app import create_app
from tests.etl.conftest import SAMPLES, run_cli
from tests.reports.conftest import cli_here

VIEW = "?tab=support&risk=High&lang=fr&range=90d"


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    data = tmp_path_factory.mktemp("share")
    run_cli(data, "load", "--source", str(SAMPLES / "prd_raw_100"))
    return data


@pytest.fixture(scope="module")
def app(data_dir):
    return create_app(load_settings({"CUSTOMER_INSIGHT_DATA_DIR": str(data_dir)}))


def dash_update(app, output: str, inputs: list, changed: str, state: list) -> dict:
    """One callback as the browser sends it; {component id: value of its one output property} ("id.prop" for a
    component with two)."""
    parts = output.strip(".").split("...")
    payload = {"output": output,
               "outputs": [{"id": part.rsplit(".", 1)[0], "property": part.rsplit(".", 1)[1]} for part in parts],
               "inputs": inputs, "changedPropIds": [changed], "state": state}
    response = app.server.test_client().post("/_dash-update-component", json=payload,
                                             base_url="http://dash.example:8050")
    assert response.status_code == 200, response.data[:500]
    found = {}
    for ident, props in json.loads(response.data)["response"].items():
        for prop, val in props.items():
            found[ident if len(props) == 1 else f"{ident}.{prop}"] = val
    return found


def share(app, search: str) -> dict:
    return dash_update(app, "..share-modal.is_open...share-short.value...share-full.value...share-error.children..",
                       [{"id": "share-open", "property": "n_clicks", "value": 1}], "share-open.n_clicks",
                       [{"id": "url", "property": "search", "value": search}])


def protect(app, search: str, password: str | None) -> dict:
    """The dialog's "Make protected link" with `password` typed."""
    return dash_update(app, "..share-protected.value...share-password.value...share-protect-feedback.children..."
                            "share-protect-feedback.className..",
                       [{"id": "share-protect", "property": "n_clicks", "value": 1},
                        {"id": "share-open", "property": "n_clicks", "value": 1}], "share-protect.n_clicks",
                       [{"id": "share-password", "property": "value", "value": password},
                        {"id": "url", "property": "search", "value": search}])


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
    # the command in this process (cli_here): what it makes of a permalink, not its process (tests/reports/test_pdf.py)
    result = cli_here(data_dir, "report", "--url", f"http://anywhere/s/{code}", "--out", str(out), check=True)
    assert result.stdout.startswith("support report")
    text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True, check=True).stdout
    # the data ends on 30 Mar 2025 (the sample): the last 90 days start on 31 Dec 2024
    assert "Churn risk: High" in text and "Review language: French" in text and "31 Dec 2024 – 30 Mar 2025" in text
    bad = cli_here(data_dir, "report", "--url", "http://anywhere/s/zzzzzzzzz", "--out", str(out))
    assert bad.exit_code == 2 and "unknown permalink 'zzzzzzzzz'" in bad.stderr


SECRET = "blue-harbour-42"
PROTECTED_VIEW = "?tab=churn&segment=High+Value&range=all"
T0 = datetime(2025, 5, 1, 9, 0, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock(app):
    """The time of the password page's lock (dashapp.auth.session.now), moved by the test; the real one after."""
    real = app.server.config["AUTH_CLOCK"]
    app.server.config["AUTH_CLOCK"] = Clock()
    yield app.server.config["AUTH_CLOCK"]
    app.server.config["AUTH_CLOCK"] = real


def code_of(link: str) -> str:
    found = re.fullmatch(r"http://dash\.example:8050/s/([2-9a-zA-Z]{9})", link)
    assert found, link
    return found.group(1)


def newest(app, n: int) -> list[tuple]:
    return [(e.username, e.action, e.outcome, e.detail)
            for e in audit.list_entries(open_store(app.server.config["AUTH_SETTINGS"]), limit=n)]


def form_token(page_text: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page_text).group(1)


def test_the_dialog_makes_a_new_protected_link_each_time_and_never_the_plain_one(app):
    plain = code_of(share(app, PROTECTED_VIEW)["share-short"])
    made = protect(app, PROTECTED_VIEW, SECRET)
    assert made["share-password"] == ""  # the typed password is not left in the page
    assert made["share-protect-feedback.children"].startswith("Protected link made.")
    first = code_of(made["share-protected"])
    second = code_of(protect(app, PROTECTED_VIEW, "another-one-entirely")["share-protected"])
    assert len({plain, first, second}) == 3
    assert code_of(share(app, PROTECTED_VIEW)["share-short"]) == plain  # the plain link is still the same one
    link = get_permalink(open_store(app.server.config["AUTH_SETTINGS"]), first)
    assert link.protected and link.created_by == "local" and link.search == PROTECTED_VIEW
    assert newest(app, 3) == [
        ("local", "permalink.create", "ok", PROTECTED_VIEW),  # the plain link's (the gate's row, rules.py)
        ("local", "permalink.create", "ok", f"protected link {second} of {PROTECTED_VIEW}"),
        ("local", "permalink.create", "ok", f"protected link {first} of {PROTECTED_VIEW}")]
    short = protect(app, PROTECTED_VIEW, "short")
    assert short["share-protected"] == "" and "text-danger" in short["share-protect-feedback.className"]
    assert short["share-protect-feedback.children"] == "No protected link: a password has at least 8 characters."
    assert newest(app, 1) == [("local", "permalink.create", "failed",
                               f"protected link of {PROTECTED_VIEW}: a password has at least 8 characters")]
    assert SECRET not in json.dumps(newest(app, 10))


def test_the_password_page_opens_the_view_with_the_right_password(app, clock):
    code = code_of(protect(app, PROTECTED_VIEW, SECRET)["share-protected"])
    browser = app.server.test_client()
    page = browser.get(f"/s/{code}")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    assert "This link needs a password" in text and 'type="password"' in text
    assert "churn" not in text and "High+Value" not in text and "segment" not in text  # nothing of the view
    assert 'href="/assets/00-bootstrap.min.css"' in text  # the app's own Bootstrap
    opened = browser.post(f"/s/{code}", data={"password": SECRET, "csrf_token": form_token(text)})
    assert opened.status_code == 302 and opened.headers["Location"] == f"/{PROTECTED_VIEW}"
    assert newest(app, 1) == [("local", "permalink.open", "ok", code)]


def test_a_password_form_without_its_csrf_token_is_refused_and_not_counted(app, clock):
    code = code_of(protect(app, PROTECTED_VIEW, SECRET)["share-protected"])
    browser = app.server.test_client()
    browser.get(f"/s/{code}")  # a session with a token; the forms below carry none, or another one
    for form in ({"password": SECRET}, {"password": SECRET, "csrf_token": "forged"}):
        refused = browser.post(f"/s/{code}", data=form)
        assert refused.status_code == 400 and "This form had expired" in refused.get_data(as_text=True)
    assert get_permalink(open_store(app.server.config["AUTH_SETTINGS"]), code).failed_attempts == 0
    assert newest(app, 1)[0][1] != "permalink.open"


def test_five_wrong_passwords_lock_the_link_for_15_minutes_and_the_plain_link_still_opens(app, clock):
    code = code_of(protect(app, PROTECTED_VIEW, SECRET)["share-protected"])
    plain = code_of(share(app, PROTECTED_VIEW)["share-short"])
    browser = app.server.test_client()
    token = form_token(browser.get(f"/s/{code}").get_data(as_text=True))
    for attempt, left in enumerate([4, 3, 2, 1]):
        clock.now = T0 + timedelta(seconds=attempt)
        wrong = browser.post(f"/s/{code}", data={"password": "not the password", "csrf_token": token})
        assert wrong.status_code == 401
        tries = "try" if left == 1 else "tries"
        assert f"Wrong password. {left} {tries} left before the link is locked for 15 minutes." in wrong.get_data(
            as_text=True)
    clock.now = T0 + timedelta(seconds=4)
    fifth = browser.post(f"/s/{code}", data={"password": "not the password", "csrf_token": token})
    assert fifth.status_code == 429
    assert "this link is locked until 09:15 UTC" in fifth.get_data(as_text=True)  # 09:00:04 + 15 minutes
    clock.now = T0 + timedelta(minutes=15)  # the right password, one second early: still locked
    locked = browser.post(f"/s/{code}", data={"password": SECRET, "csrf_token": token})
    assert locked.status_code == 429 and 'name="password"' not in locked.get_data(as_text=True)
    assert browser.get(f"/s/{code}").status_code == 200  # the page says so (no form) ...
    opened_plain = browser.get(f"/s/{plain}")  # ... and the plain link of the same view is not locked
    assert opened_plain.status_code == 302 and opened_plain.headers["Location"] == f"/{PROTECTED_VIEW}"
    clock.now = T0 + timedelta(minutes=15, seconds=5)
    opened = browser.post(f"/s/{code}", data={"password": SECRET, "csrf_token": token})
    assert opened.status_code == 302 and opened.headers["Location"] == f"/{PROTECTED_VIEW}"
    assert newest(app, 7) == [
        ("local", "permalink.open", "ok", code),
        ("local", "permalink.open", "denied", f"{code}: locked until 2025-05-01 09:15 UTC"),
        ("local", "permalink.open", "failed", f"{code}: wrong password (locked until 2025-05-01 09:15 UTC)"),
        *[("local", "permalink.open", "failed", f"{code}: wrong password")] * 4]


def test_the_report_command_refuses_a_protected_permalink(app, data_dir, tmp_path):
    code = code_of(protect(app, PROTECTED_VIEW, SECRET)["share-protected"])
    out = tmp_path / "shared.pdf"
    refused = cli_here(data_dir, "report", "--url", f"http://anywhere/s/{code}", "--out", str(out))
    assert refused.exit_code == 2 and not out.exists()
    assert f"error: permalink '{code}' is protected by a password: open it in the dashboard" in refused.stderr
