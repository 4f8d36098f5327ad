"""Product tab: its queries on a small warehouse whose numbers are worked out by hand, its figure and table
builders on tiny and empty frames, and its callbacks through Dash's own HTTP endpoint."""

from __future__ import annotations

import json
import math
from dataclasses import replace
from datetime import date

import dash
import pandas as pd
import plotly.graph_objects as go
import pytest
from dash import dcc, html

from dashapp.figures import product as figures
from dashapp.tabs import product as tab
from tests.dashapp.tab_checks import callback_ids, layout_ids
from tests.warehouse.builder import build_warehouse, customer
from warehouse.filters import Filters
from warehouse.reader import WarehouseReader

LONG_TEXT = "Solid tool overall. " * 12  # 240 characters: longer than the preview
# Six reviews. R4 and R5 have the same timestamp, so "newest first" falls back to the review id (R5 first).
# R3 has a translation; R2 and R4 are English (the English text is the original); R1, R5, R6 are not translated.
REVIEWS = [
    # id, customer, when, rating, language, sentiment, text, English text
    ("R1", "A", "2024-03-05 10:00", 4, "fr", 0.4, "Très bien", None),
    ("R2", "A", "2024-03-20 09:00", 5, "en", 0.8, "Great", "Great"),
    ("R3", "B", "2024-04-02 12:00", 2, "de", -0.5, "Schlecht", "Bad"),
    ("R4", "C", "2024-04-10 08:00", 4, "en", 0.2, LONG_TEXT, LONG_TEXT),
    ("R5", "B", "2024-04-10 08:00", 1, "fr", -0.7, "Nul", None),
    ("R6", "C", "2024-02-15 11:00", 5, "es", 0.6, "Muy bien", None),
]
HALF_YEAR = Filters(date_from=date(2024, 1, 1), date_to=date(2024, 6, 30))  # 181 days: monthly
MARCH = Filters(date_from=date(2024, 3, 1), date_to=date(2024, 3, 31))       # 30 days: weekly


def review(review_id, customer_id, when, rating, language, sentiment, text, english):
    return {"review_id": review_id, "customer_id": customer_id, "product_id": f"P-{review_id}", "review_date": when,
            "review_rating": rating, "review_text": text, "review_language": language, "sentiment_score": sentiment,
            "review_text_english": english}


@pytest.fixture(scope="module")
def reader(tmp_path_factory):
    path = tmp_path_factory.mktemp("product") / "w.duckdb"
    build_warehouse(
        path,
        # A High Value, B Medium Value, C Low Value (lifetime value >= 1000 / >= 500 / below)
        [customer("A", 1500, customer_name="Acme GmbH"), customer("B", 600), customer("C", 100)],
        reviews=[review(*row) for row in REVIEWS],
    ).close()
    reader = WarehouseReader(path)
    yield reader
    reader.close()


def with_(base: Filters, **change) -> Filters:
    return replace(base, **change)


# ---------------------------------------------------------------- queries

def test_average_rating_per_month(reader):
    frame = reader.query("product/rating_trend", HALF_YEAR, grain="month")
    assert [d.date() for d in pd.to_datetime(frame["period"])] == [date(2024, 2, 1), date(2024, 3, 1),
                                                                   date(2024, 4, 1)]
    # Feb: R6 = 5; Mar: R1 4, R2 5 -> 4.5; Apr: R3 2, R4 4, R5 1 -> 7/3
    assert list(frame["avg_rating"]) == pytest.approx([5.0, 4.5, 7 / 3])
    assert list(frame["reviews"]) == [1, 2, 3]


def test_average_rating_per_week(reader):
    frame = reader.query("product/rating_trend", MARCH, grain="week")
    # weeks start on Monday: 5 March 2024 (Tue) is in the week of 4 March, 20 March (Wed) in the week of 18 March
    assert [d.date() for d in pd.to_datetime(frame["period"])] == [date(2024, 3, 4), date(2024, 3, 18)]
    assert list(frame["avg_rating"]) == pytest.approx([4.0, 5.0])
    assert list(frame["reviews"]) == [1, 1]


