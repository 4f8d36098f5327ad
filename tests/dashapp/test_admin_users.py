"""User management on /admin/users, and the sign-in throttle per address, through the real server (Flask test client,
sign-in on, a real warehouse of the 10-customer PRD sample with CSM owners: CUST-001..005 are Alice's, the others
Bob's; a real app-state SQLite file). What the page changes is checked by what the user can then do (sign in,
download, see), not by reading it back through the page."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest

from appstate import audit, open_store
from appstate.users import create_user, get_user, list_users
from config.settings import load_settings
from dashapp.app import create_app
from tests.dashapp.conftest import load_sample_copy
from tests.dashapp.test_auth import (
    PASSWORD,
    T0,
    Clock,
    chips,
    client,
    newest,
    settings_for,
    sign_in,
    signed_in,
    store_of,
    token,
)
from tests.dashapp.test_scope_app import sample_with_csm_owners
from warehouse.scope import require_scope

THROTTLE = 4  # failed sign-ins per address in 10 minutes (the default is 20: the same code, fewer slow hashes)


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    data = tmp_path_factory.mktemp("admin-users")
    load_sample_copy(tmp_path_factory, sample_with_csm_owners(tmp_path_factory), data)
    return data


@pytest.fixture(scope="module")
def app(data_dir):
    settings = settings_for(data_dir, CUSTOMER_INSIGHT_THROTTLE_ATTEMPTS=str(THROTTLE))
    store = open_store(settings)
    create_user(store, "ada", PASSWORD, role="admin", display_name="Ada")
    create_user(store, "vic", PASSWORD, role="viewer")
    create_user(store, "ann", PASSWORD, role="analyst")
    app = create_app(settings)
    app.server.config["AUTH_CLOCK"] = Clock()
    yield app
    require_scope(False)  # the process-wide switch sign-in turned on (warehouse/scope.py)


@pytest.fixture
def clock(app):
    clock = app.server.config["AUTH_CLOCK"]
    clock.now = T0
    return clock


@pytest.fixture
def admin(app, clock):
    return signed_in(app, "ada", "10.20.0.1")


def post(browser, path: str, form_token: str | None = None, **form: str):
    """A form of the users page, with the page's CSRF token."""
    return browser.post(path, data={"csrf_token": form_token or token(browser, "/admin/users"), **form})


def page_text(browser) -> str:
    answer = browser.get("/admin/users")
    assert answer.status_code == 200
    return answer.get_data(as_text=True)


def customers_seen(browser) -> int:
    text = json.dumps(chips(browser).get_json())
    return int(re.search(r"(\d+) customers", text).group(1))


def test_an_admin_adds_a_user_who_can_then_sign_in(app, admin):
    added = post(admin, "/admin/users", username="Nia", display_name="Nia Park", role="analyst", csm_scope="",
                 password="a long password")
    assert added.status_code == 303 and added.headers["Location"] == "/admin/users"
    text = page_text(admin)
    assert "Added nia (analyst, every account)." in text and ">nia</td>" in text and "Nia Park" in text
    assert "Added nia" not in page_text(admin)  # the message is shown once
    nia = client(app, "10.20.0.2")
    assert sign_in(nia, "nia", "a long password").status_code == 302
    assert nia.get("/export/interactions.csv").status_code == 200  # an analyst's download
    assert newest(app, 1, action="user.add") == [("ada", "user.add", "ok", "10.20.0.1",
                                                  "added nia (analyst, accounts: all)")]


def test_a_generated_password_is_shown_once_and_works(app, admin):
    made = post(admin, "/admin/users", username="gus", role="viewer", password="")
    assert made.status_code == 200 and made.headers["Cache-Control"] == "no-store"
    text = made.get_data(as_text=True)
    password = re.search(r'id="users-password-value">([^<]+)<', text).group(1)
    assert re.fullmatch(r"(\w{4}-){3}\w{4}", password) and "Added gus (viewer, every account)." in text
    assert password not in page_text(admin)  # not shown again
    assert sign_in(client(app, "10.20.0.3"), "gus", password).status_code == 302
    assert newest(app, 1, action="user.add")[0][4] == "added gus (viewer, accounts: all), with a generated password"
    # a new one from the row's Generate button: the old one stops working
    again = post(admin, "/admin/users/gus/password", generate="1", password="")
    second = re.search(r'id="users-password-value">([^<]+)<', again.get_data(as_text=True)).group(1)
    assert again.status_code == 200 and second != password
    assert sign_in(client(app, "10.20.0.3"), "gus", password).status_code == 401
    assert sign_in(client(app, "10.20.0.3"), "gus", second).status_code == 302
    details = " ".join(e.detail for e in audit.list_entries(store_of(app), action="user"))
    assert password not in details and second not in details


