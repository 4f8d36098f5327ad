"""Retention tab: its queries (sql/queries/retention/*.sql) on a small known warehouse, its figure builders, KPI
texts and layout.

The warehouse, every value worked out by hand below. Activity = an interaction, a usage event with events or an
order with amount > 0; reviews, tickets and refunds are not activity.

    cohort    customers                         activity by month (Nov 2023 .. Apr 2024)
    Oct 2023  O1                                Dec (interaction), Mar (order)
    Dec 2023  D1 (signed up 1 Dec), D2 (31 Dec) D1: 20 Nov (before sign-up: ignored), Jan; D2: Dec, Feb
    Jan 2024  J01..J20                          Jan all 20, Feb J01..J16, Mar J01..J08, Apr J01..J04
    Feb 2024  F1..F4 (Low Value), F5 (High)     Feb F1 F2 F5; Mar nobody (a refund, a ticket, a review);
                                                Apr F3

- The earliest activity of all is D1's interaction on 2023-11-20: the data starts in November 2023, so the Oct
  2023 cohort's month 0 has no data (NULL, not 0 %); it is also the first day of the data ("All time" starts
  there: reader.date_bounds()[0]).
- The newest activity is on 2024-04-15 (J01..J04 and F3), as_of_date: April is in progress.
- Every customer has lifetime value 100 (Low Value) except F5 (2000, High Value).
config/rules.toml [retention]: drop-off = a fall of >= 10 pp over >= 20 customers.
"""

from __future__ import annotations

import math
from datetime import date

import pandas as pd
import plotly.graph_objects as go
import pytest
import sqlglot

from config.rules import flat_rules
from dashapp.figures import retention as figures
from dashapp.tabs import retention as tab
from dashapp.tabs import retention_health
from tests.dashapp.tab_checks import callback_ids, layout_ids
from tests.warehouse.builder import build_warehouse, customer
from warehouse.filters import Filters
from warehouse.queries import to_duckdb_parameters
from warehouse.reader import WarehouseReader
from warehouse.sqlfiles import read_sql

OCT, NOV, DEC = date(2023, 10, 1), date(2023, 11, 1), date(2023, 12, 1)
JAN, FEB, MAR, APR = date(2024, 1, 1), date(2024, 2, 1), date(2024, 3, 1), date(2024, 4, 1)
J = [f"J{i:02d}" for i in range(1, 21)]
LOW = Filters(value_segments=("Low Value",))
HIGH = Filters(value_segments=("High Value",))


def interaction(cid: str, day: str) -> dict:
    return {"interaction_id": f"{cid}-{day}", "customer_id": cid, "interaction_date": f"{day} 10:00",
            "interaction_type": "call", "interaction_notes": "n", "sentiment_score": 0.1}


def usage(cid: str, day: str, count: int = 1) -> dict:
    return {"user_id": f"u-{cid}", "customer_id": cid, "event_date": f"{day} 10:00", "feature_name": "reports",
            "events_count": count}


def order(cid: str, day: str, amount: float) -> dict:
    return {"order_id": f"{cid}-{day}", "customer_id": cid, "order_date": f"{day} 10:00", "amount": amount}


CUSTOMERS = [
    customer("O1", sign_up_date="2023-10-20"),
    customer("D1", sign_up_date="2023-12-01"), customer("D2", sign_up_date="2023-12-31"),
    *[customer(cid, sign_up_date="2024-01-05") for cid in J],
    *[customer(f"F{i}", sign_up_date="2024-02-10") for i in range(1, 5)],
    customer("F5", 2000.0, sign_up_date="2024-02-20"),
]
INTERACTIONS = [
    interaction("D1", "2023-11-20"),  # before D1 signed up: ignored, but the data starts here
    interaction("O1", "2023-12-05"), interaction("D1", "2024-01-09"),
    *[interaction(cid, "2024-01-15") for cid in J],
    interaction("F1", "2024-02-11"),
    *[interaction(cid, "2024-04-15") for cid in J[:4]], interaction("F3", "2024-04-15"),
]
USAGE = [
    usage("D2", "2023-12-31"), *[usage(cid, "2024-02-03") for cid in J[:16]], usage("F2", "2024-02-28"),
    usage("J17", "2024-02-03", count=0),  # no events: not activity
]
ORDERS = [
    order("O1", "2024-03-10", 50.0), order("D2", "2024-02-14", 20.0), order("F5", "2024-02-12", 99.0),
    *[order(cid, "2024-03-20", 10.0) for cid in J[:8]],
    order("F1", "2024-03-05", -10.0), order("J05", "2024-04-02", -10.0),  # refunds: not activity
]
REVIEWS = [{"review_id": "R1", "customer_id": "F3", "review_date": "2024-03-07 10:00", "review_rating": 2,
            "review_text": "meh", "sentiment_score": -0.2}]
