"""The Health and churn section of the Retention tab: KPI texts, figure builders and tables on small hand-made
query results (the queries themselves: tests/dashapp/test_health_queries.py, tests/insight/test_churn.py)."""

from __future__ import annotations

import pandas as pd
import pytest

from dashapp.figures import health as figures
from dashapp.tabs import retention_health as section
from tests.dashapp.tab_checks import callback_ids, layout_ids

BANDS = pd.DataFrame({"band_order": [1, 2, 3], "health_band": ["green", "yellow", "red"],
                      "customers": [6, 3, 1], "share_of_customers": [0.6, 0.3, 0.1],
                      "customers_change": [-2, 1, 1]})
CHURN = pd.DataFrame({"churn_band": ["High", "Medium", "Low", "Inactive", "Not scored"],
                      "customers": [2, 3, 4, 1, 0], "share": [0.2, 0.3, 0.4, 0.1, 0.0],
                      "avg_probability": [0.7, 0.4, 0.1, None, None]})
EVALUATION = {"status": "ok", "auc": 0.8123, "brier": 0.0412, "baseline_brier": 0.0600, "n_eval": 1234}


def test_kpi_texts():
    texts = section.kpi_texts(BANDS, CHURN, EVALUATION)
    assert texts["health-kpi-green"] == ("60.0 %", "6 customers, -2 in 30 days")
    assert texts["health-kpi-red"] == ("10.0 %", "1 customer, +1 in 30 days")
    assert texts["churn-kpi-high"][0] == "20.0 %"
    assert texts["churn-kpi-high"][1].startswith("2 customers at probability")
    assert texts["churn-kpi-model"] == ("AUC 0.81", "baseline 0.50; Brier 0.041 vs 0.060; 1,234 customers held out")


def test_kpi_texts_without_a_model_or_customers():
    texts = section.kpi_texts(BANDS.assign(customers=0), CHURN.iloc[0:0],
                              {"status": "insufficient data: 0 customers to model", "auc": None})
    assert texts["health-kpi-green"] == ("–", "no scored customer in view")
    assert texts["churn-kpi-high"] == ("–", "no customer in view")
    assert texts["churn-kpi-model"] == ("–", "insufficient data: 0 customers to model")


def test_health_distribution_colours_bins_by_band():
    frame = pd.DataFrame({"score_bin": [3, 6, 7], "bin_start": [30, 60, 70], "bin_end": [40, 70, 80],
                          "customers": [1, 2, 3], "share_of_customers": [1 / 6, 2 / 6, 3 / 6],
                          "previous_customers": [0, 3, 3]})
    figure = figures.health_distribution(frame, (70, 40))
    assert list(figure.data[0].x) == ["30–40", "60–70", "70–80"]
    # 30 is below yellow (40): red; 60 yellow; 70 green (green starts at 70)
    assert list(figure.data[0].marker.color) == [figures.BAND_COLOURS[b] for b in ("red", "yellow", "green")]
    assert list(figure.data[1].y) == [0, 3, 3]
    assert figures.health_distribution(frame.assign(customers=0), (70, 40)).layout.annotations[0].text.startswith(
        "No data")


def test_health_by_segment_and_churn_figures():
    segments = pd.DataFrame({"dimension": ["value_segment", "persona"], "dimension_value": ["High Value", "Mixed"],
                             "scored_customers": [4, 0], "avg_health_score": [71.25, None],
                             "avg_health_change": [-2.5, None], "red_customers": [1, 0]})
    figure = figures.health_by_segment(segments)
    assert list(figure.data[0].y) == ["Value: High"]       # a segment without scored customers is not drawn
    assert list(figure.data[0].text) == ["71 (-2.5)"]
    bands = figures.churn_bands(CHURN)
    assert list(bands.data[0].text)[:2] == ["2 (20%)", "3 (30%)"]
    calibration = pd.DataFrame({"mean_predicted": [0.05, 0.5], "observed_rate": [0.04, 0.6], "customers": [100, 4]})
    cal = figures.churn_calibration(calibration)
    assert [t.name for t in cal.data] == ["perfect calibration", "model (hold-out)"]
    assert cal.layout.xaxis.range[1] == pytest.approx(0.66)  # 1.1 x the largest rate
    assert figures.churn_calibration(calibration.iloc[0:0]).layout.annotations[0].text.startswith("No churn model")


def test_tables():
    movers = pd.DataFrame({"customer_id": ["c1"], "customer_name": [None], "value_segment": ["Low Value"],
                           "previous_health_score": [80.0], "health_score": [55.5], "health_change": [-24.5],
                           "health_band": ["yellow"], "weakest_measure": ["usage_frequency"]})
    grid = section.movers_table(movers)
    assert grid.rowData == [{"customer_id": "c1", "customer_name": None, "value_segment": "Low Value",
                             "previous_health_score": 80.0, "health_score": 55.5, "health_change": -24.5,
                             "health_band": "yellow", "weakest": "usage frequency"}]
    risks = pd.DataFrame({"customer_id": ["c2"], "customer_name": ["Birch"], "value_segment": ["High Value"],
                          "churn_probability": [0.9], "reason_1": ["no activity for 45 days"], "reason_2": [None],
                          "reason_3": ["3 high-priority tickets in 90 days"], "recommended_action": ["CSM call"],
                          "action_due_days": [7], "csm_owner": ["ana"]})
    assert section.top_risks_table(risks).rowData[0]["reasons"] == (
        "no activity for 45 days; 3 high-priority tickets in 90 days")
    assert section.actions_table(pd.DataFrame()).children.startswith("No customer in view")


def test_every_callback_id_is_in_the_layout():
    in_layout = layout_ids(section.layout()) | {"filters"}
    used, count = callback_ids(section)
    assert used <= in_layout, used - in_layout
    assert count == len(section.CHARTS) + 1  # one per chart or table, and the KPI cards