@pytest.mark.parametrize(("form", "message"), [
    ({"username": "Bad Name", "password": "a long password", "role": "viewer"}, "a username is 1-64 letters"),
    ({"username": "shorty", "password": "Xy7#q", "role": "viewer"}, "a password has at least 8 characters"),
    ({"username": "boss", "password": "a long password", "role": "boss"},
     "role must be one of viewer, analyst, admin, got &#39;boss&#39;"),
    ({"username": "VIC", "password": "a long password", "role": "viewer"}, "a user named &#39;vic&#39; exists already"),
])
def test_bad_input_is_refused_with_a_clear_message_and_the_form_kept(app, admin, form, message):
    before = len(list_users(store_of(app)))
    refused = post(admin, "/admin/users", **form)
    text = refused.get_data(as_text=True)
    assert refused.status_code == 400 and f"The user was not added: {message}" in text
    assert f'id="add-username" name="username" value="{form["username"]}"' in text
    assert form["password"] not in text  # a typed password is not sent back
    assert len(list_users(store_of(app))) == before
    assert newest(app, 1)[0][:3] == ("ada", "user.add", "failed")


def test_a_viewer_made_analyst_gets_the_export_that_was_403_after_signing_in_again(app, admin):
    create_user(store_of(app), "vera", PASSWORD, role="viewer")
    vera = signed_in(app, "vera", "10.20.0.4")
    assert vera.get("/export/interactions.csv").status_code == 403
    assert post(admin, "/admin/users/vera/role", role="analyst").status_code == 303
    assert "vera is now an analyst; their open sessions were ended." in page_text(admin)
    assert vera.get("/").headers["Location"] == "/login"  # the open session ended
    vera = signed_in(app, "vera", "10.20.0.4")
    assert vera.get("/export/interactions.csv").status_code == 200
    assert newest(app, 1, action="user.set-role") == [
        ("ada", "user.set-role", "ok", "10.20.0.1", "set the role of vera to analyst (was viewer)")]


def test_disabling_ends_an_open_session_and_enabling_lets_the_user_back(app, admin):
    create_user(store_of(app), "dora", PASSWORD)
    dora = signed_in(app, "dora", "10.20.0.5")
    assert dora.get("/").status_code == 200
    assert post(admin, "/admin/users/dora/disable").status_code == 303
    assert dora.get("/").headers["Location"] == "/login" and chips(dora).status_code == 401
    assert sign_in(client(app, "10.20.0.5"), "dora").status_code == 401
    assert "disabled</span>" in page_text(admin).split('id="user-dora"')[1].split("</tr>")[0]
    assert post(admin, "/admin/users/dora/enable").status_code == 303
    assert sign_in(client(app, "10.20.0.5"), "dora").status_code == 302
    assert [row[1:3] + row[4:] for row in newest(app, 2, action="user")] == [
        ("user.enable", "ok", "enabled dora"), ("user.disable", "ok", "disabled dora")]


def test_a_scope_set_on_the_page_limits_what_the_user_sees(app, admin):
    create_user(store_of(app), "sue", PASSWORD, role="analyst")
    assert customers_seen(signed_in(app, "sue", "10.20.0.6")) == 10
    assert post(admin, "/admin/users/sue/scope", csm_scope="Alice").status_code == 303
    assert "sue now sees the accounts of Alice" in page_text(admin)
    assert customers_seen(signed_in(app, "sue", "10.20.0.6")) == 5  # CUST-001..005, Alice's by the sample's making
    assert '<option value="Alice">5 accounts</option>' in page_text(admin)  # the scope fields' suggestions
    # a name no account has (capitals matter): set, with a warning
    post(admin, "/admin/users/sue/scope", csm_scope="alice")
    assert "No account in the warehouse has the CSM owner &#39;alice&#39; now" in page_text(admin)
    assert customers_seen(signed_in(app, "sue", "10.20.0.6")) == 0
    post(admin, "/admin/users/sue/scope", csm_scope="")
    assert customers_seen(signed_in(app, "sue", "10.20.0.6")) == 10
    assert [row[4] for row in newest(app, 3, action="user.set-scope")] == [
        "let sue see every account", "limited sue to the accounts of alice", "limited sue to the accounts of Alice"]


