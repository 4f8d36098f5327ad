"""KPI alerts through the real parts: the PRD-sample warehouse, an app database of each test's own and a real SMTP
server on 127.0.0.1. The value an alert mails is checked against the same KPI computed here with plain SQL on the
warehouse (duckdb), and "once per crossing" over several runs, the crossing made by editing the threshold and the
saved filters between runs."""

from __future__ import annotations

import os
import subprocess
from datetime import UTC, datetime, timedelta

import duckdb
import pytest

from appstate import AppStore, open_store
from appstate.alerts import add_alert, alerts_to_check, get_alert, list_alerts, update_alert
from appstate.deliveries import list_deliveries
from config.settings import load_settings
from dashapp.tabs import overview
from reports.alerts import check_alert, metrics
from reports.schedule import run_due, warehouse_version
from tests.reports.mailbox import body_of, dash_call, free_port, mail_settings, smtp_server
from tests.reports.test_schedule import CLI, all_time_chip, dialog  # noqa: F401 (dialog: a fixture)
from warehouse.filters import Filters
from warehouse.reader import WarehouseReader

# % of the customers with a record (interaction, review, ticket; "all time" keeps them all) of one value segment who
# are at High churn risk: the Overview KPI written independently of sql/queries.
HIGH_CHURN_SQL = """
with active as (
    select customer_id from analytics.fact_customer_interactions
    union select customer_id from analytics.fact_product_reviews
    union select customer_id from analytics.fact_support_tickets
)
select 100.0 * count(*) filter (where signals.churn_risk = 'High') / count(*)
from active
join analytics.customer_persona_signals as signals using (customer_id)
join analytics.customer_base as base using (customer_id)
where base.value_segment = ?
"""
START = datetime(2025, 6, 2, 8, 0, tzinfo=UTC)


def high_churn_pct(data_dir, segment: str) -> float:
    with duckdb.connect(str(data_dir / "warehouse.duckdb"), read_only=True) as con:
        return con.execute(HIGH_CHURN_SQL, [segment]).fetchone()[0]


@pytest.fixture
def smtp():
    with smtp_server() as server:
        yield server


def test_an_alert_mails_once_per_crossing_with_the_kpi_of_its_saved_filters(data_dir, tmp_path, smtp):
    port, mailbox = smtp
    expected = high_churn_pct(data_dir, "High Value")
    assert 5 < expected < 95 and high_churn_pct(data_dir, "Low Value") < expected - 1  # the sample allows the test
    settings = mail_settings(data_dir, tmp_path / "app.db", port)
    store = open_store(settings)
    alert = add_alert(store, name="Churn watch", metric="high_churn_risk_pct", operator="above",
                      threshold=expected - 5, search="?tab=overview&segment=High+Value", recipients="ana@example.com")
    clock = iter(START + timedelta(minutes=i) for i in range(100))

    def run() -> list:
        return run_due(settings, now=next(clock))

    # 1. already true at the first check: one mail, with the value computed independently above
    [first] = run()
    assert first.status == "sent"
    [mail] = mailbox.received
    assert mail.message["Subject"] == \
        f"Alert: Customers at high churn risk above {expected - 5:.1f} % – now {expected:.1f} %"
    body = body_of(mail.message)
    assert f"Customers at high churn risk is {expected:.1f} %, above the threshold of {expected - 5:.1f} %." in body
    assert f"Filters: {all_time_chip()} · Value segment: High Value" in body
    assert "https://insight.example.com/dash/?tab=overview&segment=High+Value" in body
    assert get_alert(store, alert.id).last_value == pytest.approx(expected)
    # 2. nothing changed (same data, same alert): not even computed again
    assert run() == []
    # 3. still true under an edited threshold: checked, silent
    update_alert(store, alert.id, threshold=expected - 1)
    [still] = run()
    assert still.status == "checked" and "still above" in still.detail and len(mailbox.received) == 1
    # 4. false: re-armed, silent
    update_alert(store, alert.id, threshold=expected + 1)
    [armed] = run()
    assert armed.status == "checked" and get_alert(store, alert.id).state == "clear"
    assert run() == [] and len(mailbox.received) == 1
    # 5. true again: the second crossing, the second mail
    update_alert(store, alert.id, threshold=expected - 1)
    assert [o.status for o in run()] == ["sent"] and len(mailbox.received) == 2
    # 6. the saved filters cross it too: the Low Value segment is under the threshold, then back to High Value
    update_alert(store, alert.id, search="?tab=overview&segment=Low+Value")
    assert [o.status for o in run()] == ["checked"] and get_alert(store, alert.id).state == "clear"
    update_alert(store, alert.id, search="?tab=overview&segment=High+Value")
    assert [o.status for o in run()] == ["sent"] and len(mailbox.received) == 3
    assert [d.status for d in list_deliveries(store)] == ["sent"] * 3