TICKETS = [{"ticket_id": "T1", "customer_id": "F2", "ticket_date": "2024-03-06 10:00", "ticket_category": "billing",
            "ticket_description": "x", "priority_level": "Low", "sentiment_score": -0.5}]


@pytest.fixture(scope="module")
def reader(tmp_path_factory):
    path = tmp_path_factory.mktemp("retention") / "warehouse.duckdb"
    build_warehouse(path, CUSTOMERS, interactions=INTERACTIONS, reviews=REVIEWS, tickets=TICKETS,
                    usage_events=USAGE, orders=ORDERS).close()
    reader = WarehouseReader(path)
    yield reader
    reader.close()


def cells(reader, filters=None) -> dict[tuple[date, int], tuple]:
    """(cohort, month since sign-up) -> (cohort size, status, active, retention %)."""
    frame = tab.query(reader, "cohort_retention", filters or Filters())
    # every percentage here is exact in binary (0, 20, 25, 40, 50, 60, 80, 100): compared as they are
    return {(r.cohort_month.date(), r.months_since_signup): (
        r.cohort_size, r.cell_status, None if pd.isna(r.active_customers) else r.active_customers,
        None if pd.isna(r.retention_pct) else r.retention_pct)
        for r in frame.itertuples(index=False)}


def curve(reader, filters=None) -> pd.DataFrame:
    return tab.query(reader, "retention_curve", filters or Filters()).set_index("months_since_signup")


def test_the_rule_values_these_expectations_assume(reader):
    rules = flat_rules()
    assert (rules["retention_drop_off_min_pp"], rules["retention_drop_off_min_customers"]) == (10, 20)
    assert reader.date_bounds() == (date(2023, 11, 20), date(2024, 4, 15))
    assert reader._connection().execute("select as_of_date from analytics.warehouse_as_of").fetchone() == (
        date(2024, 4, 15),)


# ---------------------------------------------------------------- cohort_retention: the heatmap

def test_cohort_percentages(reader):
    got = cells(reader)
    assert got == {
        # O1: before the data starts, then Nov nobody, Dec active, Jan Feb nobody, Mar active, Apr in progress
        (OCT, 0): (1, "no_data", None, None),
        (OCT, 1): (1, "measured", 0, 0.0),
        (OCT, 2): (1, "measured", 1, 100.0),
        (OCT, 3): (1, "measured", 0, 0.0),
        (OCT, 4): (1, "measured", 0, 0.0),
        (OCT, 5): (1, "measured", 1, 100.0),
        (OCT, 6): (1, "in_progress", 0, 0.0),
        # D2 in Dec (usage at 23:00 on the 31st), D1 in Jan (his November is before sign-up), D2 in Feb (order)
        (DEC, 0): (2, "measured", 1, 50.0),
        (DEC, 1): (2, "measured", 1, 50.0),
        (DEC, 2): (2, "measured", 1, 50.0),
        (DEC, 3): (2, "measured", 0, 0.0),
        (DEC, 4): (2, "in_progress", 0, 0.0),
        # 20 in Jan, 16 in Feb (J17's usage row has 0 events), 8 in Mar, 4 so far in Apr (J05's refund is not)
        (JAN, 0): (20, "measured", 20, 100.0),
        (JAN, 1): (20, "measured", 16, 80.0),
        (JAN, 2): (20, "measured", 8, 40.0),
        (JAN, 3): (20, "in_progress", 4, 20.0),
        # F1 F2 F5 in Feb; in Mar only a refund (F1), a ticket (F2) and a review (F3): nobody; F3 in Apr
        (FEB, 0): (5, "measured", 3, 60.0),
        (FEB, 1): (5, "measured", 0, 0.0),
        (FEB, 2): (5, "in_progress", 1, 20.0),
    }
    frame = tab.query(reader, "cohort_retention", Filters())
    assert list(frame["activity_month"].iloc[:3]) == [pd.Timestamp(OCT), pd.Timestamp(NOV), pd.Timestamp(DEC)]


