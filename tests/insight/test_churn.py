"""The churn model (insight/churn.py, insight/stage.py, sql/queries/churn/) on real DuckDB warehouses built from
hand-written rows (tests/warehouse/builder.py).

Rules these tests assume (config/rules.toml [churn_model], checked first): horizon N = 90 days, windows 30 and 90
days, at least 100 modelled customers and 10 of each class. "The last W days" of a cutoff are the days d with
0 <= cutoff - d < W. Label: 1 = no activity (interaction, usage day, order with amount > 0) on a day d with
1 <= d - cutoff <= N.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest
import sqlglot

from config.rules import load_rules
from insight import stage
from insight.churn import FEATURES, INACTIVE, ChurnConfig, ChurnResult, run_churn_model, score
from tests.warehouse.builder import build_warehouse, customer
from warehouse.filters import Filters
from warehouse.queries import run_query
from warehouse.sqlfiles import SQL_DIR, read_sql

CONFIG = ChurnConfig.from_rules()
QUERIES = sorted(p.stem for p in (SQL_DIR / "queries" / "churn").glob("*.sql"))
NO_FILTERS = Filters().params(date(2020, 1, 1), date(2030, 1, 1))


def test_the_rule_values_these_expectations_assume():
    assert (CONFIG.horizon_days, CONFIG.short_window_days, CONFIG.long_window_days) == (90, 30, 90)
    assert (CONFIG.min_training_rows, CONFIG.min_class_rows) == (100, 10)
    assert (CONFIG.band_high_min, CONFIG.band_medium_min) == (0.6, 0.3)


def ts(day: date) -> str:
    return f"{day.isoformat()} 12:00"


def stamp(rows: list[dict]) -> list[dict]:
    """Every date as 'YYYY-MM-DD 12:00' (pandas parses one format per column)."""
    return [{k: ts(v) if isinstance(v, date) else v for k, v in row.items()} for row in rows]


def build(path: Path, customers: list[dict], **sources: list[dict]) -> duckdb.DuckDBPyConnection:
    return build_warehouse(path, stamp(customers), **{name: stamp(rows) for name, rows in sources.items()})


def features(con, cutoff: date, horizon_days: int = 90) -> dict[str, dict]:
    frame = run_query(con, "churn/features_at_cutoff", cutoff=cutoff, horizon_days=horizon_days)
    return {r["customer_id"]: r for r in frame.to_dict("records")}


def interaction(cid: str, day: date, sentiment: float | None = 0.5, n: int = 0) -> dict:
    return {"interaction_id": f"{cid}-I{day.isoformat()}-{n}", "customer_id": cid, "interaction_date": day,
            "interaction_type": "call", "interaction_notes": "note", "sentiment_score": sentiment}


def usage(cid: str, day: date, events: int = 1) -> dict:
    return {"user_id": f"{cid}-u", "customer_id": cid, "event_date": day, "feature_name": "reports",
            "events_count": events}


def ticket(cid: str, day: date, priority: str = "High", sentiment: float = -0.5, n: int = 0) -> dict:
    return {"ticket_id": f"{cid}-T{day.isoformat()}-{n}", "customer_id": cid, "ticket_date": day,
            "ticket_category": "technical", "ticket_description": "broken", "ticket_status": "open",
            "priority_level": priority, "sentiment_score": sentiment}


def review(cid: str, day: date, rating: int, sentiment: float) -> dict:
    return {"review_id": f"{cid}-R{day.isoformat()}", "customer_id": cid, "review_date": day, "product_id": "P1",
            "review_rating": rating, "review_text": "text", "review_language": "en", "sentiment_score": sentiment}


def order(cid: str, day: date, amount: float) -> dict:
    return {"order_id": f"{cid}-O{day.isoformat()}-{amount}", "customer_id": cid, "order_date": day,
            "amount": amount}


def writable(con: duckdb.DuckDBPyConnection, path: Path) -> duckdb.DuckDBPyConnection:
    con.close()
    return duckdb.connect(str(path))


# ---------------------------------------------------------------- the label and the features, by hand

CUTOFF = date(2024, 6, 30)
N = 90
BOUNDARY = CUTOFF + timedelta(days=N)  # 2024-09-28: the last day of the label window, and as_of_date below


@pytest.fixture(scope="module")
def boundary(tmp_path_factory):
    d = CUTOFF
    day = lambda k: d + timedelta(days=k)  # noqa: E731 - k days after the cutoff (negative: before)
    customers = [customer(c, sign_up_date=date(2024, 1, 1)) for c in
                 ("on_cutoff", "on_boundary", "after_boundary", "next_day", "not_activity", "old", "edge_in",
                  "rich")]
    customers.append(customer("late_signup", sign_up_date=day(1)))
    interactions = [
        interaction("on_cutoff", day(0)),                # activity on the cutoff: a feature, not the label -> 1
        interaction("on_boundary", day(-10)), interaction("on_boundary", day(N)),      # on cutoff + N -> 0
        interaction("after_boundary", day(-10)), interaction("after_boundary", day(N + 1)),  # -> 1 (and NULL
        interaction("next_day", day(-10)), interaction("next_day", day(1)),            # beyond as_of) ; -> 0
        interaction("not_activity", day(-10)),
        interaction("old", day(-N)),                     # exactly N days before: outside the population window
        interaction("edge_in", day(-(N - 1))),           # N - 1 days before: inside
        interaction("late_signup", day(-3)),
    ]
    # "rich": one customer whose every feature is worked out by hand
    interactions += [interaction("rich", day(0), 0.2), interaction("rich", day(-29), -0.4),  # inside 30 days
                     interaction("rich", day(-30), 0.5),                                     # outside 30, inside 90
                     interaction("rich", day(-120), 0.9)]                                    # the 90 days before
    tickets = [ticket("not_activity", day(5)),          # a ticket after the cutoff is not activity
               ticket("rich", day(-1), "Critical", -0.6), ticket("rich", day(-2), "Low", 0.0),
               ticket("rich", day(-89), "High", -0.5, n=1), ticket("rich", day(-90), "High", -0.5, n=2),
               ticket("rich", day(1), "High", -0.5, n=3)]   # after the cutoff: not a feature
    reviews = [review("not_activity", day(6), 1, -0.8), review("rich", day(-60), 2, -0.2),
               review("rich", day(-100), 5, 0.7)]
    usage_events = [usage("not_activity", day(7), 0),      # 0 events: not activity
                    usage("rich", day(0), 5), usage("rich", day(-29), 5), usage("rich", day(-30), 4),
                    usage("rich", day(-59), 3), usage("rich", day(-60), 100)]
    orders = [order("not_activity", day(8), -20.0),        # a refund: not activity
              order("rich", day(-10), 100.0), order("rich", day(-20), -30.0), order("rich", day(-89), 0.0),
              order("rich", day(-95), 500.0)]
    path = tmp_path_factory.mktemp("boundary") / "w.duckdb"
    con = build(path, customers, interactions=interactions, tickets=tickets, reviews=reviews,
                usage_events=usage_events, orders=orders)
    yield con
    con.close()


def test_as_of_date_is_the_label_boundary(boundary):
    # after_boundary's interaction on day N + 1 makes as_of one day later than the boundary
    assert boundary.execute("select as_of_date from analytics.warehouse_as_of").fetchone()[0] == BOUNDARY + \
        timedelta(days=1)


def test_label_at_the_horizon_boundary(boundary):
    rows = features(boundary, CUTOFF)
    labels = {c: r["label"] for c, r in rows.items()}
    assert labels["on_cutoff"] == 1        # activity on the cutoff itself does not count
    assert labels["on_boundary"] == 0      # activity on cutoff + N counts
    assert labels["after_boundary"] == 1   # cutoff + N + 1 is outside the window
    assert labels["next_day"] == 0
    assert labels["not_activity"] == 1     # a ticket, a review, a refund and a 0-event usage row are not activity
    assert "late_signup" not in rows       # signed up after the cutoff


def test_label_is_unknown_when_the_horizon_ends_after_as_of(boundary):
    # as_of = CUTOFF + 91: a cutoff 2 days later ends its window on as_of + 1
    assert all(pd.isna(r["label"]) for r in features(boundary, CUTOFF + timedelta(days=2)).values())
    assert features(boundary, CUTOFF + timedelta(days=1))["on_boundary"]["label"] == 0


def test_population_is_active_in_the_last_n_days(boundary):
    rows = features(boundary, CUTOFF)
    assert rows["edge_in"]["in_population"] and rows["edge_in"]["days_since_last_activity"] == N - 1
    assert not rows["old"]["in_population"] and rows["old"]["days_since_last_activity"] == N
    assert rows["on_cutoff"]["in_population"] and rows["on_cutoff"]["days_since_last_activity"] == 0


def test_features_by_hand(boundary):
    rich = features(boundary, CUTOFF)["rich"]
    # activity days <= cutoff: interactions 0, -29, -30, -120; usage 0, -29, -30, -59, -60; order -10 (-20 is a
    # refund, -89 is 0 and not an order, -95 is outside the 90 days)
    assert rich["days_since_last_activity"] == 0
    assert rich["active_days_30d"] == 3                 # days 0, -10, -29
    assert rich["active_days_90d"] == 6                 # + -30, -59, -60
    assert rich["interactions_90d"] == 3                # 0, -29, -30 (-120 is outside)
    assert rich["tickets_90d"] == 3                     # -1, -2, -89 (-90 outside, +1 after the cutoff)
    assert rich["high_priority_tickets_90d"] == 2       # Critical -1, High -89
    assert rich["reviews_90d"] == 1
    # sentiment of the last 90 days: interactions 0.2, -0.4, 0.5; tickets -0.6, 0.0, -0.5; review -0.2
    last = (0.2 - 0.4 + 0.5 - 0.6 + 0.0 - 0.5 - 0.2) / 7
    before = (0.9 - 0.5 + 0.7) / 3                     # interaction -120, ticket -90, review -100
    assert rich["avg_sentiment_90d"] == pytest.approx(last)
    assert rich["sentiment_change_90d"] == pytest.approx(last - before)
    assert rich["avg_rating_90d"] == pytest.approx(2.0)
    assert rich["usage_events_30d"] == 10               # 5 + 5
    assert rich["usage_events_prev_30d"] == 7           # days -30 and -59; -60 is outside both windows
    assert rich["usage_trend_30d"] == pytest.approx(np.log(11 / 8))
    assert rich["orders_90d"] == 1
    assert rich["net_revenue_90d"] == pytest.approx(70.0)   # 100 - 30 (+ 0)
    assert rich["tenure_days"] == (CUTOFF - date(2024, 1, 1)).days
    assert rich["label"] == 1                           # a ticket after the cutoff is not activity


def test_customers_without_records_in_the_window_have_null_sentiment_and_zero_counts(boundary):
    old = features(boundary, CUTOFF)["old"]
    # its only interaction (sentiment 0.5) is N days before: outside the 90 days, inside the 90 before
    assert pd.isna(old["avg_sentiment_90d"]) and pd.isna(old["sentiment_change_90d"])
    assert (old["interactions_90d"], old["usage_events_30d"], old["orders_90d"]) == (0, 0, 0)


# ---------------------------------------------------------------- a synthetic world with hand-made churners

AS_OF = date(2024, 12, 31)
TRAIN_CUTOFF, EVAL_CUTOFF = AS_OF - timedelta(days=180), AS_OF - timedelta(days=90)


def churn_world(n: int = 360, seed: int = 7) -> tuple[list[dict], dict[str, list[dict]], dict[str, date | None]]:
    """Customers active from 2024-01-01, one contact (an interaction and a usage day) every 3-9 days; everyone files
    a routine ticket with 1 contact in 10, and 1 customer in 7 has a quiet month. Stayers keep going to AS_OF; a
    fifth of them are grumpy (sentiment around -0.3, false alarms for sentiment). A quarter of the customers churn:
    they stop on a day `stop`, a third of them 5-45 days before each of the training cutoff, the hold-out cutoff
    and AS_OF (so that training, hold-out and scoring all have churners). Loud churners' sentiment falls from +0.4
    to about -0.6 over their last 90 days, with a high-priority ticket every other contact of the last 60 days;
    silent churners just fade: usage thins out and then stops. Returns each churner's last activity day (None for
    stayers)."""
    rng = random.Random(seed)
    start = date(2024, 1, 1)
    customers, interactions, tickets, usage_events = [], [], [], []
    last_days: dict[str, date | None] = {}
    for i in range(n):
        cid = f"C{i:03d}"
        customers.append(customer(cid, ltv=rng.choice([100.0, 700.0, 5000.0]), sign_up_date=date(2023, 6, 1)))
        churner, loud, grumpy = i % 4 == 0, (i // 12) % 3 != 0, i % 4 != 0 and i % 5 == 0
        if churner:
            anchor = (TRAIN_CUTOFF, EVAL_CUTOFF, AS_OF)[(i // 4) % 3]
            stop = anchor - timedelta(days=rng.randint(5, 45))
        else:
            stop = AS_OF if i % 2 else AS_OF - timedelta(days=rng.randint(0, 6))
        last_days[cid] = None
        quiet = (start + timedelta(days=rng.randint(0, 300)), rng.randint(20, 35)) if rng.random() < 0.15 else None
        day = start + timedelta(days=rng.randint(0, 6))
        k = 0
        while day <= stop:
            if quiet and 0 <= (day - quiet[0]).days < quiet[1]:
                day += timedelta(days=rng.randint(3, 9))
                continue
            to_stop = (stop - day).days
            decline = max(0.0, 1 - to_stop / 90) if churner else 0.0
            mood = -0.3 if grumpy else 0.4 - (1.0 * decline if loud else 0.0)
            sentiment = max(-1.0, min(1.0, mood + rng.gauss(0, 0.3)))
            interactions.append(interaction(cid, day, round(sentiment, 3), k))
            usage_events.append(usage(cid, day, rng.randint(1, 3) if decline > 0.3 else rng.randint(3, 12)))
            if churner and loud and to_stop < 60 and k % 2 == 0:
                tickets.append(ticket(cid, day, "High", round(sentiment - 0.2, 3), k))
            elif rng.random() < (0.2 if grumpy else 0.1):
                tickets.append(ticket(cid, day, rng.choice(["Low", "Medium", "High"]), round(sentiment, 3), k))
            last_days[cid] = day if churner else None
            k += 1
            day += timedelta(days=rng.randint(3, 9))
        if not churner and stop == AS_OF:
            interactions.append(interaction(cid, AS_OF, 0.4, 999))   # pins as_of_date
    return customers, {"interactions": interactions, "tickets": tickets, "usage_events": usage_events}, last_days


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    customers, sources, stops = churn_world()
    path = tmp_path_factory.mktemp("world") / "w.duckdb"
    con = writable(build(path, customers, **sources), path)
    result = stage.build_churn_tables(con)
    yield con, result, stops
    con.close()


def test_world_as_of(world):
    con, _, _ = world
    assert con.execute("select as_of_date from analytics.warehouse_as_of").fetchone()[0] == AS_OF


def test_model_beats_the_constant_baseline_on_the_time_based_hold_out(world):
    _, result, _ = world
    ev = result.evaluation.iloc[0]
    assert ev["status"] == "ok"
    assert (ev["train_cutoff"], ev["eval_cutoff"], ev["as_of_date"]) == (TRAIN_CUTOFF, EVAL_CUTOFF, AS_OF)
    assert ev["baseline_auc"] == 0.5
    assert ev["auc"] > 0.8
    assert ev["brier"] < ev["baseline_brier"]
    # the baseline predicts the training base rate for everyone: its Brier score by hand
    held_out = features_frame(world, EVAL_CUTOFF)
    y = held_out["label"].astype(float)
    assert ev["baseline_brier"] == pytest.approx(((y - ev["base_rate_train"]) ** 2).mean())
    assert ev["base_rate_eval"] == pytest.approx(y.mean())
    assert ev["n_eval"] == len(held_out)


def features_frame(world, cutoff: date) -> pd.DataFrame:
    con = world[0]
    frame = run_query(con, "churn/features_at_cutoff", cutoff=cutoff, horizon_days=90)
    return frame[frame["in_population"]]


def test_churners_score_higher_and_their_reasons_name_the_right_features(world):
    _, result, stops = world
    scores = result.scores.set_index("customer_id")
    # churners that stopped 5-45 days before AS_OF are modelled at AS_OF (active in the last 90 days)
    recent = [c for c, stop in stops.items() if stop and (AS_OF - stop).days <= 45]
    stayers = [c for c, stop in stops.items() if stop is None]
    assert scores.loc[recent, "churn_probability"].median() > 0.5 > scores.loc[stayers, "churn_probability"].median()
    signals = ("no activity", "sentiment", "ticket", "usage", "active on only", "interaction")
    reasons = []
    for cid in recent:
        mine = [r for r in scores.loc[cid, ["reason_1", "reason_2", "reason_3"]] if isinstance(r, str)]
        assert mine and all(any(s in r for s in signals) for r in mine), (cid, mine)
        silence = [r for r in mine if r.startswith("no activity for")]
        # the days of silence, worked out from the data
        assert silence in ([], [f"no activity for {(AS_OF - stops[cid]).days} days"]), (cid, mine)
        reasons += mine
    for kind in ("no activity for", "sentiment", "high-priority ticket"):  # each constructed signal is a reason
        assert any(kind in r for r in reasons), kind
    # tenure and orders are the same for everyone here: never a reason
    assert not any("customer for" in r or "order" in r for r in reasons)


def test_customers_inactive_for_n_days_are_in_the_inactive_band_without_a_probability(world):
    _, result, stops = world
    scores = result.scores.set_index("customer_id")
    lapsed = [c for c, stop in stops.items() if stop and (AS_OF - stop).days >= 90]
    assert lapsed
    assert (scores.loc[lapsed, "churn_band"] == INACTIVE).all()
    assert scores.loc[lapsed, "churn_probability"].isna().all()
    for cid in lapsed:
        assert scores.loc[cid, "reason_1"] == f"no activity for {(AS_OF - stops[cid]).days} days"
    assert len(scores) == 360  # everyone who signed up by AS_OF


def test_recommended_actions_follow_the_rules_table(world):
    con, result, _ = world
    segments = dict(con.execute("select customer_id, value_segment from analytics.customer_base").fetchall())
    for row in result.scores.to_dict("records"):
        rule = CONFIG.action(row["churn_band"], segments[row["customer_id"]])
        due = None if pd.isna(row["action_due_days"]) else row["action_due_days"]
        assert (row["recommended_action"], due) == (rule.action, rule.due_days)
        if row["churn_band"] != INACTIVE:
            assert row["churn_band"] == CONFIG.band(row["churn_probability"])


def test_calibration_bins_add_up_to_the_hold_out(world):
    _, result, _ = world
    cal, ev = result.calibration, result.evaluation.iloc[0]
    assert cal["customers"].sum() == ev["n_eval"]
    assert list(cal["bin"]) == sorted(cal["bin"]) and cal["bin"].between(1, 10).all()
    assert (cal["mean_predicted"] >= cal["bin_lower"]).all() and (cal["mean_predicted"] <= cal["bin_upper"]).all()
    weighted = (cal["observed_rate"] * cal["customers"]).sum() / cal["customers"].sum()
    assert weighted == pytest.approx(ev["base_rate_eval"])


def test_tables_are_written_with_their_columns(world):
    con, result, _ = world
    expected = {
        "churn_scores": ["customer_id", "churn_probability", "churn_band", "reason_1", "reason_2", "reason_3",
                         "recommended_action", "action_due_days", "days_since_last_activity"],
        "churn_model_evaluation": ["status", "model", "horizon_days", "as_of_date", "train_cutoff", "eval_cutoff",
                                   "n_train", "n_eval", "n_scored", "base_rate_train", "base_rate_eval", "auc",
                                   "baseline_auc", "brier", "baseline_brier", "features"],
        "churn_calibration": ["bin", "bin_lower", "bin_upper", "customers", "mean_predicted", "observed_rate"],
        "churn_coefficients": ["feature", "description", "transform", "coefficient"],
    }
    for name, columns in expected.items():
        assert [d[0] for d in con.execute(f"select * from analytics.{name} limit 0").description] == columns
    assert con.execute("select count(*) from analytics.churn_scores").fetchone()[0] == len(result.scores)
    coefficients = con.execute("select feature, description from analytics.churn_coefficients").fetchall()
    assert [f for f, _ in coefficients] == [f.name for f in FEATURES]
    assert all("{" not in d for _, d in coefficients)  # window lengths filled in


def test_the_run_is_deterministic(world):
    con, result, _ = world
    again = stage.build_churn_tables(con)
    pd.testing.assert_frame_equal(again.scores, result.scores)
    pd.testing.assert_frame_equal(again.evaluation, result.evaluation)


# ---------------------------------------------------------------- dashboard queries


def test_dashboard_queries_over_the_world(world):
    con, result, _ = world
    summary = run_query(con, "churn/churn_summary", **NO_FILTERS)
    assert list(summary.columns) == ["churn_band", "customers", "share", "avg_probability"]
    assert list(summary["churn_band"]) == ["High", "Medium", "Low", "Inactive", "Not scored"]
    counts = result.scores["churn_band"].value_counts()
    assert dict(zip(summary["churn_band"], summary["customers"], strict=True)) == {
        band: int(counts.get(band, 0)) for band in ("High", "Medium", "Low", "Inactive", "Not scored")}
    assert summary["share"].sum() == pytest.approx(1.0)

    high_value = run_query(con, "churn/churn_summary", **{**NO_FILTERS, "value_segments": ["High Value"]})
    n_high = con.execute("select count(*) from analytics.customer_base where value_segment = 'High Value'").fetchone()
    assert high_value["customers"].sum() == n_high[0]

    top = run_query(con, "churn/churn_top_risks", **NO_FILTERS, limit=5)
    assert list(top.columns) == ["customer_id", "customer_name", "csm_owner", "value_segment", "churn_probability",
                                 "churn_band", "days_since_last_activity", "reason_1", "reason_2", "reason_3",
                                 "recommended_action", "action_due_days"]
    best = result.scores.dropna(subset=["churn_probability"]).sort_values(
        ["churn_probability", "customer_id"], ascending=[False, True]).head(5)
    assert list(top["customer_id"]) == list(best["customer_id"])

    actions = run_query(con, "churn/churn_actions", **NO_FILTERS)
    assert list(actions.columns) == ["recommended_action", "action_due_days", "customers", "high_value_customers"]
    assert actions["customers"].sum() == result.scores["recommended_action"].notna().sum()
    due = actions["action_due_days"].tolist()
    assert pd.isna(due[-1]) and due[:-1] == sorted(due[:-1])  # most urgent first, no deadline last

    evaluation = run_query(con, "churn/churn_evaluation")
    assert len(evaluation) == 1 and evaluation["status"][0] == "ok"
    calibration = run_query(con, "churn/churn_calibration")
    assert list(calibration.columns) == ["bin", "bin_lower", "bin_upper", "customers", "mean_predicted",
                                         "observed_rate"]


@pytest.mark.parametrize("name", QUERIES)
def test_churn_queries_transpile_to_postgres_and_snowflake(name):
    sql = read_sql(f"queries/churn/{name}.sql")
    assert sql.lstrip().startswith("--"), "header comment"
    for dialect in ("postgres", "snowflake"):
        try:
            sqlglot.transpile(sql, read="duckdb", write=dialect, unsupported_level=sqlglot.ErrorLevel.RAISE)
        except sqlglot.errors.SqlglotError as exc:
            pytest.fail(f"{name} -> {dialect}: {exc}")


# ---------------------------------------------------------------- small, degenerate and failing runs


def test_empty_warehouse_gives_a_status_row_and_empty_tables(tmp_path):
    path = tmp_path / "w.duckdb"
    con = writable(build(path, [customer("c1")]), path)
    result = stage.build_churn_tables(con)
    assert result.status == "insufficient data: the warehouse holds no activity"
    assert con.execute("select status, auc from analytics.churn_model_evaluation").fetchall() == [
        ("insufficient data: the warehouse holds no activity", None)]
    for name in ("churn_scores", "churn_calibration", "churn_coefficients"):
        assert con.execute(f"select count(*) from analytics.{name}").fetchone()[0] == 0
    summary = run_query(con, "churn/churn_summary", **NO_FILTERS)
    assert dict(zip(summary["churn_band"], summary["customers"], strict=True))["Not scored"] == 1


def test_too_few_customers_gives_a_status_row(tmp_path):
    # ten customers active every week of 2024: far below min_training_rows
    customers = [customer(f"c{i}") for i in range(10)]
    interactions = [interaction(f"c{i}", date(2024, 1, 1) + timedelta(days=7 * w)) for i in range(10)
                    for w in range(52)]
    path = tmp_path / "w.duckdb"
    con = writable(build(path, customers, interactions=interactions), path)
    warnings: list[str] = []
    result = stage.build_churn_tables(con, on_warning=warnings.append)
    assert result.status.startswith("insufficient data: 10 customers to model at the training cutoff")
    assert warnings == [f"churn model: {result.status}"]
    row = con.execute("select n_train, n_eval, auc from analytics.churn_model_evaluation").fetchone()
    assert row == (10, 10, None)


def test_a_single_class_gives_a_status_row(tmp_path):
    # 150 customers who all stay: nobody to learn churn from
    customers = [customer(f"c{i:03d}") for i in range(150)]
    interactions = [interaction(f"c{i:03d}", date(2024, 1, 1) + timedelta(days=10 * w)) for i in range(150)
                    for w in range(37)]
    path = tmp_path / "w.duckdb"
    con = writable(build(path, customers, interactions=interactions), path)
    result = stage.build_churn_tables(con)
    assert result.status.startswith("insufficient data: 0 churners and 150 stayers at the training cutoff")
    assert con.execute("select count(*) from analytics.churn_scores").fetchone()[0] == 0


def test_a_failing_model_writes_a_failed_status_and_never_raises(tmp_path, monkeypatch):
    path = tmp_path / "w.duckdb"
    con = writable(build(path, [customer("c1")], interactions=[interaction("c1", date(2024, 5, 1))]), path)

    def broken(*_args, **_kwargs):
        raise ValueError("Input contains NaN")

    monkeypatch.setattr(stage, "run_churn_model", broken)
    steps: list[str] = []
    result = stage.build_churn_tables(con, on_step=steps.append)
    assert result.status == "failed: ValueError: Input contains NaN"
    assert len(steps) == stage.STEPS  # a progress bar still completes
    assert con.execute("select status from analytics.churn_model_evaluation").fetchall() == [(result.status,)]
    assert con.execute("select count(*) from analytics.churn_scores").fetchone()[0] == 0


def test_run_churn_model_without_as_of():
    result = run_churn_model(lambda _cutoff: pytest.fail("no query without an as-of date"), None, CONFIG)
    assert isinstance(result, ChurnResult) and result.status.startswith("insufficient data")


# ---------------------------------------------------------------- reasons in words and the rules table


def population(n: int, seed: int = 1) -> pd.DataFrame:
    """Modelled customers whose churn depends on recency only; every other feature is typical noise."""
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame({name: rng.normal(10, 2, n).round() for name in [f.name for f in FEATURES]})
    frame["days_since_last_activity"] = rng.integers(0, 90, n)
    frame["usage_events_prev_30d"] = frame["usage_events_30d"]
    frame["label"] = (frame["days_since_last_activity"] + rng.normal(0, 10, n) > 60).astype(int)
    frame["in_population"] = True
    frame["customer_id"] = [f"c{i:04d}" for i in range(n)]
    frame["value_segment"] = "High Value"
    return frame


def test_reasons_are_words_on_the_risky_side_only():
    from insight.churn import fit

    model = fit(population(600))
    current = population(3, seed=2).head(2)
    current.loc[0, "days_since_last_activity"] = 80    # long silence: the reason
    current.loc[1, "days_since_last_activity"] = 0     # active today: recency is no reason at all
    scores = score(model, current, CONFIG).set_index("customer_id")
    assert scores.loc["c0000", "reason_1"] == "no activity for 80 days"
    assert scores.loc["c0000", "churn_band"] == "High"
    assert scores.loc["c0000", "recommended_action"] == "CSM call: review the account and agree a save plan"
    assert scores.loc["c0000", "action_due_days"] == 7
    assert not any(isinstance(r, str) and r.startswith("no activity")
                   for r in scores.loc["c0001", ["reason_1", "reason_2", "reason_3"]])


def test_every_feature_has_words():
    row = {f.name: 3.0 for f in FEATURES} | {"usage_events_prev_30d": 12.0, "sentiment_change_90d": -0.4,
                                            "avg_sentiment_90d": -0.25, "days_since_last_activity": 45.0}
    words = {f.name: f.phrase(row, CONFIG) for f in FEATURES}
    assert words["days_since_last_activity"] == "no activity for 45 days"
    assert words["sentiment_change_90d"] == "sentiment fell by 0.40 over 90 days"
    assert words["high_priority_tickets_90d"] == "3 high-priority tickets in 90 days"
    assert words["usage_trend_30d"] == "usage fell from 12 to 3 events (last 30 days vs the 30 before)"
    assert words["avg_sentiment_90d"] == "average sentiment -0.25 over 90 days"
    assert words["active_days_30d"] == "active on only 3 of the last 30 days"
    assert all(w and "{" not in w and "nan" not in w for w in words.values())
    assert FEATURES[0].phrase({"days_since_last_activity": 1.0}, CONFIG) == "no activity for 1 day"


def test_the_action_rules_table_is_valid_and_first_match_wins():
    bands = {"High", "Medium", "Low", INACTIVE}
    segments = {"High Value", "Medium Value", "Low Value", "any"}
    raw = load_rules()["churn_model"]["actions"]
    assert raw and all(a["band"] in bands and a["value_segment"] in segments for a in raw)
    assert all(isinstance(a.get("due_days", 0), int) for a in raw)
    for band in bands:  # every band and segment has an action
        for segment in segments - {"any"}:
            assert CONFIG.action(band, segment) is not None, (band, segment)
    assert CONFIG.action("High", "High Value").due_days == 7
    assert CONFIG.action("High", "Low Value").action == "Automated win-back email sequence"
    assert CONFIG.action("Low", "High Value").due_days is None


def test_docs_list_the_configured_action_rules():
    docs = (SQL_DIR.parent / "docs" / "churn.md").read_text(encoding="utf-8")
    for rule in CONFIG.actions:
        due = "—" if rule.due_days is None else str(rule.due_days)
        assert f"| {rule.band} | {rule.value_segment} | {rule.action} | {due} |" in docs, rule
