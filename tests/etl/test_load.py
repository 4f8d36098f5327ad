"""Whole loads through the `customer-insight load` command into a real DuckDB file."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from tests.conftest import copy_enrichment_cache
from tests.etl.conftest import SAMPLES, run_cli

# DESIGN.md §3: the nine ANALYTICS tables and their columns.
ANALYTICS_COLUMNS = {
    "customer_base": ["customer_id", "persona", "sign_up_date", "products_owned", "lifetime_value", "value_segment"],
    "fact_customer_interactions": ["interaction_id", "customer_id", "interaction_date", "interaction_type",
                                   "interaction_notes", "sentiment_score"],
    "fact_product_reviews": ["review_id", "customer_id", "review_date", "review_rating", "review_text",
                             "sentiment_score", "review_language", "review_text_english"],
    "fact_support_tickets": ["ticket_id", "customer_id", "ticket_date", "ticket_status", "ticket_category",
                             "ticket_description", "sentiment_score", "priority_level",
                             "expected_resolution_timeframe", "requested_remedy"],
    "sentiment_analysis": ["customer_id", "interaction_date", "sentiment_score", "source_type"],
    "sentiment_trends": ["customer_id", "sentiment_history", "avg_sentiment", "min_sentiment", "max_sentiment",
                         "sentiment_volatility", "sentiment_trend"],
    "ticket_patterns": ["customer_id", "ticket_count", "first_ticket_date", "most_recent_ticket_date",
                        "ticket_categories", "ticket_priorities"],
    "insight_summaries": ["customer_id", "customer_summary"],
    "customer_persona_signals": ["customer_id", "avg_sentiment", "sentiment_trend", "sentiment_volatility",
                                 "overall_sentiment", "ticket_count", "ticket_categories", "ticket_priorities",
                                 "avg_rating", "customer_summary", "derived_persona", "churn_risk",
                                 "upsell_opportunity"],
}


@pytest.fixture(scope="module")
def loaded(tmp_path_factory) -> Path:
    data = tmp_path_factory.mktemp("prd100")
    run_cli(data, "load", "--source", str(SAMPLES / "prd_raw_100"))
    return data


def table(data: Path, sql: str) -> pd.DataFrame:
    with duckdb.connect(str(data / "warehouse.duckdb"), read_only=True) as con:
        return con.execute(sql).df()


def test_prd_sample_builds_all_nine_tables_with_every_column(loaded):
    for name, columns in ANALYTICS_COLUMNS.items():
        present = table(loaded, f"select * from analytics.{name} limit 0").columns.tolist()
        assert set(columns) <= set(present), (name, set(columns) - set(present))
    counts = {name: int(table(loaded, f"select count(*) as n from analytics.{name}")["n"][0])
              for name in ANALYTICS_COLUMNS}
    source = {name: len(json.loads((SAMPLES / "prd_raw_100" / f"{name}.json").read_text()))
              for name in ("customers", "customer_interactions", "product_reviews", "support_tickets")}
    assert counts["customer_base"] == source["customers"] == 100
    assert counts["fact_customer_interactions"] == source["customer_interactions"] == 300
    assert counts["fact_product_reviews"] == source["product_reviews"] == 200
    assert counts["fact_support_tickets"] == source["support_tickets"] == 200
    assert counts["customer_persona_signals"] == counts["insight_summaries"] == 100
    assert counts["sentiment_analysis"] == 700  # every PRD text is non-blank, so every record is scored
    assert counts["ticket_patterns"] == table(
        loaded, "select count(distinct customer_id) as n from analytics.fact_support_tickets")["n"][0]


def test_every_text_is_enriched(loaded):
    facts = table(loaded, "select sentiment_score from analytics.sentiment_analysis")
    assert facts["sentiment_score"].between(-1, 1).all()
    tickets = table(loaded, "select priority_level, expected_resolution_timeframe from analytics.fact_support_tickets")
    assert set(tickets["priority_level"]) <= {"Critical", "High", "Medium", "Low"}
    assert tickets["expected_resolution_timeframe"].notna().all()
    reviews = table(loaded, "select review_language, review_text, review_text_english "
                            "from analytics.fact_product_reviews")
    assert set(reviews["review_language"]) == {"en", "fr", "de", "es", "it", "pt"}
    english = reviews[reviews["review_language"] == "en"]
    assert (english["review_text_english"] == english["review_text"]).all()
    assert reviews.loc[reviews["review_language"] != "en", "review_text_english"].isna().all()


def _labels(avg, trend, volatility, tickets) -> tuple[str, str, str, str]:
    """DESIGN.md §3 rules, written again here independently of the SQL."""
    tc = 0 if pd.isna(tickets) else tickets
    if pd.isna(avg):
        avg = trend = volatility = float("nan")
    overall = "Negative" if avg < -0.3 else "Positive" if avg > 0.3 else "Neutral"
    if avg > 0.5 and tc <= 1:
        persona = "Satisfied"
    elif avg < -0.3 and tc >= 3:
        persona = "Frustrated"
    elif volatility > 0.7:
        persona = "Mixed"
    elif trend > 0.3:
        persona = "Improving"
    elif trend < -0.3:
        persona = "Deteriorating"
    else:
        persona = "Neutral"
    if (avg < -0.3 and tc >= 1) or (trend < -0.2 and tc >= 1) or (avg < -0.2 and trend < -0.1):
        churn = "High"
    elif (avg < -0.1 and trend < 0) or tc >= 2:
        churn = "Medium"
    else:
        churn = "Low"
    upsell = "High" if avg > 0.3 and tc <= 1 else "Medium" if trend > 0.3 else "Low"
    return overall, persona, churn, upsell


def test_derived_columns_follow_the_rules(loaded):
    signals = table(loaded, "select * from analytics.customer_persona_signals")
    for row in signals.itertuples():
        expected = _labels(row.avg_sentiment, row.sentiment_trend, row.sentiment_volatility, row.ticket_count)
        actual = (row.overall_sentiment, row.derived_persona, row.churn_risk, row.upsell_opportunity)
        assert actual == expected, row.customer_id
    # the signals themselves are the statistics of each customer's scored texts
    records = table(loaded, "select customer_id, interaction_date, sentiment_score from analytics.sentiment_analysis")
    stats = records.groupby("customer_id")["sentiment_score"].agg(["mean", "min", "max"])
    merged = signals.set_index("customer_id").join(stats, how="inner")
    assert len(merged) > 50
    assert merged["avg_sentiment"].to_numpy() == pytest.approx(merged["mean"].to_numpy())
    assert merged["sentiment_volatility"].to_numpy() == pytest.approx((merged["max"] - merged["min"]).to_numpy())
    value = table(loaded, "select lifetime_value, value_segment from analytics.customer_base")
    expected_segment = value["lifetime_value"].map(
        lambda v: "High Value" if v >= 1000 else "Medium Value" if v >= 500 else "Low Value")
    assert (value["value_segment"] == expected_segment).all()


def test_load_report_counts_every_row(loaded):
    report = table(loaded, "select * from load_report order by source_file")
    assert report[["source_file", "rows_read", "rows_loaded", "rows_quarantined"]].values.tolist() == [
        ["customer_interactions.json", 300, 300, 0],
        ["customers.json", 100, 100, 0],
        ["product_reviews.json", 200, 200, 0],
        ["support_tickets.json", 200, 200, 0],
    ]
    stages = table(loaded, "select stage from load_stages")["stage"].tolist()
    assert stages == ["read & validate", "enrich", "write tables", "build models", "churn model"]


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_reload_of_the_same_files_changes_nothing(tmp_path):
    run_cli(tmp_path, "load", "--source", str(SAMPLES / "prd_raw_10"))
    warehouse = tmp_path / "warehouse.duckdb"
    before = _digest(warehouse)
    second = run_cli(tmp_path, "load", "--source", str(SAMPLES / "prd_raw_10"))
    assert "nothing to do" in second.stdout
    assert _digest(warehouse) == before
    snapshot = {name: table(tmp_path, f"select * from analytics.{name} order by all") for name in ANALYTICS_COLUMNS}
    run_cli(tmp_path, "load", "--source", str(SAMPLES / "prd_raw_10"), "--force")
    for name, frame in snapshot.items():
        pd.testing.assert_frame_equal(table(tmp_path, f"select * from analytics.{name} order by all"), frame)
    runs = table(tmp_path, "select status from load_runs order by started_at")["status"].tolist()
    assert runs == ["success", "success"]


def test_a_bad_file_leaves_the_warehouse_in_service(tmp_path):
    run_cli(tmp_path, "load", "--source", str(SAMPLES / "prd_raw_10"))
    before = _digest(tmp_path / "warehouse.duckdb")
    broken = tmp_path / "broken"
    shutil.copytree(SAMPLES / "prd_raw_100", broken)
    (broken / "support_tickets.json").write_text('[{"ticket_id": "T1",')
    result = run_cli(tmp_path, "load", "--source", str(broken), check=False)
    assert result.returncode == 2
    assert "support_tickets.json: invalid JSON at line 1" in result.stdout
    assert "The warehouse in service was not changed." in result.stdout
    assert _digest(tmp_path / "warehouse.duckdb") == before
    assert list(tmp_path.glob("warehouse.duckdb.building*")) == []


def test_quarantined_rows_are_in_the_warehouse(tmp_path):
    source = tmp_path / "src"
    shutil.copytree(SAMPLES / "prd_raw_10", source)
    reviews = json.loads((source / "product_reviews.json").read_text())
    reviews[0]["review_rating"] = 6
    reviews[1]["customer_id"] = "CUST-999"
    (source / "product_reviews.json").write_text(json.dumps(reviews))
    data = tmp_path / "data"
    copy_enrichment_cache(SAMPLES / "prd_raw_10", data)  # the same texts: a cold enrichment spared (5-10 s)
    run_cli(data, "load", "--source", str(source))
    quarantine = table(data, "select source_file, source_row, reason from quarantine order by source_row")
    assert quarantine.values.tolist() == [
        ["product_reviews.json", 1, "column review_rating: outside 1-5: 6"],
        ["product_reviews.json", 2, "column customer_id: unknown customer 'CUST-999'"],
    ]
    report = table(data, "select rows_read, rows_loaded, rows_quarantined from load_report "
                         "where source_file = 'product_reviews.json'")
    assert report.values.tolist() == [[len(reviews), len(reviews) - 2, 2]]


def test_mapping_load_through_the_command(tmp_path):
    mapping = Path(__file__).parent / "data" / "invoices" / "mapping.toml"
    result = run_cli(tmp_path, "load", "--mapping", str(mapping))
    assert "invoices.csv" in result.stdout
    orders = table(tmp_path, "select order_id, amount from raw_orders order by order_id")
    assert orders["order_id"].tolist() == ["536365", "536366", "536367", "C536379"]
    assert table(tmp_path, "select count(*) as n from analytics.customer_base")["n"][0] == 2
