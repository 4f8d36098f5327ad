"""Sentiment tab: its queries on a small warehouse whose numbers are worked out by hand, its figure builders,
and its callbacks' builders.

The warehouse (every score below is the sentiment_score written into it):

    customer  value      interactions (type, score)                reviews (lang, score)  tickets (score)
    C1        2000 High  01-10 call .8, 01-20 email .4, 02-05 call -.2   01-12 en .9        02-12 -1.0
    C2         600 Med   01-15 email -.6, 02-10 chat 0                   01-30 en 1.0       01-25 -.5, 02-25 -.9
    C3         100 Low   02-20 call -.5                                  02-14 fr -.7       02-01 -.3
    C4          50 Low   02-18 chat .7, 02-19 email .9                   -                  -
    C5         300 Low   (no records)

All dates are in 2024: the data spans 10 Jan - 25 Feb.
"""

from __future__ import annotations

import hashlib
from datetime import date

import pandas as pd
import plotly.graph_objects as go
import pytest

from config.rules import flat_rules
from dashapp.figures import sentiment as figures
from dashapp.figures.common import LABEL_COLOURS
from dashapp.tabs import sentiment as tab
from tests.dashapp.tab_checks import callback_ids, layout_ids
from tests.warehouse.builder import build_warehouse, customer
from warehouse.filters import Filters
from warehouse.reader import WarehouseReader

ALL_SOURCES = ["interaction", "review", "ticket"]
NO_FILTERS = Filters()
FEBRUARY = Filters(date_from=date(2024, 2, 1), date_to=date(2024, 2, 29))


def interaction(iid, cid, day, kind, score):
    return {"interaction_id": iid, "customer_id": cid, "interaction_date": f"2024-{day}", "interaction_type": kind,
            "interaction_notes": "note", "sentiment_score": score}


def review(rid, cid, day, rating, language, score):
    return {"review_id": rid, "customer_id": cid, "review_date": f"2024-{day}", "review_rating": rating,
            "review_text": "text", "review_language": language, "sentiment_score": score}


def ticket(tid, cid, day, score):
    return {"ticket_id": tid, "customer_id": cid, "ticket_date": f"2024-{day}", "ticket_category": "billing",
            "ticket_description": "text", "ticket_status": "open", "priority_level": "Low", "sentiment_score": score}


@pytest.fixture(scope="module")
def reader(tmp_path_factory):
    path = tmp_path_factory.mktemp("sentiment") / "w.duckdb"
    build_warehouse(
        path,
        [customer("C1", 2000), customer("C2", 600), customer("C3", 100), customer("C4", 50), customer("C5", 300)],
        interactions=[
            interaction("I1", "C1", "01-10", "call", 0.8), interaction("I2", "C1", "01-20", "email", 0.4),
            interaction("I3", "C1", "02-05", "call", -0.2), interaction("I4", "C2", "01-15", "email", -0.6),
            interaction("I5", "C2", "02-10", "chat", 0.0), interaction("I6", "C3", "02-20", "call", -0.5),
            interaction("I7", "C4", "02-18", "chat", 0.7), interaction("I8", "C4", "02-19", "email", 0.9),
        ],
        reviews=[review("R1", "C1", "01-12", 5, "en", 0.9), review("R2", "C2", "01-30", 5, "en", 1.0),
                 review("R3", "C3", "02-14", 1, "fr", -0.7)],
        tickets=[ticket("T1", "C2", "01-25", -0.5), ticket("T2", "C2", "02-25", -0.9),
                 ticket("T3", "C3", "02-01", -0.3), ticket("T4", "C1", "02-12", -1.0)],
    ).close()
    return WarehouseReader(path)


def test_the_rule_values_these_expectations_assume():
    rules = flat_rules()
    assert rules["overall_sentiment_negative_below"] == -0.3
    assert rules["overall_sentiment_positive_above"] == 0.3
    assert rules["dashboard_monthly_after_days"] == 120