def test_a_customer_filter_selects_the_cohorts_customers(reader):
    low = cells(reader, LOW)
    # F5 (High Value) leaves the Feb cohort: 4 customers, F1 F2 active in Feb, F3 in Apr
    assert low[(FEB, 0)] == (4, "measured", 2, 50.0)
    assert low[(FEB, 1)] == (4, "measured", 0, 0.0)
    assert low[(FEB, 2)] == (4, "in_progress", 1, 25.0)
    assert low[(JAN, 1)] == (20, "measured", 16, 80.0)  # the other cohorts are all Low Value
    # High Value: F5 alone
    assert cells(reader, HIGH) == {(FEB, 0): (1, "measured", 1, 100.0), (FEB, 1): (1, "measured", 0, 0.0),
                                   (FEB, 2): (1, "in_progress", 0, 0.0)}
    assert cells(reader, Filters(personas=("No such persona",))) == {}
    # the interaction type and review language filters do not apply to retention
    assert cells(reader, Filters(interaction_types=("email",), review_languages=("fr",))) == cells(reader)


@pytest.mark.parametrize(("start", "end", "cohorts"), [
    # whole cohorts whose sign-up month overlaps the range: J.. signed up on 5 Jan, F.. on 10 and 20 Feb
    (date(2024, 1, 31), date(2024, 2, 1), [JAN, FEB]),
    (date(2024, 2, 15), date(2024, 4, 15), [FEB]),
    # a range that does not start on the first day of the data excludes the cohorts before it
    (date(2023, 11, 21), date(2024, 4, 15), [DEC, JAN, FEB]),
    (date(2023, 10, 31), date(2023, 12, 1), [OCT, DEC]),
    # a range that starts on the first day of the data (All time) takes the cohorts from before it too
    (date(2023, 11, 20), date(2024, 4, 15), [OCT, DEC, JAN, FEB]),
    (None, None, [OCT, DEC, JAN, FEB]),
    (date(2023, 11, 20), date(2023, 12, 31), [OCT, DEC]),
    (date(2024, 3, 1), date(2024, 4, 15), []),  # nobody signed up in March or April
])
def test_the_date_range_picks_whole_cohorts(reader, start, end, cohorts):
    frame = tab.query(reader, "cohort_retention", Filters(date_from=start, date_to=end))
    assert sorted({month.date() for month in frame["cohort_month"]}) == cohorts


def test_every_cohort_is_followed_to_the_as_of_month_whatever_the_range_end(reader):
    december_only = cells(reader, Filters(date_from=date(2023, 12, 1), date_to=date(2023, 12, 31)))
    assert sorted(december_only) == [(DEC, k) for k in range(5)]  # Dec 2023 .. Apr 2024
    assert december_only[(DEC, 2)] == (2, "measured", 1, 50.0)


# ---------------------------------------------------------------- retention_curve: average and drop-offs

def test_average_curve_weighted_by_cohort_size_and_drop_offs(reader):
    got = curve(reader)
    # measured cells only (no Oct month 0, no April); months 0..5
    assert list(got.index) == [0, 1, 2, 3, 4, 5]
    assert list(got["cohorts"]) == [3, 4, 3, 2, 1, 1]
    assert list(got["customers"]) == [27, 28, 23, 3, 1, 1]
    assert list(got["active_customers"]) == [24, 17, 10, 0, 0, 1]
    # month 0: Dec 1 + Jan 20 + Feb 3 of 2 + 20 + 5; month 1: Oct 0 + Dec 1 + Jan 16 + Feb 0 of 28
    assert list(got["retention_pct"]) == pytest.approx([2400 / 27, 1700 / 28, 1000 / 23, 0.0, 0.0, 100.0])
    # like-for-like steps, over the cohorts that measured both months:
    #   0 -> 1: Dec Jan Feb (27 customers; Oct has no month 0): 24 -> 17 active
    #   1 -> 2: Oct Dec Jan (23; Feb's month 2 is in progress): 0 + 1 + 16 = 17 -> 1 + 1 + 8 = 10
    #   2 -> 3: Oct Dec (3): 2 -> 0;  3 -> 4: Oct (1): 0 -> 0;  4 -> 5: Oct (1): 0 -> 1
    assert list(got["step_customers"]) == [0, 27, 23, 3, 1, 1]
    assert math.isnan(got.loc[0, "change_pp"])
    assert list(got["change_pp"].iloc[1:]) == pytest.approx([-700 / 27, -700 / 23, -200 / 3, 0.0, 100.0])
    # -25.9 and -30.4 pp over >= 20 customers are drop-offs; -66.7 pp over 3 customers is not judged
    assert list(got["is_drop_off"]) == [False, True, True, False, False, False]
    assert list(got["is_largest_fall"]) == [False, False, True, False, False, False]