def test_rating_grain_follows_the_range_length():
    assert tab.rating_grain(HALF_YEAR) == "month"
    assert tab.rating_grain(MARCH) == "week"
    # the same threshold as the Overview tab: 120 days apart is still weekly, 121 monthly
    assert tab.rating_grain(Filters(date_from=date(2024, 1, 1), date_to=date(2024, 4, 30))) == "week"
    assert tab.rating_grain(Filters(date_from=date(2024, 1, 1), date_to=date(2024, 5, 1))) == "month"


def test_rating_distribution_has_all_five_ratings(reader):
    frame = reader.query("product/rating_distribution", HALF_YEAR)
    assert list(frame["review_rating"]) == [1, 2, 3, 4, 5]
    assert list(frame["reviews"]) == [1, 1, 0, 2, 2]  # R5; R3; none; R1 R4; R2 R6
    assert list(frame["share"]) == pytest.approx([1 / 6, 1 / 6, 0, 2 / 6, 2 / 6])


def test_rating_distribution_without_reviews_is_five_zeros(reader):
    frame = reader.query("product/rating_distribution", Filters(date_from=date(2020, 1, 1),
                                                                 date_to=date(2020, 1, 31)))
    assert list(frame["review_rating"]) == [1, 2, 3, 4, 5]
    assert list(frame["reviews"]) == [0] * 5
    assert frame["share"].isna().all()


def test_sentiment_and_reviews_by_language(reader):
    frame = reader.query("product/reviews_by_language", HALF_YEAR)
    # most reviews first, ties by code: en (R2, R4), fr (R1, R5), de (R3), es (R6)
    assert list(frame["review_language"]) == ["en", "fr", "de", "es"]
    assert list(frame["reviews"]) == [2, 2, 1, 1]
    assert list(frame["avg_sentiment"]) == pytest.approx([0.5, -0.15, -0.5, 0.6])  # (0.8+0.2)/2, (0.4-0.7)/2
    assert list(frame["avg_rating"]) == pytest.approx([4.5, 2.5, 2.0, 5.0])


def test_recent_reviews_newest_first_with_paging(reader):
    first = reader.query("product/recent_reviews", HALF_YEAR, page_size=2, offset=0)
    second = reader.query("product/recent_reviews", HALF_YEAR, page_size=2, offset=2)
    third = reader.query("product/recent_reviews", HALF_YEAR, page_size=2, offset=4)
    beyond = reader.query("product/recent_reviews", HALF_YEAR, page_size=2, offset=6)
    # R5 and R4 share 10 Apr 08:00 (R5 first by id), then R3 (2 Apr), R2 (20 Mar), R1 (5 Mar), R6 (15 Feb)
    assert list(first["review_id"]) == ["R5", "R4"]
    assert list(second["review_id"]) == ["R3", "R2"]
    assert list(third["review_id"]) == ["R1", "R6"]
    assert beyond.empty
    assert set(first["total_reviews"]) == set(second["total_reviews"]) == {6}


def test_recent_reviews_columns(reader):
    frame = reader.query("product/recent_reviews", MARCH, page_size=20, offset=0).set_index("review_id")
    assert frame.loc["R1", "customer_name"] == "Acme GmbH"
    assert frame.loc["R1", "review_text"] == "Très bien"
    assert pd.isna(frame.loc["R1", "review_text_english"])  # not translated
    assert frame.loc["R2", "review_text_english"] == "Great"
    assert frame.loc["R2", "review_rating"] == 5
    assert frame.loc["R2", "product_id"] == "P-R2"


@pytest.mark.parametrize(("change", "ids"), [
    ({}, ["R5", "R4", "R3", "R2", "R1", "R6"]),
    ({"review_languages": ("fr",)}, ["R5", "R1"]),
    ({"review_languages": ("en", "de")}, ["R4", "R3", "R2"]),
    ({"value_segments": ("High Value",)}, ["R2", "R1"]),                 # customer A
    ({"value_segments": ("Medium Value", "Low Value")}, ["R5", "R4", "R3", "R6"]),
    ({"date_from": date(2024, 3, 1), "date_to": date(2024, 3, 31)}, ["R2", "R1"]),
    ({"date_from": date(2024, 4, 10), "date_to": date(2024, 4, 10)}, ["R5", "R4"]),  # the whole last day counts
    ({"interaction_types": ("call",)}, ["R5", "R4", "R3", "R2", "R1", "R6"]),  # does not apply to reviews
])
def test_filters_change_the_reviews_in_view(reader, change, ids):
    filters = with_(HALF_YEAR, **change)
    assert list(reader.query("product/recent_reviews", filters, page_size=20, offset=0)["review_id"]) == ids
    ratings = [row[3] for row in REVIEWS if row[0] in ids]
    distribution = reader.query("product/rating_distribution", filters)
    assert list(distribution["reviews"]) == [ratings.count(r) for r in (1, 2, 3, 4, 5)]
    languages = reader.query("product/reviews_by_language", filters)
    assert languages["reviews"].sum() == len(ids)
    trend = reader.query("product/rating_trend", filters, grain="month")
    assert trend["reviews"].sum() == len(ids)
    assert (trend["avg_rating"] * trend["reviews"]).sum() == pytest.approx(sum(ratings))