# ---------------------------------------------------------------- queries

def over_time(reader, filters=NO_FILTERS, sources=ALL_SOURCES, grain="month") -> dict:
    frame = reader.query("sentiment/sentiment_over_time_by_source", filters, grain=grain, source_types=sources)
    return {(row.period.strftime("%Y-%m-%d"), row.source_type): (pytest.approx(row.avg_sentiment), row.records)
            for row in frame.itertuples()}


def test_average_sentiment_per_source_and_month(reader):
    assert over_time(reader) == {
        ("2024-01-01", "interaction"): ((0.8 + 0.4 - 0.6) / 3, 3),
        ("2024-01-01", "review"): ((0.9 + 1.0) / 2, 2),
        ("2024-01-01", "ticket"): (-0.5, 1),
        ("2024-02-01", "interaction"): ((-0.2 + 0.0 - 0.5 + 0.7 + 0.9) / 5, 5),
        ("2024-02-01", "review"): (-0.7, 1),
        ("2024-02-01", "ticket"): ((-1.0 - 0.9 - 0.3) / 3, 3),
    }


def test_average_sentiment_per_week_starts_on_monday(reader):
    # weeks of Mon 12 Feb (T4 12th, R3 14th, I7 18th) and Mon 19 Feb (I8 19th, I6 20th, T2 25th)
    weekly = over_time(reader, Filters(date_from=date(2024, 2, 12), date_to=date(2024, 2, 29)), grain="week")
    assert weekly == {
        ("2024-02-12", "interaction"): (0.7, 1), ("2024-02-12", "review"): (-0.7, 1),
        ("2024-02-12", "ticket"): (-1.0, 1),
        ("2024-02-19", "interaction"): ((0.9 - 0.5) / 2, 2), ("2024-02-19", "ticket"): (-0.9, 1),
    }


def test_the_source_selector_keeps_only_the_chosen_sources(reader):
    assert over_time(reader, sources=["review"]) == {("2024-01-01", "review"): (0.95, 2),
                                                     ("2024-02-01", "review"): (-0.7, 1)}
    assert set(over_time(reader, sources=["interaction", "ticket"])) == {
        (month, source) for month in ("2024-01-01", "2024-02-01") for source in ("interaction", "ticket")}
    assert over_time(reader, sources=[]) == {}


@pytest.mark.parametrize(("change", "expected"), [
    # High Value is C1 alone
    ({"value_segments": ("High Value",)}, {
        ("2024-01-01", "interaction"): ((0.8 + 0.4) / 2, 2), ("2024-01-01", "review"): (0.9, 1),
        ("2024-02-01", "interaction"): (-0.2, 1), ("2024-02-01", "ticket"): (-1.0, 1)}),
    # the interaction-type filter narrows interactions only; reviews and tickets stay
    ({"interaction_types": ("call",)}, {
        ("2024-01-01", "interaction"): (0.8, 1), ("2024-01-01", "review"): (0.95, 2),
        ("2024-01-01", "ticket"): (-0.5, 1), ("2024-02-01", "interaction"): ((-0.2 - 0.5) / 2, 2),
        ("2024-02-01", "review"): (-0.7, 1), ("2024-02-01", "ticket"): (-2.2 / 3, 3)}),
    # the review-language filter narrows reviews only
    ({"review_languages": ("fr",)}, {
        ("2024-01-01", "interaction"): (0.2, 3), ("2024-01-01", "ticket"): (-0.5, 1),
        ("2024-02-01", "interaction"): (0.18, 5), ("2024-02-01", "review"): (-0.7, 1),
        ("2024-02-01", "ticket"): (-2.2 / 3, 3)}),
    ({"date_from": date(2024, 1, 20), "date_to": date(2024, 2, 5)}, {  # I2, I3, T1, R2, T3
        ("2024-01-01", "interaction"): (0.4, 1), ("2024-01-01", "review"): (1.0, 1),
        ("2024-01-01", "ticket"): (-0.5, 1), ("2024-02-01", "interaction"): (-0.2, 1),
        ("2024-02-01", "ticket"): (-0.3, 1)}),
])
def test_filters_change_the_averages_over_time(reader, change, expected):
    assert over_time(reader, Filters(**change)) == expected


