"""The "Feedback" button through the real server (Flask test client, sign-in on, the 10-customer PRD sample): a
viewer's rating and comment are stored with the tab, the view and who sent it; only admins read them."""

from __future__ import annotations

import csv
import io

import pytest

from appstate import open_store
from appstate.feedback import list_feedback
from appstate.users import create_user
from dashapp.app import create_app
from tests.dashapp.test_auth import PASSWORD, callback, settings_for, signed_in, value
from tests.etl.conftest import SAMPLES, run_cli
from warehouse.scope import require_scope

FEEDBACK = ("..feedback-modal.is_open...feedback-message.children...feedback-message.className..."
            "feedback-rating.value...feedback-comment.value..")


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    data = tmp_path_factory.mktemp("feedback")
    run_cli(data, "load", "--source", str(SAMPLES / "prd_raw_10"))
    store = open_store(settings_for(data))
    create_user(store, "vic", PASSWORD, role="viewer")
    create_user(store, "ada", PASSWORD, role="admin")
    yield create_app(settings_for(data))
    require_scope(False)


def send(browser, rating, comment: str, search: str = "?tab=support&risk=High"):
    return callback(browser, FEEDBACK, [value("feedback-open", "n_clicks", 1), value("feedback-send", "n_clicks", 1)],
                    ["feedback-send.n_clicks"], [value("feedback-rating", "value", rating),
                                                 value("feedback-comment", "value", comment),
                                                 value("url", "search", search)])


def test_a_viewer_sends_feedback_and_an_admin_reads_it(app):
    vic = signed_in(app, "vic")
    answer = send(vic, 4, "Please add the SLA by agent")
    assert answer.status_code == 200
    response = answer.get_json()["response"]
    assert response["feedback-message"]["children"] == "Thank you: your feedback was sent."
    assert response["feedback-rating"]["value"] is None and response["feedback-comment"]["value"] == ""  # cleared
    newest = list_feedback(app.server.config["APP_STORE"])[0]
    assert (newest.username, newest.tab, newest.search, newest.rating, newest.comment) == (
        "vic", "support", "?tab=support&risk=High", 4, "Please add the SLA by agent")

    assert vic.get("/admin/feedback").status_code == 403
    page = signed_in(app, "ada").get("/admin/feedback")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Please add the SLA by agent" in text and 'href="/?tab=support&amp;risk=High"' in text
    rows = list(csv.DictReader(io.StringIO(signed_in(app, "ada").get("/admin/feedback.csv").get_data(as_text=True))))
    assert ("vic", "support", "4") in {(r["username"], r["tab"], r["rating"]) for r in rows}


def test_feedback_without_a_rating_is_refused_with_a_message(app):
    before = len(list_feedback(app.server.config["APP_STORE"]))
    response = send(signed_in(app, "vic"), None, "no stars").get_json()["response"]
    assert response["feedback-message"]["children"] == "Choose a rating from 1 to 5."
    assert "text-danger" in response["feedback-message"]["className"]
    assert len(list_feedback(app.server.config["APP_STORE"])) == before
