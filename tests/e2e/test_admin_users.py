"""User management in a real browser: the real server (`customer-insight serve`, gunicorn) with sign-in on, and
headless Chromium. The admin adds a user from /admin/users with a generated password and an account scope picked
from the page's suggestions; that user signs in with it and sees their accounts only."""

from __future__ import annotations

import pytest

from appstate import open_store
from appstate.users import create_user
from tests.dashapp.conftest import load_sample_copy
from tests.dashapp.test_scope_app import sample_with_csm_owners
from tests.e2e.conftest import browse, start_server
from tests.e2e.test_signin import SHOTS

PASSWORD = "correct horse battery"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    data = tmp_path_factory.mktemp("e2e-admin-users")
    # CUST-001..005 are Alice's, the others Bob's
    load_sample_copy(tmp_path_factory, sample_with_csm_owners(tmp_path_factory), data)
    store = open_store(f"sqlite:///{data / 'app.db'}")
    create_user(store, "ada", PASSWORD, role="admin", display_name="Ada Lovelace")
    create_user(store, "vic", PASSWORD, role="viewer", display_name="Vic Ray")
    with pytest.MonkeyPatch.context() as patch:  # start_server passes os.environ on to the server
        patch.setenv("CUSTOMER_INSIGHT_AUTH", "on")
        patch.setenv("CUSTOMER_INSIGHT_SCHEDULER", "off")
        patch.delenv("CUSTOMER_INSIGHT_SECRET_KEY", raising=False)
        patch.delenv("CUSTOMER_INSIGHT_APP_DB_URL", raising=False)
        yield from start_server(data, workers=1)


def test_an_admin_adds_a_user_from_the_page_who_then_signs_in(server, browser):
    SHOTS.mkdir(exist_ok=True)
    context, page, errors = browse(browser, server + "admin/users")
    assert page.url == server + "login?next=%2Fadmin%2Fusers"
    page.fill("#username", "ada")
    page.fill("#password", PASSWORD)
    page.click("#signin-submit")
    page.wait_for_url(server + "admin/users")
    assert page.locator("#users-table tbody tr").count() == 2
    assert page.locator("#csm-owners option").evaluate_all("o => o.map(x => x.value)") == ["Alice", "Bob"]

    page.fill("#add-username", "Cara")  # a short password first: refused, what was typed is kept
    page.fill("#add-name", "Cara Diaz")
    page.select_option("#add-role", "analyst")
    page.fill("#add-scope", "Alice")
    page.fill("#add-password", "short")
    page.click("#add-submit")
    assert "a password has at least 8 characters" in page.locator("#users-error").inner_text()
    assert page.url == server + "admin/users"  # the answer's address is the list's: a reload does not post again
    assert page.input_value("#add-username") == "Cara" and page.input_value("#add-scope") == "Alice"
    page.screenshot(path=str(SHOTS / "admin-users-error.png"), full_page=True)
    errors.clear()  # the browser logs the refused form's 400 answer

    page.fill("#add-password", "")  # empty: the server makes one
    page.click("#add-submit")
    password = page.locator("#users-password-value").inner_text()
    assert len(password) == 19 and "Added cara (analyst, the accounts of Alice)." in page.locator(
        ".users-message").inner_text()
    row = page.locator("#user-cara")
    assert row.locator("td").nth(1).inner_text() == "Cara Diaz" and row.locator("select").input_value() == "analyst"
    page.screenshot(path=str(SHOTS / "admin-users-added.png"), full_page=True)
    page.reload()  # the list again; the password is not shown twice
    assert page.locator("#users-password").count() == 0 and page.locator("#user-cara").count() == 1
    assert errors == []
    context.close()

    context, page, errors = browse(browser, server + "login")
    page.fill("#username", "cara")
    page.fill("#password", password)
    page.click("#signin-submit")
    page.wait_for_function("(document.querySelector('#in-view-counts') || {innerText: ''}).innerText"
                           ".includes('customers')", timeout=20_000)
    assert page.locator("#in-view-counts").inner_text().startswith("5 customers")  # Alice's five of the ten
    assert page.locator("#signed-in-user").inner_text() == "Cara Diaz · analyst"
    assert errors == []
    context.close()