def test_language_filter_changes_the_monthly_average(reader):
    frame = reader.query("product/rating_trend", with_(HALF_YEAR, review_languages=("fr",)), grain="month")
    assert list(frame["avg_rating"]) == pytest.approx([4.0, 1.0])  # March R1 = 4, April R5 = 1
    frame = reader.query("product/reviews_by_language", with_(HALF_YEAR, review_languages=("fr",)))
    assert list(frame["review_language"]) == ["fr"]


def test_reviews_page(reader, monkeypatch):
    monkeypatch.setattr(tab, "PAGE_SIZE", 2)
    frame, offset, pages = tab.reviews_page(reader, HALF_YEAR, 2)
    assert (list(frame["review_id"]), offset, pages) == (["R3", "R2"], 2, 3)  # 6 reviews, 2 a page
    frame, offset, pages = tab.reviews_page(reader, HALF_YEAR, 9)  # past the end: back to the first page
    assert (list(frame["review_id"]), offset, pages) == (["R5", "R4"], 0, 3)
    frame, offset, pages = tab.reviews_page(reader, with_(HALF_YEAR, review_languages=("es",)), 1)
    assert (list(frame["review_id"]), offset, pages) == (["R6"], 0, 1)
    frame, offset, pages = tab.reviews_page(reader, Filters(date_from=date(2020, 1, 1), date_to=date(2020, 1, 2)),
                                            3)
    assert frame.empty and (offset, pages) == (0, 1)


# ---------------------------------------------------------------- figure and table builders

def texts(component) -> list[str]:
    """Every string in a Dash component tree, in document order."""
    if component is None:
        return []
    if isinstance(component, str | int | float):
        return [str(component)]
    if isinstance(component, list | tuple):
        return [t for child in component for t in texts(child)]
    return texts(getattr(component, "children", None))


def find(component, predicate) -> list:
    found = [component] if predicate(component) else []
    children = getattr(component, "children", None)
    if isinstance(children, list | tuple):
        for child in children:
            found += find(child, predicate)
    elif children is not None and not isinstance(children, str | int | float):
        found += find(children, predicate)
    return found


def is_empty(figure: go.Figure) -> bool:
    return not figure.data and "No reviews" in figure.layout.annotations[0].text


def test_language_names_and_stars():
    assert [figures.language_name(c) for c in ("en", "fr", "de", "es", "it", "pt")] == [
        "English", "French", "German", "Spanish", "Italian", "Portuguese"]
    assert figures.language_name("nl") == "NL"
    assert figures.language_name(None) == figures.language_name(math.nan) == "Unknown"
    assert figures.stars(4) == "★★★★☆"
    assert figures.stars(1) == "★☆☆☆☆"


def test_rating_trend_figure():
    frame = pd.DataFrame({"period": pd.to_datetime(["2024-03-01", "2024-04-01"]), "avg_rating": [4.5, 2.0],
                          "reviews": [2, 3]})
    figure = figures.rating_trend(frame, "month")
    line, bars = figure.data
    assert list(line.y) == [4.5, 2.0] and list(bars.y) == [2, 3]
    assert "%b %Y" in line.hovertemplate
    assert "week of" in figures.rating_trend(frame, "week").data[0].hovertemplate
    assert is_empty(figures.rating_trend(frame.iloc[0:0], "month"))


