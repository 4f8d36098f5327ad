"""Sign-in and roles on the dashboard's Flask server (Flask test client, a real warehouse of the 10-customer PRD
sample, a real app-state SQLite file): signed-out requests are redirected or refused, each role gets what its
row of docs/security.md says (403 otherwise, also for Dash callbacks), the lock-out, CSRF, sessions, and the
audit log's rows. The clock of the sign-in code is the test's (AUTH_CLOCK), never slept on."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
from datetime import UTC, datetime, timedelta

import pytest

from appstate import audit, open_store
from appstate.users import create_user, set_disabled, set_role
from config.settings import load_settings
from dashapp.app import create_app
from dashapp.auth import AuthSetupError
from dashapp.auth.session import forget
from tests.dashapp.conftest import load_sample_copy, prd10_source
from tests.etl.conftest import SAMPLES

PASSWORD = "correct horse battery"
T0 = datetime(2025, 4, 1, 8, 0, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    data = tmp_path_factory.mktemp("auth")
    source = prd10_source(tmp_path_factory)
    load_sample_copy(tmp_path_factory, source, data)  # the same load for every module of this fixture: made once
    shutil.rmtree(source)  # "Refresh data" finds the last load's source gone: it fails at once, loads nothing
    return data


def settings_for(data_dir, **env: str):
    return load_settings({"CUSTOMER_INSIGHT_DATA_DIR": str(data_dir), "CUSTOMER_INSIGHT_AUTH": "on",
                          "CUSTOMER_INSIGHT_LOCKOUT_ATTEMPTS": "3", "CUSTOMER_INSIGHT_LOCKOUT_MINUTES": "10", **env})


@pytest.fixture(scope="module")
def app(data_dir):
    store = open_store(settings_for(data_dir))
    for name, role in (("vic", "viewer"), ("ann", "analyst"), ("ada", "admin"), ("lou", "viewer"),
                       ("sam", "viewer"), ("dee", "viewer")):
        create_user(store, name, PASSWORD, role=role, display_name=name.title())
    app = create_app(settings_for(data_dir))
    app.server.config["AUTH_CLOCK"] = Clock()
    return app


@pytest.fixture
def clock(app):
    clock = app.server.config["AUTH_CLOCK"]
    clock.now = T0
    return clock


def store_of(app):
    return app.server.config["APP_STORE"]


def client(app, address: str = "10.0.0.7"):
    browser = app.server.test_client()
    browser.environ_base["REMOTE_ADDR"] = address
    return browser


def token(browser, path: str = "/login") -> str:
    page = browser.get(path)
    return re.search(r'name="csrf_token"[^>]* value="([^"]+)"', page.get_data(as_text=True)).group(1)


def sign_in(browser, name: str, password: str = PASSWORD, next_url: str | None = None):
    form = {"username": name, "password": password, "csrf_token": token(browser)}
    if next_url is not None:
        form["next"] = next_url
    return browser.post("/login", data=form)


def signed_in(app, name: str, address: str = "10.0.0.7"):
    browser = client(app, address)
    assert sign_in(browser, name).status_code == 302
    return browser


def callback(browser, output: str, inputs: list, changed: list[str], state: list | None = None, **headers: str):
    outputs = [{"id": part.rsplit(".", 1)[0], "property": part.rsplit(".", 1)[1]}
               for part in output.strip(".").split("...")]
    return browser.post("/_dash-update-component", headers=headers,
                        json={"output": output, "outputs": outputs if output.startswith("..") else outputs[0],
                              "inputs": inputs, "changedPropIds": changed, "state": state or []})


def value(ident: str, prop: str, val: object) -> dict:
    return {"id": ident, "property": prop, "value": val}


CHIPS = "..filter-chips.children...in-view-counts.children.."
ALL_DATES = {"date_from": "2020-01-01", "date_to": "2030-12-31"}  # around every record of the sample
SHARE = "..share-modal.is_open...share-short.value...share-full.value...share-error.children.."
REFRESH = "..refresh-status.children...refresh-poll.interval...refresh-show.className...refresh-start.disabled.."
SCHEDULES = "..schedule-list.children...schedule-feedback.children...schedule-feedback.className.."


def chips(browser):
    return callback(browser, CHIPS, [value("filters", "data", ALL_DATES)], ["filters.data"])


def share(browser, search: str = "?tab=support&risk=High"):
    return callback(browser, SHARE, [value("share-open", "n_clicks", 1)], ["share-open.n_clicks"],
                    [value("url", "search", search)])


def refresh(browser, press: bool):
    return callback(browser, REFRESH, [value("refresh-start", "n_clicks", 1 if press else None),
                                       value("refresh-poll", "n_intervals", 3)],
                    ["refresh-start.n_clicks" if press else "refresh-poll.n_intervals"],
                    [value("refresh-version", "data", "v0")])


def schedule_form(name: str = "Monday churn") -> list[dict]:
    fields = {"name": name, "to": "team@example.com", "every": "weekly", "day": "0", "at": "07:00", "tz": "UTC"}
    return [value(f"schedule-{k}", "value", v) for k, v in fields.items()] + [value("url", "search", "?tab=churn")]


def add_schedule(browser, name: str = "Monday churn"):
    return callback(browser, SCHEDULES, [value("schedule-modal", "is_open", True), value("schedule-add", "n_clicks", 1),
                                         []], ["schedule-add.n_clicks"], schedule_form(name))


def newest(app, n: int = 1, **filters):
    return [(e.username, e.action, e.outcome, e.remote_addr, e.detail)
            for e in audit.list_entries(store_of(app), limit=n, **filters)]


def test_a_signed_out_browser_gets_the_sign_in_page_and_nothing_else(app):
    browser = client(app)
    page = browser.get("/?tab=support&risk=High")
    assert page.status_code == 302 and page.headers["Location"] == "/login?next=%2F%3Ftab%3Dsupport%26risk%3DHigh"
    assert browser.get("/").headers["Location"] == "/login"
    assert browser.get("/admin/audit").status_code == 302
    for path in ("/export/interactions.csv", "/_dash-layout", "/_dash-dependencies", "/admin/audit.csv"):
        assert browser.get(path).status_code == 401, path
    assert chips(browser).status_code == 401
    assert browser.get("/assets/00-bootstrap.min.css").status_code == 200  # the sign-in page's own style
    login = browser.get("/login?next=/?tab=support")
    assert login.status_code == 200 and 'name="next" value="/?tab=support"' in login.get_data(as_text=True)


def test_sign_in_goes_back_to_the_page_asked_for_and_never_to_another_site(app, clock):
    browser = client(app)
    done = sign_in(browser, "VIC", next_url="/?tab=support")
    assert done.status_code == 302 and done.headers["Location"] == "/?tab=support"
    assert browser.get("/").status_code == 200
    for target in ("//evil.example/x", "https://evil.example/", "/\\evil.example", "/\t/evil.example",
                   "javascript:alert(1)"):
        assert sign_in(client(app), "vic", next_url=target).headers["Location"] == "/"
    assert newest(app)[0][:4] == ("vic", "signin", "ok", "10.0.0.7")


def test_sign_in_makes_a_new_session_in_an_httponly_samesite_cookie(app, clock):
    browser = client(app)
    token(browser)
    with browser.session_transaction() as before:
        assert set(before) == {"csrf_token"}  # signed out: only the form's token
        old_token = before["csrf_token"]
    done = sign_in(browser, "vic")
    cookie = done.headers["Set-Cookie"]
    assert cookie.startswith("ci_session=") and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # CUSTOMER_INSIGHT_COOKIE_SECURE is off for this http:// test server
    with browser.session_transaction() as first:
        assert "csrf_token" not in first and first["uid"] > 0 and first["seen"] == T0.timestamp()
        first_sid = first["sid"]
    assert sign_in(client(app), "vic").status_code == 302
    browser.get("/_dash-layout")  # the sign-out form's token: a new one, not the signed-out page's
    with browser.session_transaction() as later:
        assert later["sid"] == first_sid and later["csrf_token"] != old_token
    again = client(app)
    sign_in(again, "vic")
    with again.session_transaction() as other:
        assert other["sid"] != first_sid and len(other["sid"]) >= 20


def test_a_viewer_sees_dashboards_but_gets_403_on_exports_and_privileged_callbacks(app, clock):
    browser = signed_in(app, "vic", "10.9.8.7")
    counts = chips(browser)
    assert counts.status_code == 200
    assert json.loads(counts.data)["response"]["in-view-counts"]["children"].startswith("10 customers · ")
    assert refresh(browser, press=False).status_code == 200  # the status poll every page makes
    for denied in (browser.get("/export/interactions.csv"), browser.get("/export/view.xlsx?tab=overview"),
                   refresh(browser, press=True), add_schedule(browser), share(browser),
                   browser.get("/admin/audit"), browser.get("/admin/users")):
        assert denied.status_code == 403
    assert newest(app, 7) == [
        ("vic", "admin", "denied", "10.9.8.7", "/admin/users (HTTP 403)"),
        ("vic", "admin", "denied", "10.9.8.7", "/admin/audit (HTTP 403)"),
        ("vic", "permalink.create", "denied", "10.9.8.7", "?tab=support&risk=High (HTTP 403)"),
        ("vic", "schedule.add", "denied", "10.9.8.7",
         "name=Monday churn; to=team@example.com; every=weekly; day=0; at=07:00; tz=UTC; view=?tab=churn (HTTP 403)"),
        ("vic", "refresh.start", "denied", "10.9.8.7", "(HTTP 403)"),
        ("vic", "export", "denied", "10.9.8.7", "/export/view.xlsx?tab=overview (HTTP 403)"),
        ("vic", "export", "denied", "10.9.8.7", "/export/interactions.csv (HTTP 403)"),
    ]


def test_an_analyst_downloads_shares_and_schedules_but_cannot_refresh_or_administer(app, clock, data_dir):
    browser = signed_in(app, "ann", "10.1.1.1")
    export = browser.get("/export/interactions.csv?tab=overview")
    assert export.status_code == 200 and export.mimetype == "text/csv"
    raw = json.loads((SAMPLES / "prd_raw_10" / "customer_interactions.json").read_text())
    rows = list(csv.DictReader(io.StringIO(export.data.decode("utf-8-sig"))))  # Excel-friendly BOM
    assert len(rows) == len(raw) == 30
    assert sorted(r["interaction_id"] for r in rows) == sorted(r["interaction_id"] for r in raw)
    shared = share(browser)
    assert shared.status_code == 200
    code = json.loads(shared.data)["response"]["share-short"]["value"].rsplit("/", 1)[1]
    scheduled = add_schedule(browser, "Weekly for ann")
    assert "Scheduled: 'Weekly for ann'" in json.loads(scheduled.data)["response"]["schedule-feedback"]["children"]
    assert refresh(browser, press=True).status_code == 403
    assert browser.get("/admin/audit").status_code == 403
    assert browser.get(f"/s/{code}").headers["Location"] == "/?tab=support&risk=High"
    assert newest(app, 5) == [
        ("ann", "admin", "denied", "10.1.1.1", "/admin/audit (HTTP 403)"),
        ("ann", "refresh.start", "denied", "10.1.1.1", "(HTTP 403)"),
        ("ann", "schedule.add", "ok", "10.1.1.1",
         "name=Weekly for ann; to=team@example.com; every=weekly; day=0; at=07:00; tz=UTC; view=?tab=churn"),
        ("ann", "permalink.create", "ok", "10.1.1.1", "?tab=support&risk=High"),
        ("ann", "export", "ok", "10.1.1.1", "/export/interactions.csv?tab=overview"),
    ]


def test_deleting_a_schedule_is_audited_but_redrawing_its_delete_buttons_is_not(app, clock):
    from appstate.schedules import list_schedules

    browser = signed_in(app, "ann", "10.1.1.2")
    add_schedule(browser, "To be deleted")
    made = next(s for s in list_schedules(store_of(app)) if s.name == "To be deleted")

    def delete(clicks):
        button = {"index": made.id, "type": "schedule-delete"}
        return callback(browser, SCHEDULES, [value("schedule-modal", "is_open", True),
                                             value("schedule-add", "n_clicks", None),
                                             [value(button, "n_clicks", clicks)]],
                        [json.dumps(button, separators=(",", ":"), sort_keys=True) + ".n_clicks"], schedule_form())

    assert delete(None).status_code == 200  # the list drawn anew: its buttons fire with no click
    assert newest(app)[0][1] == "schedule.add"
    assert delete(1).status_code == 200
    assert newest(app)[0] == ("ann", "schedule.delete", "ok", "10.1.1.2", f"schedule id={made.id}")
    assert all(s.id != made.id for s in list_schedules(store_of(app)))


def test_an_admin_refreshes_and_reads_the_audit_log_as_a_page_and_as_csv(app, clock):
    browser = signed_in(app, "ada", "10.2.2.2")
    started = refresh(browser, press=True)
    assert started.status_code == 200
    assert json.loads(started.data)["response"]["refresh-status"]["children"].startswith(
        "Refresh failed: the source of the last load is gone")
    assert newest(app)[0] == ("ada", "refresh.start", "ok", "10.2.2.2", "")
    page = browser.get("/admin/audit?action=refresh")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "refresh.start" in text and "10.2.2.2" in text and ">signin<" not in text
    users = browser.get("/admin/users").get_data(as_text=True)
    assert all(f">{name}</td>" in users for name in ("vic", "ann", "ada"))
    download = browser.get("/admin/audit.csv?username=ada")
    rows = list(csv.reader(io.StringIO(download.get_data(as_text=True))))
    assert download.status_code == 200 and rows[0] == ["at", "username", "action", "outcome", "remote_addr", "detail"]
    assert [r[1:5] for r in rows[1:]] == [["ada", "audit.export", "ok", "10.2.2.2"],  # this download itself
                                          ["ada", "refresh.start", "ok", "10.2.2.2"],
                                          ["ada", "signin", "ok", "10.2.2.2"]]
    assert newest(app)[0][:4] == ("ada", "audit.export", "ok", "10.2.2.2")


def test_the_layout_hides_what_the_role_cannot_use_and_shows_the_user(app, clock):
    def classes(browser) -> dict[str, str]:
        found: dict[str, str] = {}

        def walk(node):
            if isinstance(node, list):
                for child in node:
                    walk(child)
            elif isinstance(node, dict) and "props" in node:
                props = node["props"]
                if isinstance(props.get("id"), str):
                    found[props["id"]] = props.get("className") or ""
                walk(props.get("children"))

        walk(json.loads(browser.get("/_dash-layout").data))
        return found

    viewer, analyst, admin = classes(signed_in(app, "vic")), classes(signed_in(app, "ann")), classes(
        signed_in(app, "ada"))
    for button in ("report-menu", "report-xlsx", "export-open", "schedule-open", "share-open"):
        assert "d-none" in viewer[button] and "d-none" not in analyst[button], button
    assert "d-none" in analyst["refresh-start"] and "d-none" not in admin["refresh-start"]
    assert "signout" in viewer and "admin-audit-link" in admin and "admin-audit-link" not in analyst


def test_wrong_passwords_lock_the_account_even_for_the_right_one_until_the_lock_expires(app, clock):
    browser = client(app, "10.6.6.6")
    for attempt in range(3):
        clock.now = T0 + timedelta(seconds=attempt)
        failed = sign_in(browser, "lou", "guess")
        assert failed.status_code == 401 and "Wrong username or password" in failed.get_data(as_text=True)
    clock.now = T0 + timedelta(minutes=9, seconds=59)
    locked = sign_in(browser, "lou")  # the right password
    assert locked.status_code == 401 and "Wrong username or password" in locked.get_data(as_text=True)
    assert browser.get("/").status_code == 302
    assert newest(app, 4) == [  # the reasons, which the page does not tell
        ("lou", "signin", "failed", "10.6.6.6", "account locked (locked until 2025-04-01 08:10 UTC)"),
        ("lou", "signin", "failed", "10.6.6.6", "wrong password (locked until 2025-04-01 08:10 UTC)"),
        ("lou", "signin", "failed", "10.6.6.6", "wrong password"),
        ("lou", "signin", "failed", "10.6.6.6", "wrong password")]
    clock.now = T0 + timedelta(minutes=10, seconds=3)  # the 3rd failure was at T0 + 2 s: locked for 10 minutes
    assert sign_in(browser, "lou").status_code == 302 and browser.get("/").status_code == 200


def test_an_unknown_name_fails_like_a_wrong_password_and_is_not_written_down(app, clock):
    failed = sign_in(client(app), "my-password-typed-here", "whatever")
    assert failed.status_code == 401 and "Wrong username or password" in failed.get_data(as_text=True)
    assert newest(app)[0] == (None, "signin", "failed", "10.0.0.7", "unknown username")


def test_forms_without_a_valid_csrf_token_are_refused_with_400(app, clock):
    browser = client(app)
    assert browser.post("/login", data={"username": "vic", "password": PASSWORD}).status_code == 400
    browser.get("/login")  # a session with a token, but the form carries another one
    assert browser.post("/login", data={"username": "vic", "password": PASSWORD,
                                        "csrf_token": "forged"}).status_code == 400
    assert browser.get("/").status_code == 302  # not signed in
    viewer = signed_in(app, "vic")
    assert viewer.post("/logout").status_code == 400
    assert viewer.get("/").status_code == 200  # still signed in


def test_a_cross_site_callback_is_refused_and_a_same_site_one_served(app, clock):
    browser = signed_in(app, "vic")
    assert callback(browser, CHIPS, [value("filters", "data", ALL_DATES)], ["filters.data"],
                    Origin="http://evil.example").status_code == 403
    assert callback(browser, CHIPS, [value("filters", "data", ALL_DATES)], ["filters.data"],
                    Referer="http://evil.example/page").status_code == 403
    assert callback(browser, CHIPS, [value("filters", "data", ALL_DATES)], ["filters.data"],
                    Origin="http://localhost").status_code == 200
    assert callback(browser, "no-such.children", [], []).status_code == 404


def test_sign_out_ends_the_session_and_every_copy_of_its_cookie(app, clock):
    browser = signed_in(app, "sam")
    cookie = browser.get_cookie("ci_session").value
    layout = browser.get("/_dash-layout").get_data(as_text=True)  # the header's sign-out form and its token
    form_token = re.search(r'"value":"([^"]+)","type":"hidden","name":"csrf_token"', layout).group(1)
    done = browser.post("/logout", data={"csrf_token": form_token})
    assert done.status_code == 302 and done.headers["Location"] == "/login"
    assert browser.get("/").status_code == 302
    copy = client(app)
    copy.set_cookie("ci_session", cookie)
    assert copy.get("/").status_code == 302 and chips(copy).status_code == 401
    assert newest(app)[0][:3] == ("sam", "signout", "ok")


def test_a_new_role_or_disabling_ends_the_open_session(app, clock):
    browser = signed_in(app, "dee")
    assert browser.get("/export/interactions.csv").status_code == 403
    dee = set_role(store_of(app), "dee", "analyst")
    forget(dee.id, store_of(app))  # what every worker does by itself within USER_CACHE_S
    assert browser.get("/export/interactions.csv").status_code == 401  # the page was laid out for a viewer
    browser = signed_in(app, "dee")
    assert browser.get("/export/interactions.csv").status_code == 200
    set_disabled(store_of(app), "dee", True)
    forget(dee.id, store_of(app))
    assert browser.get("/").headers["Location"] == "/login"
    assert chips(browser).status_code == 401


def test_an_idle_session_expires(app, clock):
    browser = signed_in(app, "vic")
    clock.now = T0 + timedelta(hours=11, minutes=59)
    assert browser.get("/").status_code == 200  # used: the idle clock starts again
    clock.now = T0 + timedelta(hours=23, minutes=58)
    assert browser.get("/").status_code == 200
    clock.now = T0 + timedelta(hours=36)
    assert browser.get("/").headers["Location"] == "/login"


def test_the_session_key_is_made_once_private_and_shared_by_every_server_on_the_data(app, data_dir, clock):
    key_file = data_dir / "secret_key"
    assert oct(key_file.stat().st_mode & 0o777) == "0o600" and len(key_file.read_text().strip()) >= 60
    cookie = signed_in(app, "vic").get_cookie("ci_session").value
    other = create_app(settings_for(data_dir))  # another worker, or the server after a restart
    other.server.config["AUTH_CLOCK"] = clock
    browser = other.server.test_client()
    browser.set_cookie("ci_session", cookie)
    assert browser.get("/").status_code == 200


def test_with_sign_in_on_and_no_user_the_server_refuses_to_start(tmp_path):
    with pytest.raises(AuthSetupError, match="customer-insight users add NAME --role admin"):
        create_app(settings_for(tmp_path))


def test_with_sign_in_off_everyone_is_the_local_admin_and_actions_are_audited_as_local(data_dir, tmp_path):
    settings = load_settings({"CUSTOMER_INSIGHT_DATA_DIR": str(data_dir),
                              "CUSTOMER_INSIGHT_APP_DB_URL": f"sqlite:///{tmp_path / 'app.db'}"})
    app = create_app(settings)
    browser = client(app, "10.3.3.3")
    assert browser.get("/").status_code == 200
    assert browser.get("/login").headers["Location"] == "/"
    assert browser.get("/export/tickets.csv?tab=support").status_code == 200
    assert browser.get("/admin/audit").status_code == 200
    assert newest(app) == [("local", "export", "ok", "10.3.3.3", "/export/tickets.csv?tab=support")]
