"""Preferences per user through the real server (Flask test client, sign-in on, the 10-customer PRD warehouse of the
sign-in tests, a real app-state SQLite file): the default tab and range applied on "/" and never over a view in the
address, the colour scheme in a chart's trace colours and in a PDF's pixels, the number format in a KPI card's
text, values refused, the demo (sign-in off) as "local"; and every figure builder's colours following the scheme.

Expected colours and texts are written here by hand: Okabe-Ito's and Tableau 10's hex codes, and the sample's
average review rating (20 reviews, 65 stars: 3.25, checked against the sample's file below)."""

from __future__ import annotations

import base64
import json
import re
import subprocess

import plotly.graph_objects as go
import pytest

from appstate.preferences import get_preferences
from appstate.schedules import add_schedule
from config.settings import load_settings
from dashapp.app import create_app
from dashapp.figures.common import Look, localize_numbers, using_look
from dashapp.tabs import TAB_MODULES
from reports.content import registry, run_build
from reports.schedule import run_schedule
from tests.dashapp import test_auth
from tests.dashapp.test_auth import ALL_DATES, client, signed_in, store_of
from tests.dashapp.test_presets import call
from tests.etl.conftest import SAMPLES
from tests.reports.mailbox import mail_settings, smtp_server
from tests.reports.test_pdf import tab_pdf_request
from tests.warehouse.builder import build_warehouse, customer
from warehouse.filters import Filters
from warehouse.reader import WarehouseReader

data_dir = test_auth.data_dir  # the sign-in tests' warehouse fixture, made anew for this module
clock = test_auth.clock
app = test_auth.app            # users vic (viewer), ann (analyst), ada (admin), ...

OKABE_ITO = {"High": "#D55E00", "Medium": "#E69F00", "Low": "#0072B2"}
TABLEAU = {"High": "#D62728", "Medium": "#FF7F0E", "Low": "#1F77B4"}
# Okabe-Ito's seven hues -> Tableau 10's ("Classic")
CLASSIC = {"#0072B2": "#1F77B4", "#E69F00": "#FF7F0E", "#009E73": "#2CA02C", "#D55E00": "#D62728",
           "#CC79A7": "#9467BD", "#56B4E9": "#17BECF", "#F0E442": "#BCBD22"}
KPIS = "..overview-kpi-sentiment-value.children"
CHURN = "..overview-churn-body.children"


def save_preferences(app, browser, tab="overview", date_range="all", scheme="okabe-ito", number_format="comma-dot"):
    return call(app, browser, "..prefs-saved.data", {
        "prefs-save.n_clicks": 1, "prefs-tab.value": tab, "prefs-range.value": date_range,
        "prefs-scheme.value": scheme, "prefs-format.value": number_format}, ["prefs-save.n_clicks"])


def rating_text(app, browser) -> str:
    answer = call(app, browser, KPIS, {"filters.data": ALL_DATES}, ["filters.data"])
    return answer["overview-kpi-rating-value"]["children"]


def churn_colours(app, browser) -> dict[str, str]:
    """Label -> bar colour of the Overview's "Customers by churn risk" chart, as the server sends it."""
    answer = call(app, browser, CHURN, {"filters.data": ALL_DATES}, ["filters.data"])
    bars = answer["overview-churn-body"]["children"]["props"]["figure"]["data"][0]
    return dict(zip(bars["y"], bars["marker"]["color"], strict=True))


def test_the_numbers_of_a_text_are_written_in_the_users_format():
    text = "1,234.5 of 12,345,678 · 0.25 / 5 · −3.1 pp · on 2025-03-01 · k 2, 3 · 12 %"
    assert localize_numbers(text) == text
    with using_look(Look(number_format="space-comma")):
        assert localize_numbers(text) == ("1\u00a0234,5 of 12\u00a0345\u00a0678 · 0,25 / 5 · −3,1 pp · on 2025-03-01 "
                                          "· k 2, 3 · 12 %")
    with using_look(Look(number_format="dot-comma")):
        assert localize_numbers(text) == "1.234,5 of 12.345.678 · 0,25 / 5 · −3,1 pp · on 2025-03-01 · k 2, 3 · 12 %"


