"""Feedback (appstate/feedback.py) in a real SQLite app database: what is stored, what is refused with a message,
the per-tab averages and the CSV an admin downloads (formula-looking cells quote-prefixed)."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest

from appstate.feedback import FeedbackError, add_feedback, csv_text, list_feedback, ratings_by_tab

T = datetime(2025, 5, 1, 9, 30, tzinfo=UTC)


def test_feedback_is_stored_with_its_view_newest_first(store):
    add_feedback(store, username="ann", tab="support", search="?tab=support&risk=High", rating=2,
                 comment="  SLA chart is hard to read  ", now=T)
    add_feedback(store, username="vic", tab="overview", search="?tab=overview", rating=5, comment="", now=T)
    items = list_feedback(store)
    assert [(i.username, i.tab, i.search, i.rating, i.comment) for i in items] == [
        ("vic", "overview", "?tab=overview", 5, ""),
        ("ann", "support", "?tab=support&risk=High", 2, "SLA chart is hard to read"),  # trimmed
    ]
    assert items[1].at == T
    assert [i.tab for i in list_feedback(store, tab="support")] == ["support"]


@pytest.mark.parametrize("rating", [0, 6, None, "3", 2.5])
def test_a_rating_outside_1_to_5_is_refused(store, rating):
    with pytest.raises(FeedbackError, match="rating from 1 to 5"):
        add_feedback(store, username="ann", tab="support", search="", rating=rating, comment="")
    assert list_feedback(store) == []


def test_a_comment_over_2000_characters_is_refused_with_its_length(store):
    with pytest.raises(FeedbackError, match="2,001 characters long; at most 2,000"):
        add_feedback(store, username="ann", tab="support", search="", rating=3, comment="x" * 2001)


def test_ratings_by_tab(store):
    for tab, rating in (("support", 2), ("support", 5), ("support", 4), ("usage", 1)):
        add_feedback(store, username="ann", tab=tab, search=f"?tab={tab}", rating=rating, comment="")
    assert ratings_by_tab(store) == [("support", 3, pytest.approx(11 / 3)), ("usage", 1, 1.0)]


def test_the_csv_quotes_formula_looking_comments(store):
    add_feedback(store, username="ann", tab="support", search="?tab=support", rating=1,
                 comment='=HYPERLINK("http://evil","x")', now=T)
    rows = list(csv.reader(io.StringIO("".join(csv_text(store)))))
    assert rows == [["at", "username", "tab", "rating", "comment", "view"],
                    ["2025-05-01T09:30:00+00:00", "ann", "support", "1", '\'=HYPERLINK("http://evil","x")',
                     "?tab=support"]]