def test_curve_with_a_customer_filter(reader):
    got = curve(reader, LOW)
    # F5 out: month 0 = 1 + 20 + 2 of 2 + 20 + 4; month 1 = 17 of 27; step 0 -> 1 over 26: 23 -> 17
    assert got.loc[0, "retention_pct"] == pytest.approx(2300 / 26)
    assert got.loc[1, "retention_pct"] == pytest.approx(1700 / 27)
    assert got.loc[1, "change_pp"] == pytest.approx(-600 / 26)
    high = curve(reader, HIGH)
    # F5 alone: 1 of 1, then 0 of 1: -100 pp, but over 1 customer: no drop-off and no largest fall
    assert list(high["retention_pct"]) == [100.0, 0.0]
    assert not high["is_drop_off"].any() and not high["is_largest_fall"].any()


def test_nobody_in_view(reader):
    nobody = Filters(personas=("No such persona",))
    assert tab.query(reader, "retention_curve", nobody).empty
    assert tab.query(reader, "cohort_retention", nobody).empty


def test_a_warehouse_without_activity(tmp_path):
    path = tmp_path / "w.duckdb"
    build_warehouse(path, [customer("A", sign_up_date="2024-01-05"), customer("B", sign_up_date="2024-03-01")]).close()
    reader = WarehouseReader(path)
    try:
        # no as-of date: each cohort has its month 0 only, and no data for it; nothing on the curve
        assert cells(reader) == {(JAN, 0): (1, "no_data", None, None), (MAR, 0): (1, "no_data", None, None)}
        assert tab.query(reader, "retention_curve", Filters()).empty
    finally:
        reader.close()


@pytest.mark.parametrize(("cohort_size", "active_next_month", "drop_off"), [
    (20, 18, True),    # -10 pp over 20 customers: exactly the threshold
    (20, 19, False),   # -5 pp
    (19, 5, False),    # -73.7 pp, but over 19 customers: not judged
])
def test_drop_off_thresholds(tmp_path, cohort_size, active_next_month, drop_off):
    ids = [f"C{i:02d}" for i in range(cohort_size)]
    path = tmp_path / "w.duckdb"
    build_warehouse(path, [customer(cid, sign_up_date="2024-01-02") for cid in ids],
                    interactions=[interaction(cid, "2024-01-10") for cid in ids]
                    + [interaction(cid, "2024-02-10") for cid in ids[:active_next_month]]
                    # the same customers on 31 March (as_of_date): a complete month, no change
                    + [interaction(cid, "2024-03-31") for cid in ids[:active_next_month]]).close()
    reader = WarehouseReader(path)
    try:
        got = curve(reader)
    finally:
        reader.close()
    assert got.loc[1, "change_pp"] == pytest.approx(100 * (active_next_month - cohort_size) / cohort_size)
    assert bool(got.loc[1, "is_drop_off"]) is drop_off
    assert bool(got.loc[1, "is_largest_fall"]) is (cohort_size >= 20)
    assert list(got.index) == [0, 1, 2]  # March, the as-of month, is complete on its last day
    assert got.loc[2, "change_pp"] == 0.0 and not got.loc[2, "is_drop_off"]


@pytest.mark.parametrize("name", ["cohort_retention", "retention_curve"])
def test_queries_translate_to_postgres(name):
    sql = to_duckdb_parameters(read_sql(f"queries/retention/{name}.sql"))
    sqlglot.transpile(sql, read="duckdb", write="postgres", unsupported_level=sqlglot.ErrorLevel.RAISE)


# ---------------------------------------------------------------- KPI cards, layout and callbacks