def distribution(reader, filters=NO_FILTERS) -> dict:
    frame = reader.query("sentiment/sentiment_distribution_by_source", filters)
    return {(row.source_type, row.bin): (row.records, row.source_records, pytest.approx(row.share),
                                         pytest.approx(row.bin_start), pytest.approx(row.bin_end))
            for row in frame.itertuples()}


def test_distribution_bins_of_a_tenth_per_source(reader):
    bins = distribution(reader)
    # interactions .8 .4 -.2 -.6 0 -.5 .7 .9 -> bins 18 14 8 4 10 5 17 19 (bin = floor(10 * score) + 10)
    assert sorted(b for s, b in bins if s == "interaction") == [4, 5, 8, 10, 14, 17, 18, 19]
    assert bins[("interaction", 10)] == (1, 8, 1 / 8, 0.0, 0.1)
    assert bins[("interaction", 4)] == (1, 8, 1 / 8, -0.6, -0.5)
    # reviews .9 and 1.0 share the last bin (a score of exactly 1 is counted in [0.9, 1.0])
    assert bins[("review", 19)] == (2, 3, 2 / 3, 0.9, 1.0)
    assert bins[("review", 3)] == (1, 3, 1 / 3, -0.7, -0.6)
    # tickets -.5 -.9 -.3 -1.0 -> bins 5 1 7 0; -1.0 is the first bin
    assert sorted(b for s, b in bins if s == "ticket") == [0, 1, 5, 7]
    assert bins[("ticket", 0)] == (1, 4, 0.25, -1.0, -0.9)
    assert sum(records for records, *_ in bins.values()) == 8 + 3 + 4


def test_distribution_follows_the_filters(reader):
    bins = distribution(reader, Filters(value_segments=("Low Value",), interaction_types=("chat",)))
    # C3, C4: chat .7 (bin 17); review -.7 (bin 3); ticket -.3 (bin 7); C3's call and C4's email are not chat
    assert bins == {("interaction", 17): (1, 1, 1.0, 0.7, 0.8), ("review", 3): (1, 1, 1.0, -0.7, -0.6),
                    ("ticket", 7): (1, 1, 1.0, -0.3, -0.2)}
    assert distribution(reader, Filters(date_from=date(2025, 1, 1), date_to=date(2025, 1, 31))) == {}


def scatter(reader, filters=NO_FILTERS, max_points=5000) -> pd.DataFrame:
    return reader.query("sentiment/sentiment_volatility_vs_trend", filters, max_points=max_points)


def test_volatility_and_trend_per_customer(reader):
    frame = scatter(reader).set_index("customer_id")
    # C5 has no scored record: not a point
    assert sorted(frame.index) == ["C1", "C2", "C3", "C4"]
    expected = {  # (volatility = max - min, trend = last - first, average, records, overall sentiment)
        "C1": (0.9 + 1.0, -1.0 - 0.8, (0.8 + 0.9 + 0.4 - 0.2 - 1.0) / 5, 5, "Neutral"),   # .8 .9 .4 -.2 -1
        "C2": (1.0 + 0.9, -0.9 + 0.6, (-0.6 - 0.5 + 1.0 + 0.0 - 0.9) / 5, 5, "Neutral"),  # -.6 -.5 1 0 -.9
        "C3": (0.7 - 0.3, -0.5 + 0.3, (-0.3 - 0.7 - 0.5) / 3, 3, "Negative"),             # -.3 -.7 -.5
        "C4": (0.9 - 0.7, 0.9 - 0.7, 0.8, 2, "Positive"),                                 # .7 .9
    }
    for cid, (volatility, trend, average, records, label) in expected.items():
        row = frame.loc[cid]
        assert row["sentiment_volatility"] == pytest.approx(volatility), cid
        assert row["sentiment_trend"] == pytest.approx(trend), cid
        assert row["avg_sentiment"] == pytest.approx(average), cid
        assert (row["sentiment_count"], row["overall_sentiment"]) == (records, label), cid
    assert set(frame["customers_in_view"]) == {4}