def test_rating_distribution_figure_shows_every_rating():
    frame = pd.DataFrame({"review_rating": [1, 2, 3, 4, 5], "reviews": [1, 1, 0, 2, 0],
                          "share": [0.25, 0.25, 0.0, 0.5, 0.0]})
    bar = figures.rating_distribution(frame).data[0]
    assert list(bar.x) == ["1 ★", "2 ★", "3 ★", "4 ★", "5 ★"]
    assert list(bar.y) == [1, 1, 0, 2, 0]
    assert list(bar.text) == ["1<br>25%", "1<br>25%", "0<br>0%", "2<br>50%", "0<br>0%"]
    assert is_empty(figures.rating_distribution(frame.iloc[0:0]))
    zeros = frame.assign(reviews=0, share=None)  # what the query returns when no review is in view
    assert is_empty(figures.rating_distribution(zeros))


def test_reviews_by_language_figure():
    frame = pd.DataFrame({"review_language": ["en", "fr", None], "reviews": [3, 2, 1],
                          "avg_sentiment": [0.5, -0.15, None], "avg_rating": [4.5, 2.5, 3.0]})
    counts, sentiment = figures.reviews_by_language(frame).data
    assert list(counts.y) == ["English", "French", "Unknown"]
    assert list(counts.x) == [3, 2, 1]
    assert list(sentiment.x) == [0.5, -0.15, None]
    assert list(sentiment.text) == ["+0.50", "-0.15", "–"]
    assert is_empty(figures.reviews_by_language(frame.iloc[0:0]))


def table_frame() -> pd.DataFrame:
    return pd.DataFrame([
        {"review_id": "R2", "review_date": pd.Timestamp("2024-03-20 09:00"), "customer_id": "A",
         "customer_name": "Acme GmbH", "product_id": "P1", "review_rating": 5, "review_language": "en",
         "review_text": "Great", "review_text_english": "Great", "sentiment_score": 0.8, "total_reviews": 23},
        {"review_id": "R1", "review_date": pd.Timestamp("2024-03-05 10:00"), "customer_id": "B",
         "customer_name": None, "product_id": None, "review_rating": 2, "review_language": "fr",
         "review_text": "Pas terrible", "review_text_english": None, "sentiment_score": -0.2, "total_reviews": 23},
        {"review_id": "R3", "review_date": pd.Timestamp("2024-03-01 08:00"), "customer_id": "C",
         "customer_name": math.nan, "product_id": "P2", "review_rating": 4, "review_language": "de",
         "review_text": LONG_TEXT.replace("Solid tool", "Gutes Werkzeug"), "review_text_english": LONG_TEXT,
         "sentiment_score": 0.3, "total_reviews": 23},
    ])


def test_recent_reviews_table():
    table = figures.recent_reviews_table(table_frame(), offset=20)
    rows = find(table, lambda c: isinstance(c, html.Tr))[1:]  # the first row is the header
    assert len(rows) == 3
    first, second, third = (texts(row) for row in rows)
    assert "Reviews 21–23 of 23, newest first." in texts(table)
    assert first[:6] == ["20 Mar 2024", "Acme GmbH", "A", "P1", "★★★★★", "English"]
    assert first[-1] == "same as the original"  # an English review: its English text is the original
    assert second[:5] == ["05 Mar 2024", "B", "–", "★★☆☆☆", "French"]
    assert "Pas terrible" in second and second[-1] == "not translated"
    not_translated = find(rows[1], lambda c: isinstance(c, html.Span) and c.children == "not translated")
    assert "text-muted" in not_translated[0].className
    stars = find(rows[1], lambda c: getattr(c, "role", None) == "img")[0]
    assert getattr(stars, "aria-label") == "2 of 5 stars"
    # the German review is long in both languages: a preview, the full text and a button, for each
    assert third[:5] == ["01 Mar 2024", "C", "P2", "★★★★☆", "German"]
    buttons = find(rows[2], lambda c: isinstance(c, html.Button))
    assert [b.children for b in buttons] == ["Show more", "Show more"]
    assert [b.id["index"] for b in buttons] == ["R3-original", "R3-english"]
    assert all(getattr(b, "aria-expanded") == "false" and b.type == "button" for b in buttons)
    full = find(rows[2], lambda c: isinstance(getattr(c, "id", None), dict)
                and c.id["type"] == "product-review-full")
    assert [f.children for f in full] == [LONG_TEXT.replace("Solid tool", "Gutes Werkzeug"), LONG_TEXT]
    assert all("d-none" in f.className for f in full)
    previews = [t for t in third if t.endswith("…")]
    assert len(previews) == 2 and all(len(p) <= figures.PREVIEW_CHARS + 1 for p in previews)


