"""Saved views through the real server (Flask test client, sign-in on, a real warehouse of the 10-customer PRD
sample and a real app-state SQLite file; the sign-in helpers of test_auth.py): a private view is invisible to the
other user, a shared one is listed to everyone with its owner and applies as a link would, a viewer cannot share
(refused by the server whatever the page sends), who may delete what, the audit log's rows, the import of a
browser's old views, and the demo (sign-in off) saving as "local"."""

from __future__ import annotations

import json

import pytest

from appstate import open_store
from appstate.presets import list_presets
from appstate.users import create_user
from config.settings import load_settings
from dashapp.app import create_app
from tests.dashapp import test_auth
from tests.dashapp.test_auth import PASSWORD, client, newest, settings_for, signed_in, store_of, value

data_dir = test_auth.data_dir  # the sign-in tests' warehouse fixture, made anew for this module
clock = test_auth.clock


@pytest.fixture(scope="module")
def app(data_dir):
    store = open_store(settings_for(data_dir))
    for name, role, display in (("ann", "analyst", "Ann Lee"), ("bea", "analyst", "Bea Roy"),
                                ("vic", "viewer", "Vic Ray"), ("ada", "admin", "Ada King")):
        create_user(store, name, PASSWORD, role=role, display_name=display)
    app = create_app(settings_for(data_dir))
    app.server.config["AUTH_CLOCK"] = test_auth.Clock()
    return app


def call(app, browser, output_start: str, values: dict[str, object], changed: list[str]):
    """POST one callback the way the page does: its inputs and states in declared order, `values` by "id.prop"
    (pattern-matching inputs: a list of (id, value) pairs), the response's JSON (asserting 200)."""
    output = next(key for key in app.callback_map if key.startswith(output_start))
    entry = app.callback_map[output]

    def spec(item: dict) -> object:
        key = f"{item['id']}.{item['property']}"
        if item["id"].startswith("{"):
            return [value(ident, item["property"], v) for ident, v in values.get(key, [])]
        return value(item["id"], item["property"], values.get(key))

    answer = test_auth.callback(browser, output, [spec(i) for i in entry["inputs"]], changed,
                                [spec(i) for i in entry["state"]])
    assert answer.status_code in (200, 204), answer.get_data(as_text=True)
    return answer.get_json()["response"] if answer.status_code == 200 else {}


def save(app, browser, name: str, search: str, shared: bool = False) -> dict:
    return call(app, browser, "..presets-version.data", {
        "preset-save.n_clicks": 1, "preset-name.value": name, "preset-shared.value": ["shared"] if shared else [],
        "url.search": search}, ["preset-save.n_clicks"])


def listed(app, browser) -> list[str]:
    """The labels of the sidebar's dropdown, group headings included."""
    answer = call(app, browser, "..preset-select.options", {"presets-version.data": None}, ["presets-version.data"])
    return [option["label"] for option in answer["preset-select"]["options"]]


def option_value(app, browser, label: str) -> str:
    answer = call(app, browser, "..preset-select.options", {"presets-version.data": None}, ["presets-version.data"])
    return next(o["value"] for o in answer["preset-select"]["options"] if o["label"] == label)


def apply(app, browser, chosen: str) -> dict:
    """The shell's sync callback fired by picking `chosen` in the dropdown, from the plain overview."""
    return call(app, browser, "..url.search...tabs.active_tab", {
        "url.search": "?tab=overview", "tabs.active_tab": "overview", "f-range.value": "all",
        "preset-select.value": chosen}, ["preset-select.value"])


def manage(app, browser, kind: str, preset_id: int, new_name: str | None = None) -> dict:
    button = {"id": preset_id, "type": kind}
    return call(app, browser, "..preset-modal.is_open", {
        f'{{"id":["ALL"],"type":"{kind}"}}.n_clicks': [(button, 1)],
        '{"id":["ALL"],"type":"preset-new-name"}.value': [({"id": preset_id, "type": "preset-new-name"}, new_name)],
    }, [json.dumps(button, separators=(",", ":"), sort_keys=True) + ".n_clicks"])


def test_a_private_view_is_invisible_to_the_other_user_a_shared_one_is_listed_with_its_owner(app, clock):
    ann, vic = signed_in(app, "ann"), signed_in(app, "vic")
    assert save(app, ann, "Ann's risky", "?tab=support&risk=High")["preset-message"]["children"] == \
        "Saved 'Ann's risky'."
    answer = save(app, ann, "Team churn", "?tab=retention&range=90d", shared=True)
    assert answer["preset-message"]["children"] == "Saved 'Team churn' (shared)."
    assert listed(app, ann) == ["My views", "Ann's risky", "Team churn · shared"]
    assert listed(app, vic) == ["Shared", "Team churn — Ann Lee"]
    # the viewer applies the shared view: the shell parses its query string as it parses a link
    applied = apply(app, vic, option_value(app, vic, "Team churn — Ann Lee"))
    assert applied["url"]["search"] == "?tab=retention&range=90d" and applied["tabs"]["active_tab"] == "retention"
    # a private view's id, sent by hand, applies nothing for another user
    private = option_value(app, ann, "Ann's risky")
    assert apply(app, vic, private) == {}
    assert apply(app, ann, private)["url"]["search"] == "?tab=support&risk=High"
    # the shared view's creation is in the audit log
    assert newest(app, 1, action="preset")[0][:3] == ("ann", "preset.share", "ok")
    assert "'Team churn'" in newest(app, 1, action="preset")[0][4]