@pytest.mark.parametrize(("filters", "customers"), [
    (Filters(value_segments=("Low Value",)), ["C3", "C4"]),
    # customers with a record in the range; their values stay those of the whole history
    (Filters(date_from=date(2024, 2, 15), date_to=date(2024, 2, 29)), ["C2", "C3", "C4"]),
    (Filters(interaction_types=("chat",), date_from=date(2024, 2, 15), date_to=date(2024, 2, 19)), ["C4"]),
    (Filters(review_languages=("fr",), date_from=date(2024, 1, 1), date_to=date(2024, 1, 14)), ["C1"]),
    (Filters(date_from=date(2025, 1, 1), date_to=date(2025, 1, 31)), []),
])
def test_scatter_follows_the_filters(reader, filters, customers):
    frame = scatter(reader, filters)
    assert sorted(frame["customer_id"]) == customers
    if customers:
        assert set(frame["customers_in_view"]) == {len(customers)}
        c4 = frame[frame["customer_id"] == "C4"]
        if len(c4):
            assert c4["sentiment_trend"].iloc[0] == pytest.approx(0.2)  # lifetime, not within the range


def test_scatter_sample_is_deterministic_and_counts_every_customer(reader):
    by_hash = sorted(["C1", "C2", "C3", "C4"], key=lambda cid: hashlib.md5(cid.encode()).hexdigest())
    first, second = scatter(reader, max_points=2), scatter(reader, max_points=2)
    assert list(first["customer_id"]) == list(second["customer_id"]) == by_hash[:2]
    assert set(first["customers_in_view"]) == {4}


def by_type(reader, filters=NO_FILTERS) -> dict:
    frame = reader.query("sentiment/sentiment_by_interaction_type", filters)
    return {row.interaction_type: (pytest.approx(row.avg_sentiment), row.interactions) for row in frame.itertuples()}


def test_average_sentiment_by_interaction_type(reader):
    frame = reader.query("sentiment/sentiment_by_interaction_type", Filters())
    assert list(frame["interaction_type"]) == ["chat", "email", "call"]  # best first
    assert by_type(reader) == {"call": ((0.8 - 0.2 - 0.5) / 3, 3), "email": ((0.4 - 0.6 + 0.9) / 3, 3),
                               "chat": ((0.0 + 0.7) / 2, 2)}


@pytest.mark.parametrize(("filters", "expected"), [
    (Filters(value_segments=("High Value",)), {"call": ((0.8 - 0.2) / 2, 2), "email": (0.4, 1)}),
    (FEBRUARY, {"call": ((-0.2 - 0.5) / 2, 2), "chat": (0.35, 2), "email": (0.9, 1)}),
    (Filters(interaction_types=("call", "chat")), {"call": (0.1 / 3, 3), "chat": (0.35, 2)}),
    (Filters(review_languages=("fr",)), {"call": (0.1 / 3, 3), "email": (0.7 / 3, 3), "chat": (0.35, 2)}),
    (Filters(value_segments=("Medium Value",), interaction_types=("call",)), {}),
])
def test_interaction_type_averages_follow_the_filters(reader, filters, expected):
    assert by_type(reader, filters) == expected


# ---------------------------------------------------------------- the tab's builders and layout