def test_recent_reviews_table_when_empty():
    table = figures.recent_reviews_table(table_frame().iloc[0:0])
    assert texts(table) == [figures.NO_REVIEWS]
    assert figures.page_summary(table_frame().iloc[0:0], 0) == ""


# ---------------------------------------------------------------- callbacks, through Dash's HTTP endpoint

@pytest.fixture(scope="module")
def client(reader):
    app = dash.Dash(__name__, suppress_callback_exceptions=True)
    app.layout = html.Div([dcc.Store(id="filters"), tab.layout()])
    tab.register(app, reader)
    return app.server.test_client()


def call(client, outputs: list[tuple[str, str]], inputs: list[tuple[str, str, object]], changed: str | None):
    """POST one callback call as the browser would (every callback here has several outputs)."""
    payload = {
        "output": ".." + "...".join(f"{i}.{p}" for i, p in outputs) + "..",
        "outputs": [{"id": i, "property": p} for i, p in outputs],
        "inputs": [{"id": i, "property": p, "value": v} for i, p, v in inputs],
        "changedPropIds": [changed] if changed else [],
        "state": [],
    }
    response = client.post("/_dash-update-component", json=payload)
    assert response.status_code == 200, response.data[:500]
    return json.loads(response.data)["response"]


def test_reviews_callback_pages_and_resets_on_new_filters(client, monkeypatch):
    monkeypatch.setattr(tab, "PAGE_SIZE", 2)
    outputs = [("product-reviews-body", "children"), ("product-reviews-retry", "className"),
               ("product-reviews-page", "max_value"), ("product-reviews-page", "active_page")]

    def inputs(filters: Filters, page: int) -> list:
        return [("filters", "data", filters.to_dict()), ("product-reviews-page", "active_page", page),
                ("product-reviews-retry", "n_clicks", None)]

    paged = call(client, outputs, inputs(HALF_YEAR, 2), "product-reviews-page.active_page")
    assert paged["product-reviews-page"] == {"max_value": 3, "active_page": 2}
    assert paged["product-reviews-retry"]["className"] == "d-none"
    body = json.dumps(paged["product-reviews-body"]["children"], ensure_ascii=False)
    assert "Reviews 3–4 of 6" in body and "Schlecht" in body and "Great" in body and "Nul" not in body
    # new filters: back to the first page
    fresh = call(client, outputs, inputs(with_(HALF_YEAR, review_languages=("fr",)), 2), "filters.data")
    assert fresh["product-reviews-page"] == {"max_value": 1, "active_page": 1}
    body = json.dumps(fresh["product-reviews-body"]["children"], ensure_ascii=False)
    assert "Reviews 1–2 of 2" in body and "Nul" in body and "not translated" in body


@pytest.mark.parametrize("chart", ["product-trend", "product-distribution", "product-language"])
def test_chart_callbacks_return_figures(client, chart):
    result = call(client, [(f"{chart}-body", "children"), (f"{chart}-retry", "className")],
                  [("filters", "data", HALF_YEAR.to_dict()), (f"{chart}-retry", "n_clicks", None)], "filters.data")
    graph = result[f"{chart}-body"]["children"]
    assert graph["type"] == "Graph" and graph["props"]["figure"]["data"]
    assert result[f"{chart}-retry"]["className"] == "d-none"


def test_a_failing_query_shows_a_retry(client, reader, monkeypatch):
    def fail(*_args, **_kwargs):
        raise RuntimeError("the warehouse is busy")
    monkeypatch.setattr(reader, "query", fail)
    result = call(client, [("product-distribution-body", "children"), ("product-distribution-retry", "className")],
                  [("filters", "data", HALF_YEAR.to_dict()), ("product-distribution-retry", "n_clicks", 1)],
                  "product-distribution-retry.n_clicks")
    assert "the warehouse is busy" in json.dumps(result["product-distribution-body"])
    assert result["product-distribution-retry"]["className"] == "mt-1"


def test_every_callback_id_is_in_the_layout(reader):
    used, _callbacks = callback_ids(tab, reader)  # pattern-matching ids (the reviews table) left out
    assert used and used <= layout_ids(tab.layout()) | {"filters"}
