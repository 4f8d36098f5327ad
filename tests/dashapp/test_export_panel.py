"""The export routes (dashapp/export_routes.py) through Flask's test client of a real Dash app, and the "Export data"
dialog's callbacks (dashapp/export_panel.py) through Dash's HTTP endpoint, on the hand-written warehouse of
tests/reports/test_exports.py (teams A, B, C; usage events E1-E6; orders O1-O4; tickets T1-T5 with formula-looking
descriptions; every number there worked out by hand)."""

from __future__ import annotations

import io
import json

import dash
import openpyxl
import pandas as pd
import pytest
from dash import dcc, html

from dashapp import export_panel
from dashapp.export_routes import split_query
from tests.dashapp.tab_checks import layout_ids
from tests.reports.test_exports import HOSTILE, build_export_warehouse
from warehouse.filters import Filters

MARCH = Filters.from_dict({"date_from": "2024-03-01", "date_to": "2024-03-31"})


@pytest.fixture(scope="module")
def reader(tmp_path_factory):
    reader = build_export_warehouse(tmp_path_factory.mktemp("export-panel") / "w.duckdb")
    yield reader
    reader.close()


@pytest.fixture(scope="module")
def app(reader):
    app = dash.Dash(__name__, suppress_callback_exceptions=True)
    app.layout = html.Div([dcc.Location(id="url"), dcc.Store(id="filters"), export_panel.layout()])
    export_panel.register(app, reader)
    return app


@pytest.fixture(scope="module")
def client(app):
    return app.server.test_client()


def get_csv(client, url: str) -> tuple[object, pd.DataFrame]:
    response = client.get(url)
    assert response.status_code == 200, response.data[:300]
    assert response.data.startswith(b"\xef\xbb\xbf")
    return response, pd.read_csv(io.BytesIO(response.data), encoding="utf-8-sig", dtype=str, keep_default_na=False)


# ---------------------------------------------------------------- the routes

def test_raw_csv_route_streams_the_chosen_rows_under_our_file_name(client):
    url = "/export/usage.csv?tab=usage&segment=High+Value&team=A&user=a1&period_from=2024-03-01&period_to=2024-03-31"
    streamed = client.get(url, buffered=False)
    assert streamed.is_streamed and streamed.mimetype == "text/csv"  # sent as it is read, not built first
    streamed.close()
    response, frame = get_csv(client, url)
    assert response.headers["Content-Disposition"] == \
        'attachment; filename="customer-insight-usage-2024-03-01-2024-03-31.csv"'
    assert sorted(zip(frame["user_id"], frame["event_date"].str[:10], strict=True)) == \
        [("a1", "2024-03-01"), ("a1", "2024-03-05")]  # E1, E2
    _response, orders = get_csv(client, "/export/orders.csv?team=A&team=B&period_from=2024-03-01")
    assert sorted(orders["order_id"]) == ["O1", "O2", "O3"]
    _response, tickets = get_csv(client, "/export/tickets.csv")
    assert sorted(tickets["ticket_description"]) == sorted(["'" + h for h in HOSTILE] + ["plain text"])


def test_raw_excel_route_sends_a_workbook(client):
    response = client.get("/export/orders.xlsx?team=A")
    assert response.status_code == 200 and response.mimetype.endswith("spreadsheetml.sheet")
    assert response.headers["Content-Disposition"].startswith("attachment; filename=customer-insight-orders-")
    book = openpyxl.load_workbook(io.BytesIO(response.data))
    rows = list(book["Orders"].iter_rows(values_only=True))
    assert rows[0][0] == "order_id" and sorted((r[0], r[-1]) for r in rows[1:]) == [("O1", 100.0), ("O2", -20.0)]
    response.close()


def test_card_and_view_routes(client):
    _response, tickets = get_csv(client, "/export/card.csv?tab=support&card=support-tickets&from=2024-03-01"
                                         "&to=2024-03-31")
    assert sorted(tickets["ticket_id"]) == ["T1", "T2", "T3", "T4", "T5"]  # the full table, not a page
    assert _response.headers["Content-Disposition"].startswith(
        'attachment; filename="customer-insight-support-support-tickets-')
    _response, volume = get_csv(client, "/export/card.csv?tab=support&card=support-priority&from=2024-03-01"
                                        "&to=2024-03-31")
    assert volume.set_index("priority_level")["tickets"].to_dict() == {"Low": "5"}
    response = client.get("/export/view.xlsx?tab=support&from=2024-03-01&to=2024-03-31")
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.data))
    about = [r for r in book["About"].iter_rows(values_only=True) if r[2] == "support-tickets"]
    assert about and about[0][4] == 5 and about[0][3] == "exports/tickets_table"