def test_of_two_runners_that_read_the_alert_only_the_first_sends(data_dir, tmp_path, smtp):
    port, mailbox = smtp
    settings = mail_settings(data_dir, tmp_path / "app.db", port)
    runner_a, runner_b = AppStore(settings.app_db), AppStore(settings.app_db)
    add_alert(runner_a, name="a", metric="interactions", operator="above", threshold=0, search="?tab=overview",
              recipients="ana@example.com")
    version = warehouse_version(settings)
    [seen_a], [seen_b] = alerts_to_check(runner_a, version), alerts_to_check(runner_b, version)
    reader = WarehouseReader(data_dir / "warehouse.duckdb")
    first = check_alert(settings, runner_a, reader, seen_a, START, version)
    second = check_alert(settings, runner_b, reader, seen_b, START, version)
    assert first.status == "sent" and second is None and len(mailbox.received) == 1


def test_a_failed_alert_mail_is_sent_by_the_next_run_that_finds_it_still_true(data_dir, tmp_path):
    port = free_port()  # the SMTP server is down
    settings = mail_settings(data_dir, tmp_path / "app.db", port)
    store = open_store(settings)
    alert = add_alert(store, name="r", metric="avg_rating", operator="below", threshold=5, search="?tab=product",
                      recipients="ana@example.com")
    [failed] = run_due(settings, now=START)
    assert failed.status == "failed" and "mail failed" in failed.detail
    assert get_alert(store, alert.id).state == "retry"
    assert [o.status for o in run_due(settings, now=START)] == ["failed"]  # the same data, but retried
    with smtp_server(port=port) as (_port, mailbox):
        assert [o.status for o in run_due(settings, now=START)] == ["sent"]
        assert run_due(settings, now=START) == [] and len(mailbox.received) == 1
    assert get_alert(store, alert.id).state == "fired"
    assert [d.status for d in list_deliveries(store)] == ["sent", "failed", "failed"]


def test_a_view_without_data_changes_nothing(data_dir, tmp_path, smtp):
    port, mailbox = smtp
    settings = mail_settings(data_dir, tmp_path / "app.db", port)
    store = open_store(settings)
    alert = add_alert(store, name="r", metric="avg_sentiment", operator="below", threshold=0.9,
                      search="?tab=overview&from=2001-01-01&to=2001-12-31", recipients="ana@example.com")
    [checked] = run_due(settings, now=START)
    assert checked.status == "checked" and "no data" in checked.detail
    assert get_alert(store, alert.id).state == "new" and mailbox.received == []


def test_the_smtp_login_is_used_and_a_refused_one_is_a_clear_failure(data_dir, tmp_path):
    with smtp_server(login=("insight", "s3cret")) as (port, mailbox):
        for password, app_db in [("wrong", "a.db"), ("s3cret", "b.db")]:
            settings = mail_settings(data_dir, tmp_path / app_db, port, CUSTOMER_INSIGHT_SMTP_USER="insight",
                                     CUSTOMER_INSIGHT_SMTP_PASSWORD=password)
            add_alert(open_store(settings), name="r", metric="interactions", operator="above", threshold=0,
                      search="?tab=overview", recipients="ana@example.com")
            [outcome] = run_due(settings, now=START)
            if password == "wrong":
                assert outcome.status == "failed" and "refused the login of 'insight'" in outcome.detail
            else:
                assert outcome.status == "sent"
        assert len(mailbox.received) == 1