def test_viewers_and_analysts_posting_to_the_admin_routes_get_403_and_are_audited(app, clock):
    before = len(list_users(store_of(app)))
    for name, address in (("vic", "10.20.0.7"), ("ann", "10.20.0.8")):
        browser = signed_in(app, name, address)
        layout = browser.get("/_dash-layout").get_data(as_text=True)  # the sign-out form's token
        form_token = re.search(r'"value":"([^"]+)","type":"hidden","name":"csrf_token"', layout).group(1)
        assert browser.get("/admin/users").status_code == 403
        assert post(browser, "/admin/users", form_token, username="mallory", password="a long password",
                    role="admin").status_code == 403
        assert post(browser, "/admin/users/ada/disable", form_token).status_code == 403
        assert post(browser, f"/admin/users/{name}/role", form_token, role="admin").status_code == 403
        assert newest(app, 3) == [
            (name, "user.set-role", "denied", address, f"/admin/users/{name}/role (HTTP 403)"),
            (name, "user.disable", "denied", address, "/admin/users/ada/disable (HTTP 403)"),
            (name, "user.add", "denied", address, "/admin/users (HTTP 403)")]
    assert len(list_users(store_of(app))) == before and get_user(store_of(app), "mallory") is None
    assert not get_user(store_of(app), "ada").disabled and get_user(store_of(app), "vic").role == "viewer"


def test_a_form_without_a_valid_csrf_token_is_refused_with_400(app, admin):
    assert admin.post("/admin/users", data={"username": "csrf1", "password": "a long password"}).status_code == 400
    forged = admin.post("/admin/users/vic/disable", data={"csrf_token": "forged"})
    assert forged.status_code == 400 and "This form had expired" in forged.get_data(as_text=True)
    assert get_user(store_of(app), "csrf1") is None and not get_user(store_of(app), "vic").disabled


def test_an_admin_can_neither_disable_nor_demote_themselves(app, admin):
    text = page_text(admin)
    assert "/admin/users/ada/disable" not in text and "/admin/users/ada/role" not in text  # no such buttons
    for path, form in (("/admin/users/ada/disable", {}), ("/admin/users/ada/role", {"role": "viewer"})):
        refused = post(admin, path, **form)
        assert refused.status_code == 400 and "Nothing was changed: you cannot" in refused.get_data(as_text=True)
    ada = get_user(store_of(app), "ada")
    assert (ada.role, ada.disabled) == ("admin", False)
    assert admin.get("/admin/users").status_code == 200  # still signed in
    assert newest(app, 1)[0][1:3] == ("user.set-role", "failed")


def test_an_admin_changing_their_own_password_stays_signed_in_here_only(app, clock):
    create_user(store_of(app), "bea", PASSWORD, role="admin")
    here, there = signed_in(app, "bea", "10.20.0.9"), signed_in(app, "bea", "10.20.0.10")
    assert post(here, "/admin/users/bea/password", password="another long one").status_code == 303
    assert here.get("/admin/users").status_code == 200 and there.get("/").headers["Location"] == "/login"
    assert sign_in(client(app, "10.20.0.9"), "bea", "another long one").status_code == 302


def test_the_last_enabled_admin_cannot_be_disabled_from_the_page(data_dir, tmp_path):
    """With sign-in off the page is the local admin's, who is no user: the only guard left is the last admin."""
    settings = load_settings({"CUSTOMER_INSIGHT_DATA_DIR": str(data_dir),
                              "CUSTOMER_INSIGHT_APP_DB_URL": f"sqlite:///{tmp_path / 'app.db'}"})
    create_user(open_store(settings), "solo", PASSWORD, role="admin")
    browser = client(create_app(settings), "10.20.1.1")
    for path, form in (("/admin/users/solo/disable", {}), ("/admin/users/solo/role", {"role": "analyst"})):
        refused = post(browser, path, **form)
        assert refused.status_code == 400
        assert ("solo is the only enabled admin and cannot be " in refused.get_data(as_text=True))
    solo = get_user(open_store(settings), "solo")
    assert (solo.role, solo.disabled) == ("admin", False)
    assert post(browser, "/admin/users", username="two", role="admin", password="a long password").status_code == 303
    assert post(browser, "/admin/users/solo/disable").status_code == 303  # another admin now: allowed
    assert [e.username for e in audit.list_entries(open_store(settings), action="user")] == ["local"] * 4


