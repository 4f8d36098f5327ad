"""Sign-in in a real browser: the real server (`customer-insight serve`, gunicorn, 2 workers sharing the session key)
with CUSTOMER_INSIGHT_AUTH=on, and headless Chromium: sign in, see the dashboard, sign out, back to /login; a
viewer's page has no report buttons and no console errors, and the viewer's export URL is a 403; five wrong
passwords lock an account, a sign-in form without its CSRF token is a 400, and the admin reads both in the audit
log's page."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from appstate import open_store
from appstate.users import create_user
from tests.dashapp.conftest import load_sample_copy
from tests.dashapp.test_scope_app import ALICE, sample_with_csm_owners
from tests.e2e.conftest import browse, settled, start_server

SHOTS = Path("/tmp/customer-insight-screens")
PASSWORD = "correct horse battery"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    data = tmp_path_factory.mktemp("e2e-signin")
    # the sample with a CSM per account: CUST-001..005 are Alice's, the others Bob's (for the scoped user below)
    load_sample_copy(tmp_path_factory, sample_with_csm_owners(tmp_path_factory), data)
    store = open_store(f"sqlite:///{data / 'app.db'}")
    create_user(store, "ann", PASSWORD, role="analyst", display_name="Ann Lee")
    create_user(store, "vic", PASSWORD, role="viewer", display_name="Vic Ray")
    create_user(store, "cara", PASSWORD, role="analyst", display_name="Cara Diaz", csm_scope="Alice")
    create_user(store, "lou", PASSWORD, role="viewer", display_name="Lou Park")
    create_user(store, "ada", PASSWORD, role="admin", display_name="Ada Admin")
    with pytest.MonkeyPatch.context() as patch:  # start_server passes os.environ on to the server
        patch.setenv("CUSTOMER_INSIGHT_AUTH", "on")
        patch.delenv("CUSTOMER_INSIGHT_SECRET_KEY", raising=False)
        patch.delenv("CUSTOMER_INSIGHT_APP_DB_URL", raising=False)
        yield from start_server(data, workers=2)


def sign_in(page, name: str) -> None:
    page.fill("#username", name)
    page.fill("#password", PASSWORD)
    page.click("#signin-submit")
    page.wait_for_selector("#overview-kpi-interactions-value:not(:text('–'))", timeout=20_000)


def test_sign_in_see_the_dashboard_sign_out(server, browser):
    SHOTS.mkdir(exist_ok=True)
    context, page, errors = browse(browser, server + "?tab=support")
    assert page.url == server + "login?next=%2F%3Ftab%3Dsupport"
    page.screenshot(path=str(SHOTS / "signin.png"))
    page.fill("#username", "ann")
    page.fill("#password", "not the password")
    page.click("#signin-submit")
    assert page.locator("#signin-error").inner_text() == (
        "Wrong username or password, or the account cannot sign in now.")
    page.screenshot(path=str(SHOTS / "signin-failed.png"))
    errors.clear()  # the browser logs the failed sign-in's 401 answer
    page.fill("#password", PASSWORD)
    page.click("#signin-submit")
    page.wait_for_selector("#support-volume .main-svg", timeout=20_000)
    assert page.url == server + "?tab=support"
    assert page.locator("#signed-in-user").inner_text() == "Ann Lee · analyst"
    assert page.locator("#share-open").is_visible() and not page.locator("#refresh-start").is_visible()
    page.screenshot(path=str(SHOTS / "signed-in-analyst.png"))
    page.click("#signout")
    page.wait_for_url(server + "login")
    page.goto(server)
    assert page.url == server + "login" and page.locator("#signin-submit").is_visible()
    assert errors == []
    context.close()


def test_a_viewer_has_no_report_buttons_and_gets_403_on_an_export(server, browser):
    context, page, errors = browse(browser, server)
    sign_in(page, "vic")
    page.wait_for_selector("#overview-churn .main-svg", timeout=20_000)
    for button in ("#share-open", "#schedule-open", "#export-open", "#report-xlsx", "#refresh-start"):
        assert not page.locator(button).is_visible(), button
    assert page.locator("#signed-in-user").inner_text() == "Vic Ray · viewer"
    page.screenshot(path=str(SHOTS / "signed-in-viewer.png"))
    assert errors == []  # no callback of the hidden buttons was sent (they would be 403s)
    answer = page.request.get(server + "export/interactions.csv")
    assert answer.status == 403 and "needs the analyst role" in answer.text()
    assert page.request.get(server + "admin/audit").status == 403
    context.close()


def test_five_wrong_passwords_lock_the_account_the_admin_reads_it_in_the_audit_log(server, browser):
    context, page, errors = browse(browser, server + "login")
    for attempt in (*["wrong"] * 5, PASSWORD):  # the default lock-out: 5 failures; then even the right one fails
        page.fill("#username", "lou")
        page.fill("#password", attempt)
        page.click("#signin-submit")
        page.wait_for_selector("#signin-error")
        assert page.url.startswith(server + "login")
    page.screenshot(path=str(SHOTS / "signin-locked.png"))
    forged = page.request.post(server + "login", form={"username": "lou", "password": PASSWORD})  # no CSRF token
    assert forged.status == 400
    errors.clear()  # the browser logs the refused sign-ins' 401 answers
    sign_in(page, "ada")
    page.goto(server + "admin/audit?username=lou&action=signin")
    details = page.locator("td.audit-detail").all_inner_texts()
    assert len(details) == 6 and details[0].startswith("account locked (locked until ")  # newest first
    assert details[1].startswith("wrong password (locked until ") and set(details[2:]) == {"wrong password"}
    page.screenshot(path=str(SHOTS / "audit-lockout.png"), full_page=True)
    assert errors == []
    context.close()


def test_a_page_whose_session_ended_goes_to_the_sign_in_page_and_back(server, browser):
    context, page, _errors = browse(browser, server + "?tab=support")
    for _ in range(2):
        page.fill("#username", "vic")
        page.fill("#password", PASSWORD)
        page.click("#signin-submit")
        page.wait_for_selector("#support-volume .main-svg", timeout=20_000)
        assert page.url == server + "?tab=support"
        context.clear_cookies()  # the session is gone (as after an idle expiry): the next callback gets a 401 ...
        page.click("#tabs a:text('Overview')")
        page.wait_for_url(server + "login?next=%2F%3Ftab%3Dsupport", timeout=10_000)  # ... and the page goes here
    context.close()


def test_a_csm_sees_only_their_accounts(server, browser):
    context, page, errors = browse(browser, server + "login")
    sign_in(page, "cara")
    page.wait_for_function("document.querySelector('#in-view-counts').innerText.includes('customers')")
    assert page.locator("#in-view-counts").inner_text().startswith("5 customers")  # Alice's five of the ten
    page.goto(server + "?tab=customer&customer=CUST-007")  # Bob's account, by its URL
    page.wait_for_selector("#customer-notice", state="attached", timeout=20_000)
    settled(page)  # the customer callbacks answer
    page.screenshot(path=str(SHOTS / "signed-in-csm-other-account.png"))
    assert "CUST-007" not in page.locator("#customer-signals-body").inner_text()
    assert "Unknown customer 'CUST-007' ignored." in page.locator("#tab-content, body").first.inner_text()
    # schedules run with their owner's scope (docs/schedules.md): a scoped CSM has the Schedule button too
    assert page.locator("#export-open").is_visible() and page.locator("#schedule-open").is_visible()
    answer = page.request.get(server + "export/interactions.csv?range=all")
    rows = list(csv.DictReader(io.StringIO(answer.text().lstrip("\ufeff"))))
    assert rows and {row["customer_id"] for row in rows} <= ALICE
    assert errors == []
    context.close()