def test_every_metric_reads_a_column_its_query_returns(data_dir):
    reader = WarehouseReader(data_dir / "warehouse.duckdb")
    first, last = reader.date_bounds()
    registry = metrics()
    for item in registry.values():
        assert item.column in reader.query(item.query, Filters(date_from=first, date_to=last)).columns, item.id
    # the Overview ones are the KPI cards' own columns
    cards = {column for _label, column, _fmt, _better in overview.KPIS.values()}
    assert {m.column for m in registry.values() if m.query == "overview/kpis"} <= cards
    assert registry["high_churn_risk_pct"].column == overview.KPIS["overview-kpi-churn"][1]


def test_the_cli_adds_and_lists_alerts(data_dir, tmp_path):
    env = {**os.environ, "CUSTOMER_INSIGHT_DATA_DIR": str(data_dir),
           "CUSTOMER_INSIGHT_APP_DB_URL": f"sqlite:///{tmp_path / 'a.db'}"}

    def cli(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([CLI, "alert", *args], env=env, capture_output=True, text=True, timeout=120)

    unknown = cli("add", "--metric", "nope", "--above", "1", "--url", "?tab=overview", "--to", "a@example.com")
    assert unknown.returncode == 2 and "unknown metric 'nope'; metrics: high_churn_risk_pct" in unknown.stderr
    both = cli("add", "--metric", "avg_rating", "--above", "1", "--below", "2", "--url", "?", "--to", "a@example.com")
    assert both.returncode == 2 and "exactly one of --above X or --below X" in both.stderr
    added = cli("add", "--metric", "high_churn_risk_pct", "--above", "20", "--url", "http://h/?tab=overview&risk=High",
                "--to", "a@example.com")
    assert added.returncode == 0 and "alert #1 'Customers at high churn risk above 20.0 %'" in added.stdout
    assert "#1 'Customers at high churn risk above 20.0 %' high_churn_risk_pct above 20 on ?tab=overview&risk=High" \
        in cli("list").stdout
    assert [a.threshold for a in list_alerts(AppStore(load_settings(env).app_db))] == [20.0]


def test_the_dialog_adds_an_alert_on_the_view_and_shows_its_current_value(dialog, data_dir):  # noqa: F811
    app, store = dialog
    search = "?tab=overview&segment=High+Value"
    expected = high_churn_pct(data_dir, "High Value")
    current = dash_call(app, "alert-current.children",
                        [{"id": "alert-metric", "property": "value", "value": "high_churn_risk_pct"},
                         {"id": "schedule-modal", "property": "is_open", "value": True}],
                        [{"id": "url", "property": "search", "value": search}], "schedule-modal.is_open")
    assert current["alert-current"]["children"] == f"Now {expected:.1f} % for this view."

    def add(threshold, to="ana@example.com"):
        values = {"alert-metric": "high_churn_risk_pct", "alert-operator": "above", "alert-threshold": threshold,
                  "alert-name": None, "alert-to": to}
        return dash_call(app, "alert-list.children",
                         [{"id": "schedule-modal", "property": "is_open", "value": True},
                          {"id": "alert-add", "property": "n_clicks", "value": 1}, []],
                         [*({"id": k, "property": "value", "value": v} for k, v in values.items()),
                          {"id": "url", "property": "search", "value": search}], "alert-add.n_clicks")

    assert add(None)["alert-feedback"]["children"] == "Not saved: give a threshold."
    assert add(25, to="not-an-address")["alert-feedback"]["children"] == \
        "Not saved: not an email address: 'not-an-address'."
    assert list_alerts(store) == []
    saved = add(25)
    [alert] = list_alerts(store)
    assert (alert.metric, alert.operator, alert.threshold, alert.search) == ("high_churn_risk_pct", "above", 25, search)
    assert saved["alert-feedback"]["children"].startswith("Alert saved: 'Customers at high churn risk above 25.0 %'.")