@pytest.mark.parametrize("url", [
    "/export/passwords.csv", "/export/usage.pdf", "/export/card.xlsx", "/export/view.csv", "/export/USAGE.csv",
    "/export/usage.csv.exe", "/export/../etc/passwd", "/export/..%2F..%2Fetc%2Fpasswd", "/export/usage.csv%00.txt",
    "/export/a/b/usage.csv", "/export/", "/export/%2e%2e%2fwarehouse.duckdb",
])
def test_unknown_files_are_404(client, url):
    response = client.get(url)
    assert response.status_code == 404 and response.mimetype == "text/plain"
    assert b"No such export" in response.data and b"usage.csv" in response.data


@pytest.mark.parametrize(("url", "message"), [
    ("/export/usage.csv?period_from=2024-13-01", "start of the period: '2024-13-01' is not a date"),
    ("/export/usage.csv?period_from=2024-03-05&period_to=2024-03-01", "before it starts"),
    ("/export/usage.csv?period_to=a&period_to=b", "period_to is given 2 times"),
    ("/export/usage.csv?team=' OR 1=1 --", "unknown team(s): '' OR 1=1 --'"),
    ("/export/usage.csv?team=B&user=a1", "unknown user(s) of the chosen team(s): 'a1'"),
    ("/export/tickets.csv?user=a1", "usage events only"),
    ("/export/usage.csv?tab=../../etc", "unknown tab"),
    ("/export/usage.csv?team=%ff", "cannot be read"),
    ("/export/card.csv?tab=support", "give one card"),
    ("/export/card.csv?tab=support&card=nope", "unknown card 'nope'"),
    ("/export/view.xlsx?tab=nope", "unknown tab 'nope'"),
])
def test_bad_parameters_are_400_with_the_reason(client, url, message):
    response = client.get(url)
    assert response.status_code == 400 and response.mimetype == "text/plain"
    assert message in response.data.decode(), response.data


def test_a_hostile_value_never_reaches_the_file_name(client):
    response = client.get('/export/card.csv?tab=support&card=support-tickets";x=..%2F..%2Fevil.exe')
    assert response.status_code == 400  # no such card: nothing is sent
    response = client.get("/export/card.csv?tab=support&card=support-tickets&from=2024-03-01&to=2024-03-31"
                          "&name=../../evil.sh")
    disposition = response.headers["Content-Disposition"]
    assert response.status_code == 200 and "evil" not in disposition and "/" not in disposition
    response.close()


def test_the_dashboards_keys_go_to_the_view_and_ours_are_kept_apart():
    own, search = split_query(b"tab=usage&team=A&range=30d&user=u1&team=B&period_from=2024-01-01&risk=High")
    assert own == {"team": ["A", "B"], "user": ["u1"], "period_from": ["2024-01-01"], "period_to": [], "card": []}
    assert search == "tab=usage&range=30d&risk=High"


# ---------------------------------------------------------------- the dialog

def call(client, outputs, inputs, state=(), changed=None, output=None) -> dict:
    """One callback through Dash's endpoint; `output` is the callback's key when Dash made one (allow_duplicate)."""
    payload = {
        "output": output or ".." + "...".join(f"{i}.{p}" for i, p in outputs) + "..",
        # a single-output callback (its key has no "..") answers one value, not a list
        "outputs": ({"id": outputs[0][0], "property": outputs[0][1]} if output else
                    [{"id": i, "property": p} for i, p in outputs]),
        "inputs": [{"id": i, "property": p, "value": v} for i, p, v in inputs],
        "state": [{"id": i, "property": p, "value": v} for i, p, v in state],
        "changedPropIds": [changed] if changed else [],
    }
    response = client.post("/_dash-update-component", json=payload)
    assert response.status_code == 200, response.data[:500]
    return json.loads(response.data)["response"]


def test_the_layout_has_the_button_the_dialog_and_every_control():
    ids = layout_ids(export_panel.layout())
    assert {export_panel.OPEN_ID, export_panel.MODAL_ID, export_panel.VIEW_ID, export_panel.DATASET_ID,
            export_panel.TEAMS_ID, export_panel.USERS_ID, export_panel.PERIOD_ID, export_panel.FORMAT_ID,
            export_panel.LINK_ID} <= ids