def test_default_tab_and_range_apply_on_the_plain_address_only(app, clock):
    ann, vic = signed_in(app, "ann"), signed_in(app, "vic")
    assert save_preferences(app, ann, tab="support", date_range="30d")["prefs-saved"]["data"]
    opened = ann.get("/")
    assert opened.status_code == 302 and opened.headers["Location"] == "/?tab=support&range=30d"
    # a link's explicit view is never changed: not its tab, not its (default, so unwritten) date range
    assert ann.get("/?tab=overview").status_code == 200
    assert ann.get("/?tab=product&risk=High").status_code == 200
    assert vic.get("/").status_code == 200  # vic has no preferences: the product's default view
    # "Reset to default" goes back to ann's date range
    reset = call(app, ann, "..url.search...tabs.active_tab", {
        "url.search": "?tab=support&risk=High", "tabs.active_tab": "support", "f-range.value": "all",
        "f-reset.n_clicks": 1}, ["f-reset.n_clicks"])
    assert reset["url"]["search"] == "?tab=support&range=30d"
    save_preferences(app, ann)  # the defaults again: stored as NULL
    assert get_preferences(store_of(app), "ann").default_tab is None
    assert ann.get("/").status_code == 200


def test_colour_scheme_and_number_format_reach_the_charts_and_kpi_cards_of_that_user_only(app, clock):
    reviews = json.loads((SAMPLES / "prd_raw_10" / "product_reviews.json").read_text())
    assert (len(reviews), sum(r["review_rating"] for r in reviews)) == (20, 65)  # 3.25 stars on average
    ann, vic = signed_in(app, "ann"), signed_in(app, "vic")
    save_preferences(app, ann, scheme="classic", number_format="space-comma")
    assert rating_text(app, ann) == "3,25 / 5"
    assert rating_text(app, vic) == "3.25 / 5"
    ann_colours, vic_colours = churn_colours(app, ann), churn_colours(app, vic)
    assert ann_colours and set(ann_colours) <= set(TABLEAU)
    assert ann_colours == {label: TABLEAU[label] for label in ann_colours}
    assert vic_colours == {label: OKABE_ITO[label] for label in vic_colours}
    dialog = call(app, ann, "..prefs-modal.is_open", {"prefs-open.n_clicks": 1}, ["prefs-open.n_clicks"])
    assert (dialog["prefs-scheme"]["value"], dialog["prefs-format"]["value"]) == ("classic", "space-comma")
    save_preferences(app, ann)


def test_the_texts_a_chart_builder_writes_are_in_the_users_format():
    import pandas as pd

    from dashapp.figures.support import tickets_by_priority

    frame = pd.DataFrame({"priority_level": ["High", "Low"], "tickets": [1500, 500], "avg_sentiment": [-0.375, 0.25]})
    with using_look(Look(number_format="space-comma")):
        figure = tickets_by_priority(frame)
    assert list(figure.data[0].text) == ["1\u00a0500<br>75%", "500<br>25%"]
    assert list(figure.layout.xaxis.ticktext) == ["High<br>-0,38", "Low<br>+0,25"]
    assert figure.layout.yaxis2.title.text == "average sentiment (−1 to 1)"  # no number format in it to change
    assert list(figure.data[1].customdata) == ["-0.38", "+0.25"]  # data, not text: left as the callbacks read it
    default = tickets_by_priority(frame)
    assert list(default.data[0].text) == ["1,500<br>75%", "500<br>25%"]


