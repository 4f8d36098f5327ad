"""The usage activity report (last 30 days, a page per team) on a small warehouse whose numbers are worked out by
hand (the check-up warehouse of tests/dashapp/test_usage_tab.py; as_of_date 2024-06-30, window 06-01..06-30):
    t1 "One"  u-20: 10 + 10 events in the window (super user: 20 actions), u-19: 19 (active), u-old: outside only
              -> 39 events, 2 active users of 3, 1 super user, last activity 2024-06-30
    t2 "Two"  u-a: 1 event on 06-01 -> 1 event, 1 active user of 2 (u-b never used), 0 super users
    t-tie     u-t: 1 event on 06-30
    t30, t182, t183, t-never: no usage in the window -> no page."""

from __future__ import annotations

import re
import subprocess

import pytest

from reports.kinds import pdf_from_search
from tests.dashapp.test_usage_tab import checkup  # noqa: F401  (the fixture)


def pdf_text(pdf: bytes, tmp_path, page: int | None = None, layout: bool = True) -> str:
    path = tmp_path / "activity.pdf"
    path.write_bytes(pdf)
    pages = ["-f", str(page), "-l", str(page)] if page else []
    return subprocess.run(["pdftotext", *(["-layout"] if layout else []), *pages, str(path), "-"],
                          capture_output=True, text=True, check=True).stdout


@pytest.fixture(scope="module")
def activity(checkup, tmp_path_factory):  # noqa: F811
    report = pdf_from_search(checkup, "?tab=usage", "activity")
    return report, tmp_path_factory.mktemp("activity")


def test_the_report_covers_the_last_30_days_and_lists_the_active_teams_most_active_first(activity):
    report, tmp = activity
    assert report.tab_id == "activity"
    contents = pdf_text(report.pdf, tmp, 1)
    assert "Usage activity: last 30 days" in contents and "01 Jun 2024 – 30 Jun 2024" in contents
    listed = re.findall(r"^\s*\d+\.\s+(.+?)\s*\.[ .]*\d+\s*$", contents, re.M)
    assert [entry.rstrip(" .") for entry in listed][1:] == ["One (t1)", "t-tie (t-tie)", "Two (t2)"], listed
    text = pdf_text(report.pdf, tmp)
    assert "The 3 most active of the 3 teams with usage in these 30 days have a page each" in text


def test_a_teams_page_has_its_numbers_users_and_features(activity):
    report, tmp = activity
    text = pdf_text(report.pdf, tmp, layout=False)
    one = " ".join(text[text.rindex("One (t1)"):text.rindex("t-tie (t-tie)")].split())
    # the KPI cards (labels upper-cased by the style sheet): events, active users, super users, last activity
    assert "EVENTS, LAST 30 DAYS ACTIVE USERS SUPER USERS LAST ACTIVITY 39 2 1 30 Jun 2024 of 3 users in the team" \
        in one, one
    assert "Most active users (top 3 of 3)" in one
    # users, most actions first: u-20 20 actions on 2 days (super user), u-19 19 on 1 day, u-old none in the window
    assert re.search(r"u-20 20 2 yes .*u-19 19 1 .*u-old 0 0", one), one
    assert "Feature Events Users dashboards 29 2 reports 10 1" in one  # u-20 10 + u-19 19; u-20 10