def test_kpi_texts(reader):
    texts = tab.kpi_texts(curve(reader).reset_index())
    assert texts["retention-kpi-month-1"] == ("60.7 %", "4 cohorts, 28 customers, weighted")  # 17 / 28
    assert texts["retention-kpi-month-3"] == ("0.0 %", "2 cohorts, 3 customers, weighted")
    assert texts["retention-kpi-month-12"] == ("–", "no cohort in view has completed month 12 yet")
    assert texts["retention-kpi-fall"] == ("−30.4 pp", "month 1 → 2 · 2 drop-offs of 10 pp or more")
    high = tab.kpi_texts(curve(reader, HIGH).reset_index())
    assert high["retention-kpi-fall"] == ("–", "no step from one month to the next has the 20 customers needed "
                                               "to judge")
    empty = tab.kpi_texts(curve(reader, Filters(personas=("No such persona",))).reset_index())
    assert set(empty.values()) == {("–", "no cohort with a complete month in view")}


def test_help_text_states_the_rules():
    text = tab.help_text()
    assert "picks whole cohorts" in text and "followed to the newest data month" in text
    assert "10 percentage points" in text and "20 customers" in text
    assert "interaction type and review language filters do not apply" in text


def test_every_callback_id_is_in_the_layout():
    in_layout = layout_ids(tab.layout()) | {"filters"}  # the shell's store of the global filters
    used, count = callback_ids(tab)
    assert used and used <= in_layout
    assert count == 3 + len(retention_health.CHARTS) + 1  # KPIs, heatmap, curves; the health and churn section
    assert tab.TAB_ID == "retention" and tab.LABEL == "Retention"


def test_the_tab_is_registered_last_and_known_to_the_url_state():
    from dashapp.state import TABS, parse_search
    from dashapp.tabs import TAB_MODULES

    assert tab in TAB_MODULES and TABS["retention"] == "Retention"  # the Glossary tab comes after it
    state, notices = parse_search("?tab=retention&segment=High+Value", {"value_segment": ["High Value"]})
    assert (state.tab, notices) == ("retention", [])


# ---------------------------------------------------------------- figure builders (hand-made frames)

def cell_frame(rows: list[tuple]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["cohort_month", "months_since_signup", "activity_month", "cohort_size",
                                       "cell_status", "active_customers", "retention_pct"])


CELLS = cell_frame([
    (DEC, 0, DEC, 2, "no_data", None, None),
    (DEC, 1, JAN, 2, "measured", 1, 50.0),
    (DEC, 2, FEB, 2, "in_progress", 2, 100.0),
    (JAN, 0, JAN, 1234, "measured", 1234, 100.0),
    (JAN, 1, FEB, 1234, "in_progress", 617, 50.0),
])


def curve_frame(pcts: list[float], changes: list[float | None], drops: list[bool], largest: list[bool],
                steps: list[int] | None = None) -> pd.DataFrame:
    months = list(range(len(pcts)))
    return pd.DataFrame({"months_since_signup": months, "cohorts": 2, "customers": 100, "active_customers": 50,
                         "retention_pct": pcts, "step_customers": steps or [0] + [100] * (len(pcts) - 1),
                         "change_pp": [math.nan if c is None else c for c in changes], "is_drop_off": drops,
                         "is_largest_fall": largest})


# 90 -> 60 (-30 pp, a drop-off) -> 55 (-5) -> 40 (-15, a drop-off) -> 38
CURVE = curve_frame([90.0, 60.0, 55.0, 40.0, 38.0], [None, -30.0, -5.0, -15.0, -2.0],
                    [False, True, False, True, False], [False, True, False, False, False])


def test_cell_texts():
    assert figures.cell_text(42.4, 1234, "measured", 12) == "42 % (1,234)"
    assert figures.cell_text(42.6, 3, "in_progress", 13) == "43 % (3)*"
    assert figures.cell_text(7.0, 3, "measured", 14) == "7 %<br>(3)"
    assert figures.cell_text(7.0, 3, "in_progress", 25) == "7*"


def test_heatmap():
    figure = figures.cohort_heatmap(CELLS, drop_off_months=[1])
    heatmap = figure.data[0]
    assert list(heatmap.y) == ["Dec 2023 · 2", "Jan 2024 · 1,234"]  # oldest cohort first, with its size
    assert figure.layout.yaxis.autorange == "reversed"
    assert [list(row) for row in heatmap.z] == [[None, 50.0, 100.0], [100.0, 50.0, None]]  # no data: blank
    assert [list(row) for row in heatmap.text] == [["", "50 % (1)", "100 % (2)*"], ["100 % (1,234)", "50 % (617)*", ""]]
    assert "617 of 1,234 customers active: 50.0 %" in heatmap.customdata[1][1]
    assert "month in progress" in heatmap.customdata[1][1]
    assert list(figure.layout.xaxis.ticktext) == ["0", "1▼", "2"]
    assert (heatmap.zmin, heatmap.zmax) == (50, 100)  # the values shown, in steps of 10