def test_an_unknown_value_is_refused_and_nothing_is_stored(app, clock):
    ada = signed_in(app, "ada")
    save_preferences(app, ada, tab="product")
    refused = save_preferences(app, ada, tab="support", scheme="rainbow")
    assert refused["prefs-message"]["children"] == "Unknown colour scheme 'rainbow'." and "prefs-saved" not in refused
    assert get_preferences(store_of(app), "ada").default_tab == "product"


def pixels(pdf: bytes, tmp_path, rgb: tuple[int, int, int]) -> int:
    """How many pixels of the PDF's pages, drawn at 50 dpi, are exactly `rgb` (a chart's bar fills are)."""
    (tmp_path / "r.pdf").write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "50", str(tmp_path / "r.pdf"), str(tmp_path / "page")], check=True)
    total = 0
    for page in sorted(tmp_path.glob("page-*.ppm")):
        data = page.read_bytes()
        header = re.match(rb"P6\s+(\d+)\s+(\d+)\s+255\s", data)
        body = data[header.end():]
        total += sum(1 for i in range(0, len(body), 3) if tuple(body[i:i + 3]) == rgb)
    return total


def test_a_users_pdf_has_their_colours_and_number_format(app, clock, tmp_path):
    ann = signed_in(app, "ann")
    save_preferences(app, ann, scheme="classic", number_format="space-comma")
    answer = ann.post("/_dash-update-component", json=tab_pdf_request("?tab=overview"))
    assert answer.status_code == 200, answer.data[:300]
    pdf = base64.b64decode(answer.get_json()["response"]["report-download"]["data"]["content"])
    save_preferences(app, ann)
    (tmp_path / "t.pdf").write_bytes(pdf)
    text = subprocess.run(["pdftotext", str(tmp_path / "t.pdf"), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "3,25 / 5" in text and "3.25 / 5" not in text
    assert pixels(pdf, tmp_path, (0x1F, 0x77, 0xB4)) > 100      # Tableau's blue: the sentiment trend, "Low" bars
    assert pixels(pdf, tmp_path, (0x00, 0x72, 0xB2)) == 0        # no Okabe-Ito blue left


def test_a_scheduled_report_has_its_owners_colours_and_number_format(app, data_dir, clock, tmp_path):
    ann = signed_in(app, "ann")
    save_preferences(app, ann, scheme="classic", number_format="space-comma")
    store = store_of(app)
    job = add_schedule(store, name="Ann weekly", search="?tab=overview&range=all", recipients="ann@example.com",
                       frequency="weekly", owner="ann")
    with smtp_server() as (port, mailbox):
        settings = mail_settings(data_dir, data_dir / "app.db", port)
        sent = run_schedule(settings, store, WarehouseReader(data_dir / "warehouse.duckdb"), job, job.next_run_at)
        assert sent.status == "sent", sent.detail
        [mail] = mailbox.received
    save_preferences(app, ann)
    [attachment] = list(mail.message.iter_attachments())
    pdf = attachment.get_content()
    (tmp_path / "s.pdf").write_bytes(pdf)
    text = subprocess.run(["pdftotext", str(tmp_path / "s.pdf"), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "3,25 / 5" in text and "3.25 / 5" not in text
    assert pixels(pdf, tmp_path, (0x1F, 0x77, 0xB4)) > 100 and pixels(pdf, tmp_path, (0x00, 0x72, 0xB2)) == 0


def test_the_demo_without_sign_in_keeps_preferences_for_local(data_dir, tmp_path):
    settings = load_settings({"CUSTOMER_INSIGHT_DATA_DIR": str(data_dir),
                              "CUSTOMER_INSIGHT_APP_DB_URL": f"sqlite:///{tmp_path / 'app.db'}"})
    demo = create_app(settings)
    browser = client(demo)
    assert browser.get("/").status_code == 200
    save_preferences(demo, browser, tab="sentiment", number_format="dot-comma")
    assert browser.get("/").headers["Location"] == "/?tab=sentiment"
    assert rating_text(demo, browser) == "3,25 / 5"
    assert get_preferences(store_of(demo), "local").default_tab == "sentiment"


# ---------------------------------------------------------------- every figure builder follows the scheme

HEX = re.compile(r"#[0-9A-Fa-f]{6}\b")


def hues(figure: go.Figure) -> set[str]:
    """Okabe-Ito's or Tableau's hues anywhere in the figure but the layout's colorway (set for every figure)."""
    data = json.loads(figure.to_json())
    data["layout"].pop("colorway", None)
    data["layout"].pop("template", None)
    return {c.upper() for c in HEX.findall(json.dumps(data))} & (set(CLASSIC) | set(CLASSIC.values()))


@pytest.fixture(scope="module")
def usage_reader(tmp_path_factory):
    """A small warehouse with usage (the PRD sample has none): three teams, a few users and events in March 2024."""
    events = [{"user_id": u, "customer_id": t, "event_date": d, "feature_name": f, "events_count": n}
              for u, t, d, f, n in (("x1", "X", "2024-03-01", "search", 3), ("x1", "X", "2024-03-02", "export", 2),
                                    ("x2", "X", "2024-03-05", "share", 25), ("y1", "Y", "2024-03-10", "search", 2),
                                    ("z1", "Z", "2023-06-01", "export", 1))]
    users = [{"user_id": u, "customer_id": t, "user_name": u, "join_date": "2023-01-01"}
             for u, t in (("x1", "X"), ("x2", "X"), ("y1", "Y"), ("z1", "Z"))]
    path = tmp_path_factory.mktemp("prefs-usage") / "w.duckdb"
    build_warehouse(path, [customer("X", 1500), customer("Y", 600), customer("Z", 100)], usage_events=events,
                    users=users).close()
    reader = WarehouseReader(path)
    yield reader
    reader.close()


def test_every_figure_builder_draws_in_the_users_scheme(data_dir, usage_reader):
    """Every chart of every tab, built on both warehouses (the PRD one has no usage, the other no texts): in the
    classic scheme each Okabe-Ito hue it names becomes Tableau's, and the colorway (the colours of traces that name
    none) is Tableau's."""
    prd = WarehouseReader(data_dir / "warehouse.duckdb")
    coloured, uncoloured = set(), set()
    try:
        for module in TAB_MODULES:
            # the usage warehouse is built without the texts' marts: only the tabs that read usage use it
            for reader in (prd, usage_reader) if module.TAB_ID in ("usage", "segmentation") else (prd,):
                filters = Filters(*reader.date_bounds())
                items, ids = registry(reader, module)
                for item_id in ids:
                    item = items[item_id]
                    if item.get("kind") != "chart" or "build" not in item:
                        continue
                    customer_id = "CUST-001" if item.get("per_customer") else None
                    default = run_build(item, filters, customer_id, all_rows=False)
                    if not isinstance(default, go.Figure) or not default.data:
                        continue  # a table, or a message (too little data here)
                    with using_look(Look(scheme="classic")):
                        classic = run_build(item, filters, customer_id, all_rows=False)
                    assert list(default.layout.colorway[:7]) == list(CLASSIC), item_id
                    assert list(classic.layout.colorway[:7]) == list(CLASSIC.values()), item_id
                    before, after = hues(default), hues(classic)
                    assert before <= set(CLASSIC), (item_id, before)
                    assert after == {CLASSIC[c] for c in before}, (item_id, before, after)
                    (coloured if before else uncoloured).add(item_id)
    finally:
        prd.close()
    assert uncoloured - coloured == {
        "overview-trend",                                        # a line in the colorway's first colour (see above)
        "segmentation-risk-upsell", "retention-heatmap",         # heatmaps: one sequential blue scale in every scheme
    }
    assert {i.split("-")[0] for i in coloured} == {"overview", "sentiment", "support", "product", "segmentation",
                                                   "rfm", "clusters", "customer", "usage", "health", "churn"}
    assert len(coloured) >= 35, sorted(coloured)  # 35 when written