def test_over_time_figure_uses_the_grain_and_the_selected_sources(reader):
    figure = tab.over_time_figure(reader, FEBRUARY.to_dict(), ["ticket", "review"])
    assert [trace.name for trace in figure.data] == ["Reviews", "Tickets"]  # fixed source order
    # February is 28 days: weekly, weeks of 29 Jan (T3 on 1 Feb) ... 19 Feb
    assert [str(x)[:10] for x in figure.data[1].x] == ["2024-01-29", "2024-02-12", "2024-02-19"]
    assert list(figure.data[1].y) == pytest.approx([-0.3, -1.0, -0.9])
    monthly = tab.over_time_figure(reader, Filters(date_from=date(2024, 1, 1), date_to=date(2024, 6, 30)).to_dict(),
                                   ALL_SOURCES)
    assert len(monthly.data) == 3 and len(monthly.data[0].x) == 2
    assert is_empty_state(tab.over_time_figure(reader, FEBRUARY.to_dict(), []), "No source selected")


def test_open_date_ends_take_the_data_bounds_for_the_grain():
    bounds = (date(2023, 1, 1), date(2024, 12, 31))
    assert tab.grain_for(Filters(), bounds) == "month"
    assert tab.grain_for(Filters(date_from=date(2024, 12, 1)), bounds) == "week"
    assert tab.grain_for(Filters(date_from=date(2024, 1, 1), date_to=date(2024, 4, 30)), bounds) == "week"  # 120
    assert tab.grain_for(Filters(date_from=date(2024, 1, 1), date_to=date(2024, 5, 1)), bounds) == "month"  # 121


def test_the_other_builders_follow_the_filters(reader):
    none = Filters(date_from=date(2025, 1, 1), date_to=date(2025, 1, 31)).to_dict()
    for build in (tab.distribution_figure, tab.scatter_figure, tab.by_type_figure):
        assert len(build(reader, None).data) > 0, build.__name__
        assert is_empty_state(build(reader, none)), build.__name__
    scatter_figure = tab.scatter_figure(reader, Filters(value_segments=("Low Value",)).to_dict())
    assert sorted(c for trace in scatter_figure.data for c in trace.text) == ["C3", "C4"]


def test_every_callback_id_is_in_the_layout():
    in_layout = layout_ids(tab.layout()) | {"filters"}  # the shell's store of the global filters
    used, callbacks = callback_ids(tab)
    assert used and used <= in_layout
    assert {i for i in in_layout if i != "filters"} == {i for i in in_layout if i.startswith("sentiment-")}
    assert callbacks == 4  # one per chart card, each with its own retry
    assert tab.TAB_ID == "sentiment" and tab.LABEL == "Sentiment"


def test_the_scatter_help_text_states_the_sample_size():
    assert f"At most {tab.SCATTER_MAX_POINTS:,} customers" in str(tab.layout())


# ---------------------------------------------------------------- figure builders

def is_empty_state(figure: go.Figure, text: str = "No data") -> bool:
    return len(figure.data) == 0 and text in figure.layout.annotations[0].text


def test_sentiment_over_time_figure():
    frame = pd.DataFrame({"period": pd.to_datetime(["2024-01-01", "2024-01-01", "2024-02-01"]),
                          "source_type": ["ticket", "interaction", "interaction"],
                          "avg_sentiment": [-0.5, 0.2, 0.1], "records": [1, 3, 5]})
    figure = figures.sentiment_over_time(frame, "month")
    assert [t.name for t in figure.data] == ["Interactions", "Tickets"]
    assert list(figure.data[0].y) == [0.2, 0.1] and list(figure.data[0].customdata) == [3, 5]
    assert figure.data[1].line.color == LABEL_COLOURS["ticket"]
    assert list(figure.layout.yaxis.range) == [-1, 1]
    assert is_empty_state(figures.sentiment_over_time(frame.iloc[0:0], "week"))


def test_sentiment_over_time_figure_with_one_period_labels_it():
    frame = pd.DataFrame({"period": pd.to_datetime(["2024-02-12"]), "source_type": ["review"],
                          "avg_sentiment": [-0.7], "records": [1]})
    figure = figures.sentiment_over_time(frame, "week")
    assert list(figure.layout.xaxis.ticktext) == ["week of 12 Feb 2024"]