def test_unlock_and_a_typed_password_from_the_page(app, admin, clock):
    create_user(store_of(app), "lou", PASSWORD)
    for _ in range(3):  # CUSTOMER_INSIGHT_LOCKOUT_ATTEMPTS=3 in this module
        sign_in(client(app, "10.20.0.11"), "lou", "guess")
    assert sign_in(client(app, "10.20.0.12"), "lou").status_code == 401
    row = page_text(admin).split('id="user-lou"')[1].split("</tr>")[0]
    assert "locked until 08:10" in row and "/admin/users/lou/unlock" in row  # T0 08:00 + 10 minutes
    assert post(admin, "/admin/users/lou/unlock").status_code == 303
    assert sign_in(client(app, "10.20.0.12"), "lou").status_code == 302
    empty = post(admin, "/admin/users/lou/password", password="")
    assert empty.status_code == 400 and "type the new password, or press Generate" in empty.get_data(as_text=True)
    assert post(admin, "/admin/users/lou/password", password="lou's new one").status_code == 303
    assert sign_in(client(app, "10.20.0.12"), "lou").status_code == 401
    assert sign_in(client(app, "10.20.0.12"), "lou", "lou's new one").status_code == 302
    assert [row[4] for row in newest(app, 3, action="user")] == [
        "set the password of lou",
        "set the password of lou: type the new password, or press Generate to have one made (HTTP 400)",
        "unlocked lou"]


def test_the_throttle_refuses_an_address_after_its_failures_but_not_another_address(app, clock):
    create_user(store_of(app), "tia", PASSWORD)
    browser = client(app, "10.66.0.1")
    for attempt in range(THROTTLE):
        clock.now = T0 + timedelta(seconds=attempt)
        assert sign_in(browser, f"nobody{attempt}", "guess").status_code == 401
    clock.now = T0 + timedelta(seconds=THROTTLE)
    refused = sign_in(browser, "tia")  # the right password, from the throttled address
    assert refused.status_code == 429 and refused.headers["Retry-After"] == str(600 - THROTTLE)  # T0 + 10 min - now
    assert "Too many failed sign-ins from your network address. Try again in 10 minutes." in refused.get_data(
        as_text=True)
    assert newest(app, 2) == [(None, "signin.throttle", "denied", "10.66.0.1",
                               "4 failed sign-ins from this address within 10 minutes: sign-ins refused until "
                               "08:10:00 UTC"),
                              (None, "signin", "failed", "10.66.0.1", "unknown username")]
    assert sign_in(client(app, "10.66.0.2"), "tia").status_code == 302  # another address: not throttled
    assert get_user(store_of(app), "tia").failed_logins == 0  # the refused try locked nobody out
    clock.now = T0 + timedelta(minutes=10, seconds=1)  # the first failure has left the window
    assert sign_in(browser, "tia").status_code == 302


def test_throttle_settings():
    assert (load_settings({}).throttle_attempts, load_settings({}).throttle_minutes) == (20, 10)
    custom = load_settings({"CUSTOMER_INSIGHT_THROTTLE_ATTEMPTS": "50", "CUSTOMER_INSIGHT_THROTTLE_MINUTES": "2.5"})
    assert (custom.throttle_attempts, custom.throttle_minutes) == (50, 2.5)
    with pytest.raises(ValueError, match="CUSTOMER_INSIGHT_THROTTLE_ATTEMPTS must be a positive whole number"):
        load_settings({"CUSTOMER_INSIGHT_THROTTLE_ATTEMPTS": "0"})


def test_the_throttle_remembers_a_bounded_number_of_addresses():
    from dashapp.auth.throttle import SignInThrottle

    throttle = SignInThrottle(2, timedelta(minutes=10), max_addresses=2)
    throttle.failed("a", T0)
    assert throttle.failed("a", T0 + timedelta(seconds=1))  # the 2nd failure reaches the limit
    assert throttle.retry_after("a", T0 + timedelta(seconds=1)) == 599
    throttle.failed("b", T0)
    throttle.failed("a", T0 + timedelta(minutes=10))  # the first failure has left the window: 1 left, plus this one
    assert throttle.retry_after("a", T0 + timedelta(minutes=10)) == 1
    throttle.failed("c", T0)  # a third address: the one that failed longest ago ("b") is forgotten, not "a"
    assert sorted(throttle._failures) == ["a", "c"]