def test_curves_mark_the_drop_offs():
    figure = figures.retention_curves(CELLS, CURVE)
    names = [trace.name for trace in figure.data]
    # two cohorts (their measured months only), the average, the drop-off markers; the largest fall is a drop-off
    assert names == ["Dec 2023 cohort", "Jan 2024 cohort", "average, weighted by cohort size", "drop-off"]
    assert list(figure.data[0].x) == [1] and list(figure.data[1].y) == [100.0]
    assert figure.data[2].line.width > figure.data[0].line.width
    drops = figure.data[3]
    assert list(drops.x) == [1, 3] and list(drops.y) == [60.0, 40.0]
    assert list(drops.text) == ["−30.0 pp", "−15.0 pp"]


def test_curves_mark_the_largest_fall_below_the_threshold():
    calm = curve_frame([90.0, 88.0, 85.0], [None, -2.0, -3.0], [False] * 3, [False, False, True])
    figure = figures.retention_curves(CELLS, calm)
    assert [trace.name for trace in figure.data][-1] == "largest fall"
    assert list(figure.data[-1].x) == [2]


def test_many_cohorts_share_one_legend_entry():
    many = cell_frame([(date(2023, m, 1), 0, date(2023, m, 1), 10, "measured", 5, 50.0) for m in range(1, 13)])
    figure = figures.retention_curves(many, curve_frame([50.0], [None], [False], [False]))
    cohort_traces = figure.data[:12]
    assert sum(bool(t.showlegend) for t in cohort_traces) == 1
    assert len({t.line.color for t in cohort_traces}) == 12


def test_drop_off_summary():
    assert figures.drop_off_summary(CURVE) == (
        "2 drop-offs (a fall of 10 percentage points (pp) or more from one month to the next, over the same "
        "cohorts): month 0 → 1: −30.0 pp over 100 customers; month 2 → 3: −15.0 pp over 100 customers. "
        "The largest is month 0 → 1.")
    calm = curve_frame([90.0, 88.0, 85.0], [None, -2.0, -3.0], [False] * 3, [False, False, True], [0, 100, 10])
    assert figures.drop_off_summary(calm) == (
        "No drop-off (a fall of 10 percentage points (pp) or more from one month to the next, over the same "
        "cohorts). The largest fall is month 1 → 2: −3.0 pp. Steps measured over fewer than 20 customers are "
        "not judged.")
    rising = curve_frame([50.0, 60.0], [None, 10.0], [False] * 2, [False] * 2)
    assert "does not fall" in figures.drop_off_summary(rising)
    tiny = curve_frame([50.0, 10.0], [None, -40.0], [False] * 2, [False] * 2, [0, 5])
    assert figures.drop_off_summary(tiny).startswith("Too few customers to judge drop-offs")
    assert figures.drop_off_summary(CURVE.iloc[0:0]) == ""


def is_empty_state(figure: go.Figure) -> bool:
    return len(figure.data) == 0 and "No" in figure.layout.annotations[0].text


def test_empty_states():
    assert is_empty_state(figures.cohort_heatmap(CELLS.iloc[0:0]))
    assert is_empty_state(figures.cohort_heatmap(CELLS.iloc[:1]))  # only a month without data
    assert is_empty_state(figures.retention_curves(CELLS.iloc[0:0], CURVE.iloc[0:0]))
    assert is_empty_state(figures.retention_curves(CELLS, CURVE.iloc[0:0]))


def test_reports_rebuild_the_heatmap_and_the_curves_with_the_drop_offs_in_words(reader):
    from reports.content import build_tab_report
    from reports.html import to_html

    cards = {card.chart_id: card.body for card in build_tab_report(reader, "retention", Filters()).cards}
    assert isinstance(cards["retention-heatmap"], go.Figure)
    # the two drop-offs of test_average_curve_weighted_by_cohort_size_and_drop_offs, under the chart
    text = str(to_html(cards["retention-curves"], lambda _figure: "[chart]"))
    assert text.startswith("<div>[chart]<p") and "2 drop-offs" in text and "−25.9 pp over 27 customers" in text