def test_sentiment_distribution_figure():
    frame = pd.DataFrame({"source_type": ["review", "review", "ticket"], "bin": [3, 19, 0],
                          "bin_start": [-0.7, 0.9, -1.0], "bin_end": [-0.6, 1.0, -0.9], "records": [1, 2, 1],
                          "source_records": [3, 3, 1], "share": [1 / 3, 2 / 3, 1.0]})
    figure = figures.sentiment_distribution(frame)
    assert [t.name for t in figure.data] == ["Reviews", "Tickets"]
    reviews = figure.data[0]
    assert len(reviews.x) == figures.BINS  # every bin on the axis, empty ones at 0
    assert reviews.y[3] == pytest.approx(100 / 3) and reviews.y[19] == pytest.approx(200 / 3)
    assert sum(reviews.y) == pytest.approx(100)
    assert reviews.x[0] == pytest.approx(-0.95) and reviews.x[19] == pytest.approx(0.95)
    # the axis runs a little past -1..1 on both sides, the same for both sources (shared)
    assert list(figure.layout.xaxis.range) == pytest.approx([-1.08, 1.08])
    assert list(figure.layout.xaxis2.range) == pytest.approx([-1.08, 1.08])
    assert [a.text for a in figure.layout.annotations] == ["Reviews: 3 records", "Tickets: 1 record"]
    assert is_empty_state(figures.sentiment_distribution(frame.iloc[0:0]))


def test_volatility_vs_trend_figure():
    frame = pd.DataFrame({"customer_id": ["C3", "C4", "C1"], "sentiment_volatility": [0.4, 0.2, 1.9],
                          "sentiment_trend": [-0.2, 0.2, -1.8], "avg_sentiment": [-0.5, 0.8, 0.18],
                          "sentiment_count": [3, 2, 5], "overall_sentiment": ["Negative", "Positive", "Neutral"],
                          "customers_in_view": [3, 3, 3]})
    figure = figures.volatility_vs_trend(frame)
    assert [t.name for t in figure.data] == ["Positive", "Neutral", "Negative"]
    assert all(t.type == "scattergl" for t in figure.data)
    assert list(figure.data[2].text) == ["C3"] and "<b>%{text}</b>" in figure.data[2].hovertemplate
    assert list(figure.data[2].customdata[0]) == [-0.5, 3.0] and "%{customdata[0]:+.2f}" in figure.data[2].hovertemplate
    assert figure.data[0].marker.color == LABEL_COLOURS["Positive"]
    assert figure.layout.title.text == "3 customers"
    sampled = figures.volatility_vs_trend(frame.assign(customers_in_view=12_000))
    assert sampled.layout.title.text == "A fixed sample of 3 of the 12,000 customers in view"
    assert is_empty_state(figures.volatility_vs_trend(frame.iloc[0:0]))


def test_sentiment_by_interaction_type_figure():
    frame = pd.DataFrame({"interaction_type": ["chat", "email", "call"], "avg_sentiment": [0.35, -0.1, 0.35],
                          "interactions": [2, 1_500, 3]})
    figure = figures.sentiment_by_interaction_type(frame)
    bars = figure.data[0]
    assert list(bars.y) == ["call", "chat", "email"]  # best first, ties by name
    assert list(bars.text) == ["+0.35  (n=3)", "+0.35  (n=2)", "-0.10  (n=1,500)"]
    assert list(bars.marker.color) == [LABEL_COLOURS["Positive"]] * 2 + [LABEL_COLOURS["Negative"]]
    assert figure.layout.xaxis.range[0] < -0.1 and figure.layout.xaxis.range[1] > 0.35
    assert is_empty_state(figures.sentiment_by_interaction_type(frame.iloc[0:0]))