def test_a_viewer_cannot_share_even_with_a_hand_made_request(app, clock):
    vic = signed_in(app, "vic")
    # the page hides the box from a viewer
    answer = call(app, vic, "..preset-select.options", {}, ["presets-version.data"])
    assert answer["preset-shared-box"]["className"] == "d-none"
    refused = save(app, vic, "Mine for all", "?tab=overview", shared=True)
    assert refused["preset-message"]["children"] == ("Only analysts and admins can share a saved view; save it as a "
                                                     "private one.")
    assert [p.name for p in list_presets(store_of(app), "vic") if p.owner == "vic"] == []
    assert newest(app, 1, action="preset")[0][:3] == ("vic", "preset.share", "denied")
    assert save(app, vic, "Mine", "?tab=overview")["preset-message"]["children"] == "Saved 'Mine'."
    assert "Mine" in listed(app, vic)


def test_owners_rename_and_unshare_an_admin_deletes_a_shared_view_a_viewer_does_not(app, clock):
    bea, vic, ada = signed_in(app, "bea"), signed_in(app, "vic"), signed_in(app, "ada")
    save(app, bea, "Bea weekly", "?tab=support", shared=True)
    preset_id = int(option_value(app, bea, "Bea weekly · shared")[1:])
    renamed = manage(app, bea, "preset-rename", preset_id, "Bea's weekly")
    assert renamed["preset-manage-message"]["children"] == "Renamed to 'Bea's weekly'."
    assert "Bea's weekly — Bea Roy" in listed(app, vic)
    denied = manage(app, vic, "preset-delete", preset_id)
    assert denied["preset-manage-message"]["children"] == "This saved view is not yours to delete."
    assert newest(app, 1, action="preset")[0][:3] == ("vic", "preset.delete", "denied")
    assert manage(app, ada, "preset-delete", preset_id)["preset-manage-message"]["children"] == \
        "Deleted 'Bea's weekly'."
    assert newest(app, 1, action="preset")[0][:3] == ("ada", "preset.delete", "ok")
    assert "Bea's weekly — Bea Roy" not in listed(app, vic)
    # unsharing is audited too
    save(app, bea, "Bea monthly", "?tab=product", shared=True)
    monthly = int(option_value(app, bea, "Bea monthly · shared")[1:])
    assert manage(app, bea, "preset-share", monthly)["preset-manage-message"]["children"] == \
        "'Bea monthly' is private again."
    assert newest(app, 1, action="preset")[0][:3] == ("bea", "preset.unshare", "ok")
    assert "Bea monthly — Bea Roy" not in listed(app, vic)


def test_a_browsers_old_views_become_the_users_private_ones_once(app, clock):
    ann = signed_in(app, "ann")
    kept = {"From my browser": "?tab=product&range=30d", "Ann's risky": "?tab=overview"}
    answer = call(app, ann, "..saved-presets.data", {"saved-presets.data": kept}, ["saved-presets.data"])
    assert answer["saved-presets"]["data"] == {}  # the browser's copy emptied: imported once
    assert answer["preset-message"]["children"] == "1 saved view of this browser is now among your private saved views."
    mine = {p.name: p.search for p in list_presets(store_of(app), "ann") if p.owner == "ann"}
    assert mine["From my browser"] == "tab=product&range=30d"
    assert mine["Ann's risky"] == "tab=support&risk=High"  # a name already used keeps the server's view
    assert call(app, ann, "..saved-presets.data", {"saved-presets.data": {}}, ["saved-presets.data"]) == {}


def test_the_demo_without_sign_in_saves_views_as_local(data_dir, tmp_path):
    settings = load_settings({"CUSTOMER_INSIGHT_DATA_DIR": str(data_dir),
                              "CUSTOMER_INSIGHT_APP_DB_URL": f"sqlite:///{tmp_path / 'app.db'}"})
    demo = create_app(settings)
    browser = client(demo)
    assert save(demo, browser, "Demo view", "?tab=sentiment", shared=True)["preset-message"]["children"] == \
        "Saved 'Demo view' (shared)."  # the local user is an admin: sharing is allowed
    assert [(p.owner, p.name) for p in list_presets(store_of(demo), "local")] == [("local", "Demo view")]
    assert listed(demo, browser) == ["My views", "Demo view · shared"]
