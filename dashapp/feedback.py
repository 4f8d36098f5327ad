""""Feedback" on every tab: a rating of 1 to 5 and a comment, stored with the tab and the filters in view
(appstate/feedback.py) and shown to admins on /admin/feedback. Every signed-in user may send it."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import Dash, Input, Output, State, ctx, html, no_update

from appstate.db import open_store
from appstate.feedback import MAX_COMMENT, RATINGS, FeedbackError, add_feedback
from config.settings import Settings
from dashapp.auth.session import current_user
from dashapp.state import parse_search

RATING_WORDS = {1: "1 – not useful", 2: "2", 3: "3", 4: "4", 5: "5 – very useful"}


def layout() -> html.Div:
    return html.Div([
        dbc.Button("Feedback", id="feedback-open", size="sm", color="secondary", outline=True, className="ms-2",
                   title="Tell us how useful this tab is"),
        dbc.Modal([
            dbc.ModalHeader(dbc.ModalTitle("Feedback on this tab")),
            dbc.ModalBody([
                html.P("Sent with the tab and the filters in view, so that it can be looked at as you see it.",
                       className="text-muted small"),
                dbc.Label("How useful is this tab?", html_for="feedback-rating", className="fw-semibold"),
                dbc.RadioItems(id="feedback-rating", inline=True, className="mb-3",
                               options=[{"label": RATING_WORDS[r], "value": r} for r in RATINGS]),
                dbc.Label("Comment (optional)", html_for="feedback-comment", className="fw-semibold"),
                dbc.Textarea(id="feedback-comment", maxLength=MAX_COMMENT, rows=4,
                             placeholder="What is missing, wrong or good?"),
                html.Div(id="feedback-message", className="small mt-2", **{"aria-live": "polite"}),
            ]),
            dbc.ModalFooter(dbc.Button("Send", id="feedback-send", color="primary", size="sm")),
        ], id="feedback-modal", is_open=False),
    ])


def register(app: Dash, settings: Settings) -> None:
    @app.callback(Output("feedback-modal", "is_open"), Output("feedback-message", "children"),
                  Output("feedback-message", "className"), Output("feedback-rating", "value"),
                  Output("feedback-comment", "value"),
                  Input("feedback-open", "n_clicks"), Input("feedback-send", "n_clicks"),
                  State("feedback-rating", "value"), State("feedback-comment", "value"), State("url", "search"),
                  prevent_initial_call=True)
    def feedback(opened, sent, rating, comment, search):
        if ctx.triggered_id == "feedback-open":
            return True, "", "small mt-2", no_update, no_update
        user = current_user()
        tab = parse_search(search, {})[0].tab  # the view's tab (an unknown one: the default tab)
        try:
            add_feedback(open_store(settings), username=user.username if user else None, tab=tab,
                         search=search or "", rating=rating, comment=comment or "")
        except FeedbackError as exc:
            return True, str(exc), "small mt-2 text-danger", no_update, no_update
        return True, "Thank you: your feedback was sent.", "small mt-2 text-success", None, ""
