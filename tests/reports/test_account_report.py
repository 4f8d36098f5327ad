"""The account report (the Customer tab's report) on the small known warehouse of tests/dashapp/test_customer_tab.py:
C1 has 14 records (3 interactions, 2 reviews, 3 tickets of which T1 and T2 open, 3 orders, 3 usage days) and a team
of five users, Ann (U1) the only super user (20 actions in 30 days). Every expected value below is from that
docstring, worked out by hand."""

from __future__ import annotations

import duckdb
import plotly.graph_objects as go
import pytest

from dashapp.tabs import customer, customer_team
from insight.stage import build_churn_tables
from reports.content import build_tab_data, build_tab_report
from reports.html import to_html
from tests.dashapp.test_customer_tab import CUSTOMERS, INTERACTIONS, ORDERS, REVIEWS, TICKETS, USAGE, USERS
from tests.warehouse.builder import build_warehouse
from warehouse.filters import Filters
from warehouse.reader import WarehouseReader

TITLES = ["Account", "Timeline", "Records", "Team and users", "Feature usage"]


@pytest.fixture(scope="module")
def reader(tmp_path_factory):
    path = tmp_path_factory.mktemp("account") / "warehouse.duckdb"
    build_warehouse(path, CUSTOMERS, interactions=INTERACTIONS, reviews=REVIEWS, tickets=TICKETS, usage_events=USAGE,
                    users=USERS, orders=ORDERS).close()
    con = duckdb.connect(str(path))
    build_churn_tables(con)  # as a load does (too little history for a model: the tables are empty)
    con.close()
    reader = WarehouseReader(path)
    yield reader
    reader.close()


@pytest.fixture(scope="module")
def report(reader):
    return build_tab_report(reader, "customer", Filters(), customer="C1")


def html_of(report, title: str) -> str:
    card = next(c for c in report.cards if c.title == title)
    return str(to_html(card.body, lambda _figure: "[figure]"))


def test_the_account_report_is_titled_with_the_account_and_has_every_part(report):
    assert report.label == "Account report: Acme_Corp 100% (C1)"
    assert [card.title for card in report.cards] == TITLES
    assert report.missing == [] and not any(isinstance(card.body, str) for card in report.cards)


def test_the_account_card_has_the_name_the_signals_and_the_summary(reader, report):
    html = html_of(report, "Account")
    assert "Acme_Corp 100%" in html and "C1" in html and "CSM Mia" in html
    # C1 by hand: Mixed persona, Medium churn risk and upsell, 3 tickets of which 2 open, average rating 3.5
    for signal, value in (("Persona", "Mixed"), ("Churn risk", "Medium"), ("Upsell opportunity", "Medium"),
                          ("Tickets", "3"), ("Average rating", "3.50 / 5"), ("Value segment", "High Value")):
        assert f"<th>{signal}</th><td style=" in html and f">{value}</td>" in html, signal
    assert "2 open" in html and "not scored by the churn model" in html
    summary, band = reader._connection().execute(
        "select s.customer_summary, h.health_band from analytics.insight_summaries s join analytics.customer_health h "
        "using (customer_id) where customer_id = 'C1'").fetchone()
    assert summary in html and f"({band})" in html  # the health score with its band, in words


def test_the_summary_carries_the_churn_models_reasons_and_action(reader):
    row = customer.signals_row(reader, Filters(), "C1")
    row.update(churn_probability=0.42, churn_band="High", reason_1="no activity for 64 days",
               reason_2="sentiment fell by 0.38", reason_3=None, recommended_action="CSM call", action_due_days=7)
    html = str(to_html(customer.summary_card(row), lambda _f: ""))
    assert "42% probability of no activity in the next horizon (High) — no activity for 64 days; sentiment fell by " \
           "0.38." in html
    assert "CSM call (within 7 days)" in html
    assert "churn model: 42% (High)" in str(to_html(customer.signals_table(row), lambda _f: ""))


def test_the_records_are_the_complete_timeline_with_whole_texts(report):
    html = html_of(report, "Records")
    body = html.split("<tbody>", 1)[1]
    assert body.count("<tr") == 14  # 3 + 2 + 3 + 3 + 3 records, by hand
    assert "Records 1–14 of 14, open tickets first" in html and "Show more" not in html
    # open tickets first (T2 of 03-01, T1 of 01-05), then newest first (I3 of 06-20 is the newest of the rest)
    assert body.index("ticket T2") < body.index("ticket T1") < body.index("20 Jun 2024")
    assert "Refund 20.00 × 1" in body and "Requested: " in body


def test_the_team_names_its_super_users_and_lists_every_user(report, reader, monkeypatch):
    html = html_of(report, "Team and users")
    assert "<strong>Super users (1): </strong>Ann." in html
    assert "All 5 users, most actions in the last 30 days first." in html
    users = html.split("<tbody>")[-1]
    assert users.count("<tr") == 5 and users.index("Ann") < users.index("Bob")
    assert "★ super user" in users.split("Bob")[0] and users.count("★ super user") == 1
    monkeypatch.setattr(customer_team, "REPORT_USERS", 2)
    short = str(to_html(customer_team.report_team(reader, "C1", all_rows=False), lambda _f: ""))
    assert "The first 2 of 5 users" in short and "has all 5" in short
    assert short.split("<tbody>")[-1].count("<tr") == 2


def test_the_feature_chart_and_an_account_without_usage(report, reader):
    figure = next(c for c in report.cards if c.title == "Feature usage").body
    assert isinstance(figure, go.Figure) and list(figure.data[1].y) == ["report", "export", "upload", "search"]
    empty = build_tab_report(reader, "customer", Filters(), customer="C3")  # no users, no usage
    assert "This account has no product usage data" in html_of(empty, "Team and users")
    assert "This account has no product usage data" in html_of(empty, "Feature usage")


def test_the_data_export_of_the_account(reader):
    data = {card.card_id: card for card in build_tab_data(reader, "customer", Filters(), customer="C1").cards}
    assert list(data) == ["customer-signals", "customer-timeline", "customer-records", "customer-team",
                          "customer-features"]
    assert len(dict(data["customer-records"].frames)["customer/customer_timeline"]) == 14
    team = dict(data["customer-team"].frames)
    assert len(team["customer/customer_users"]) == 5 and int(team["customer/customer_team"]["team_size"][0]) == 5
    assert data["customer-signals"].frames[-1][0] == "customer/customer_signals"