def test_opening_lists_the_cards_of_the_tab_and_sets_the_period_to_the_sidebars(client):
    opened = call(client, [(export_panel.VIEW_ID, "children"), (export_panel.PERIOD_ID, "start_date"),
                           (export_panel.PERIOD_ID, "end_date"), (export_panel.TEAMS_ID, "value"),
                           (export_panel.TEAMS_ID, "options")],
                  [(export_panel.MODAL_ID, "is_open", True)],
                  [("url", "search", "?tab=support&from=2024-03-01&to=2024-03-31"),
                   ("filters", "data", MARCH.to_dict()), (export_panel.TEAMS_ID, "value", None),
                   (export_panel.TEAMS_ID, "options", None)], changed=f"{export_panel.MODAL_ID}.is_open")
    assert opened[export_panel.PERIOD_ID] == {"start_date": "2024-03-01", "end_date": "2024-03-31"}
    text = json.dumps(opened[export_panel.VIEW_ID]["children"])
    assert "/export/view.xlsx?tab=support&from=2024-03-01&to=2024-03-31" in text
    assert "/export/card.csv?tab=support&from=2024-03-01&to=2024-03-31&card=support-tickets" in text
    assert "every matching row" in text and "Tickets by priority" in text
    customer = call(client, [(export_panel.VIEW_ID, "children"), (export_panel.PERIOD_ID, "start_date"),
                             (export_panel.PERIOD_ID, "end_date"), (export_panel.TEAMS_ID, "value"),
                             (export_panel.TEAMS_ID, "options")],
                    [(export_panel.MODAL_ID, "is_open", True)],
                    [("url", "search", "?tab=customer&customer=B"), ("filters", "data", MARCH.to_dict()),
                     (export_panel.TEAMS_ID, "value", None), (export_panel.TEAMS_ID, "options", None)],
                    changed=f"{export_panel.MODAL_ID}.is_open")
    assert customer[export_panel.TEAMS_ID] == {"value": ["B"], "options": [{"value": "B", "label": "B · Beta"}]}


def test_the_team_search_and_the_user_picker(app, client):
    search_output = next(k for k in app.callback_map if k.startswith(f"{export_panel.TEAMS_ID}.options@"))
    found = call(client, [(export_panel.TEAMS_ID, "options")], [(export_panel.TEAMS_ID, "search_value", "alp")],
                 [(export_panel.TEAMS_ID, "value", ["B"]),
                  (export_panel.TEAMS_ID, "options", [{"value": "B", "label": "B · Beta"}])],
                 changed=f"{export_panel.TEAMS_ID}.search_value", output=search_output)
    assert found[export_panel.TEAMS_ID]["options"] == [{"value": "B", "label": "B · Beta"},
                                                      {"value": "A", "label": "A · Alpha"}]
    outputs = [(export_panel.USERS_ID, p) for p in ("options", "value", "disabled", "placeholder")]
    inputs = [(export_panel.USERS_ID, "search_value", None), (export_panel.TEAMS_ID, "value", ["A"]),
              (export_panel.DATASET_ID, "value", "usage")]
    users = call(client, outputs, inputs,
                 [(export_panel.USERS_ID, "value", ["a1", "b1"]), (export_panel.USERS_ID, "options", [])],
                 changed=f"{export_panel.TEAMS_ID}.value")[export_panel.USERS_ID]
    assert users["value"] == ["a1"]  # b1 is not of team A any more
    assert [o["value"] for o in users["options"]] == ["a1", "a2"] and users["disabled"] is False
    off = call(client, outputs, [(export_panel.USERS_ID, "search_value", None), (export_panel.TEAMS_ID, "value", None),
                                 (export_panel.DATASET_ID, "value", "tickets")],
               [(export_panel.USERS_ID, "value", ["a1"]), (export_panel.USERS_ID, "options", [])],
               changed=f"{export_panel.DATASET_ID}.value")[export_panel.USERS_ID]
    assert off["disabled"] is True and off["value"] == []


def test_the_download_link_carries_the_view_and_the_choices(client):
    result = call(client, [(export_panel.LINK_ID, "href"), (export_panel.LINK_ID, "children"),
                           (export_panel.SUMMARY_ID, "children")],
                  [(export_panel.DATASET_ID, "value", "usage"), (export_panel.FORMAT_ID, "value", "xlsx"),
                   (export_panel.TEAMS_ID, "value", ["A"]), (export_panel.USERS_ID, "value", ["a1"]),
                   (export_panel.PERIOD_ID, "start_date", "2024-03-01"),
                   (export_panel.PERIOD_ID, "end_date", "2024-03-31T00:00:00"),
                   ("url", "search", "?tab=usage&segment=High+Value&team=stale")],
                  [("filters", "data", Filters(value_segments=("High Value",)).to_dict())])
    href = result[export_panel.LINK_ID]["href"]
    assert href == ("/export/usage.xlsx?tab=usage&segment=High+Value&team=A&user=a1&period_from=2024-03-01"
                    "&period_to=2024-03-31")
    assert result[export_panel.LINK_ID]["children"] == "Download usage events (Excel)"
    # the link gives what it says: the same rows the route serves for it
    response = client.get(href.replace(".xlsx", ".csv"))
    frame = pd.read_csv(io.BytesIO(response.data), encoding="utf-8-sig", dtype=str)
    assert sorted(frame["event_date"].str[:10]) == ["2024-03-01", "2024-03-05"]
    text = json.dumps(result[export_panel.SUMMARY_ID]["children"])
    assert "Value segment: High Value" in text and "outside the sidebar" in text and "1,048,575" in text
