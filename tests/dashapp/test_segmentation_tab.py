"""Segmentation tab: persona distribution, churn risk × upsell matrix, value-segment profile and the segment
explorer (sql/queries/segmentation/*.sql) on a small known warehouse; the figure builders; the explorer helpers.

Five customers, each with two scored interactions on 2024-02-01 and 2024-02-02 (builder.scored). Labels worked
out by hand from DESIGN.md §3 / config/rules.toml (avg = mean score, volatility = max - min, trend = last - first,
tc = tickets):
  c1 ltv 1500 High Value    0.8, 0.8     avg 0.8, tc 0          -> Satisfied,     churn Low,    upsell High
  c2 ltv  600 Medium Value -0.5, -0.5    avg -0.5, 3 tickets    -> Frustrated,    churn High,   upsell Low
  c3 ltv  100 Low Value    -0.4, 0.4     volatility 0.8 > 0.7   -> Mixed,         churn Low,    upsell Medium
                                          (trend 0.8 > 0.3 makes upsell Medium)
  c4 ltv  100 Low Value     0.1, 0.2     nothing applies        -> Neutral,       churn Low,    upsell Low
  c5 ltv  700 Medium Value  0.0, -0.35   trend -0.35 < -0.3     -> Deteriorating, churn Medium (avg -0.175 < -0.1
                                                                   and trend < 0), upsell Low
c2's three tickets (2024-03-01..03) and the three reviews carry no sentiment score.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from config.rules import flat_rules
from dashapp.figures import rfm as rfm_figures
from dashapp.figures import segmentation as figures
from dashapp.tabs import segment_explorer as explorer
from dashapp.tabs import segmentation as tab
from dashapp.tabs import segmentation_clusters as clusters_tab
from dashapp.tabs import segmentation_rfm as rfm_tab
from tests.dashapp.tab_checks import callback_ids, layout_ids
from tests.warehouse.builder import build_warehouse, customer, scored, tickets_for
from warehouse.filters import Filters
from warehouse.reader import WarehouseReader

CUSTOMERS = [customer("c1", 1500.0, customer_name="Acme_Corp 100%"), customer("c2", 600.0, customer_name="Birch"),
             customer("c3", 100.0, customer_name="Cedar"), customer("c4", 100.0, customer_name="AcmeXCorp"),
             customer("c5", 700.0, customer_name="100 Club")]
INTERACTIONS = (scored("c1", 0.8, 0.8) + scored("c2", -0.5, -0.5) + scored("c3", -0.4, 0.4) + scored("c4", 0.1, 0.2)
                + scored("c5", 0.0, -0.35))
REVIEWS = [{"review_id": f"R{i}", "customer_id": c, "review_date": f"2024-02-1{i}", "product_id": "P1",
            "review_rating": rating, "review_text": "text", "review_language": "en", "sentiment_score": None}
           for i, (c, rating) in enumerate([("c1", 5), ("c3", 2), ("c4", 4)])]
MARCH = Filters(date_from=date(2024, 3, 1), date_to=date(2024, 3, 31))


@pytest.fixture(scope="module")
def reader(tmp_path_factory):
    path = tmp_path_factory.mktemp("segmentation") / "warehouse.duckdb"
    build_warehouse(path, CUSTOMERS, interactions=INTERACTIONS, reviews=REVIEWS, tickets=tickets_for("c2", 3)).close()
    reader = WarehouseReader(path)
    yield reader
    reader.close()


def test_the_rule_values_these_expectations_assume():
    rules = flat_rules()
    assert (rules["value_segment_high_min_ltv"], rules["value_segment_medium_min_ltv"]) == (1000, 500)
    assert rules["persona_mixed_min_volatility"] == 0.7 and rules["persona_deteriorating_max_trend"] == -0.3
    assert rules["churn_risk_medium_avg"] == -0.1 and rules["upsell_medium_min_trend"] == 0.3


def test_persona_distribution_has_every_persona_in_rule_order(reader):
    frame = reader.query("segmentation/persona_distribution", Filters())
    assert list(frame["derived_persona"]) == ["Satisfied", "Frustrated", "Mixed", "Improving", "Deteriorating",
                                              "Neutral"]
    assert list(frame["customers"]) == [1, 1, 1, 0, 1, 1]
    assert list(frame["share"]) == pytest.approx([0.2, 0.2, 0.2, 0.0, 0.2, 0.2])


def test_persona_distribution_follows_the_customer_filters_not_the_dates(reader):
    low = reader.query("segmentation/persona_distribution", Filters(value_segments=("Low Value",)))
    assert dict(zip(low["derived_persona"], low["customers"], strict=True)) == {
        "Satisfied": 0, "Frustrated": 0, "Mixed": 1, "Improving": 0, "Deteriorating": 0, "Neutral": 1}
    assert list(reader.query("segmentation/persona_distribution", MARCH)["customers"]) == [1, 1, 1, 0, 1, 1]
    nobody = reader.query("segmentation/persona_distribution", Filters(personas=("Improving",)))
    assert list(nobody["customers"]) == [0] * 6 and list(nobody["share"]) == [0.0] * 6


def test_churn_upsell_matrix_all_nine_cells(reader):
    frame = reader.query("segmentation/churn_upsell_matrix", Filters())
    cells = {(r.churn_risk, r.upsell_opportunity): r.customers for r in frame.itertuples()}
    assert list(cells)[:3] == [("High", "High"), ("High", "Medium"), ("High", "Low")]
    assert cells == {("High", "High"): 0, ("High", "Medium"): 0, ("High", "Low"): 1,          # c2
                     ("Medium", "High"): 0, ("Medium", "Medium"): 0, ("Medium", "Low"): 1,    # c5
                     ("Low", "High"): 1, ("Low", "Medium"): 1, ("Low", "Low"): 1}             # c1, c3, c4
    medium = reader.query("segmentation/churn_upsell_matrix", Filters(value_segments=("Medium Value",)))
    assert int(medium["customers"].sum()) == 2


def test_value_segment_profile_all_time(reader):
    frame = reader.query("segmentation/value_segment_profile", Filters()).set_index("value_segment")
    assert list(frame.index) == ["High Value", "Medium Value", "Low Value"]
    assert list(frame["customers"]) == [1, 2, 2]
    # High: c1's 0.8, 0.8. Medium: c2 -0.5, -0.5 and c5 0.0, -0.35 -> -1.35 / 4. Low: -0.4 + 0.4 + 0.1 + 0.2 = 0.3 / 4
    assert list(frame["avg_sentiment"]) == pytest.approx([0.8, -0.3375, 0.075])
    assert list(frame["tickets"]) == [0, 3, 0]
    assert list(frame["tickets_per_customer"]) == pytest.approx([0.0, 1.5, 0.0])
    assert frame.loc["High Value", "avg_rating"] == 5 and frame.loc["Low Value", "avg_rating"] == 3  # (2 + 4) / 2
    assert pd.isna(frame.loc["Medium Value", "avg_rating"])


def test_value_segment_profile_counts_the_records_in_the_date_range(reader):
    frame = reader.query("segmentation/value_segment_profile", MARCH).set_index("value_segment")
    assert list(frame["customers"]) == [1, 2, 2]           # customers follow the customer filters only
    assert list(frame["tickets"]) == [0, 3, 0]             # c2's tickets are in March
    assert frame["avg_sentiment"].isna().all()             # no scored record in March
    assert frame["avg_rating"].isna().all()                # no review in March


def page(reader, sort_column="lifetime_value", sort_direction="desc", page_size=10, offset=0, search=None,
         filters=None):
    frame = reader.query("segmentation/segment_explorer_page", filters or Filters(), sort_column=sort_column,
                         sort_direction=sort_direction, page_size=page_size, offset=offset,
                         search=explorer.search_pattern(search))
    return list(frame["customer_id"]), (int(frame["customers_in_view"].iloc[0]) if len(frame) else 0)


def test_explorer_sorting_and_paging(reader):
    assert page(reader) == (["c1", "c5", "c2", "c3", "c4"], 5)             # 1500, 700, 600, 100, 100 (ties by id)
    assert page(reader, sort_direction="asc") == (["c3", "c4", "c2", "c5", "c1"], 5)
    assert page(reader, page_size=2, offset=2) == (["c2", "c3"], 5)
    assert page(reader, "churn_risk", "desc")[0] == ["c2", "c5", "c1", "c3", "c4"]   # High, Medium, then Low by id
    assert page(reader, "churn_risk", "asc")[0] == ["c1", "c3", "c4", "c5", "c2"]
    assert page(reader, "customer_name", "asc")[0] == ["c5", "c1", "c4", "c2", "c3"]  # "100 club" < "acme_" < "acmex"
    assert page(reader, "avg_sentiment", "desc")[0] == ["c1", "c4", "c3", "c5", "c2"]  # 0.8, 0.15, 0, -0.175, -0.5


def test_explorer_search_and_filters(reader):
    assert page(reader, search="C3") == (["c3"], 1)
    assert page(reader, search="e_c")[0] == ["c1"]     # the underscore is a character, not a LIKE wildcard
    assert page(reader, search="100%")[0] == ["c1"]    # likewise the percent sign ("100 Club" has no '%')
    assert page(reader, search="acme")[0] == ["c1", "c4"]
    assert page(reader, search="nobody") == ([], 0)
    assert page(reader, filters=Filters(churn_risks=("Low",)))[0] == ["c1", "c3", "c4"]


def test_explorer_sort_whitelist_and_rows():
    assert explorer.sort_params([{"colId": "churn_risk", "sort": "asc"}]) == ("churn_risk", "asc")
    assert explorer.sort_params([{"colId": "1; drop table x", "sort": "asc"}]) == explorer.DEFAULT_SORT
    assert explorer.sort_params([{"colId": "churn_risk", "sort": "sideways"}]) == explorer.DEFAULT_SORT
    assert explorer.sort_params(None) == explorer.DEFAULT_SORT
    assert explorer.search_pattern("  ") is None and explorer.search_pattern("A!b") == "%a!!b%"
    rows = explorer.grid_rows(pd.DataFrame({"customer_id": ["c1"], "avg_rating": [float("nan")],
                                            "customers_in_view": [1]}))
    assert rows == [{"customer_id": "c1", "avg_rating": None}]


def test_figures():
    personas = pd.DataFrame({"derived_persona": ["Satisfied", "Mixed"], "customers": [3, 1], "share": [0.75, 0.25]})
    figure = figures.persona_distribution(personas)
    assert list(figure.data[0].text) == ["3 (75%)", "1 (25%)"]
    matrix = pd.DataFrame({"churn_risk": ["High", "High", "Low", "Low"], "upsell_opportunity": ["High", "Low"] * 2,
                           "customers": [1, 0, 2, 1]})
    heat = figures.churn_upsell_heatmap(matrix)
    assert heat.data[0].text[0] == ["1<br>25%", "0<br>0%"] and list(heat.data[0].y) == ["High churn risk",
                                                                                          "Low churn risk"]
    empty = personas.assign(customers=0)
    for figure in (figures.persona_distribution(empty), figures.churn_upsell_heatmap(matrix.assign(customers=0))):
        assert figure.layout.annotations[0].text.startswith("No data")


def test_every_callback_id_is_in_the_layout():
    in_layout = layout_ids(tab.layout()) | {"filters"}
    used, count = callback_ids(tab)
    assert used <= in_layout, used - in_layout
    # one per chart, the RFM KPI cards, the explorer's grid reset and its rows; the clusters' fit, KPI cards, charts
    # and comparison choices
    assert count == len(tab.CHARTS) + len(rfm_tab.CHARTS) + 1 + 2 + len(clusters_tab.CHARTS) + 3


def test_rfm_kpi_texts():
    row = {"value_basis": "net_revenue", "customers_with_value": 5, "top_1pct_share": 0.5, "top_1pct_customers": 1,
           "top_10pct_share": 0.5, "top_10pct_customers": 1, "top_20pct_share": 0.7, "top_20pct_customers": 2,
           "gini": 0.36}
    texts = rfm_tab.kpi_texts(row)
    assert texts["rfm-kpi-top1"] == ("50.0 %", "of the net revenue, held by 1 customer")
    assert texts["rfm-kpi-top20"] == ("70.0 %", "of the net revenue, held by 2 customers")
    assert texts["rfm-kpi-gini"][0] == "0.36"
    nobody = rfm_tab.kpi_texts({"value_basis": "usage_events", "customers_with_value": 0})
    assert nobody["rfm-kpi-gini"] == ("–", "no customer in view has a positive usage events")


def test_rfm_figures():
    segments = pd.DataFrame({"rfm_segment": ["Champions", "Lost"], "customers": [3, 1],
                             "share_of_customers": [0.75, 0.25], "avg_recency_days": [2.0, 300.0],
                             "avg_frequency": [9.0, 1.0], "avg_monetary": [900.0, 5.0],
                             "customers_without_activity": [0, 1], "basis": ["orders"] * 2})
    figure = rfm_figures.rfm_segments(segments)
    assert list(figure.data[0].text) == ["3 (75%)", "1 (25%)"] and "net revenue" in figure.data[0].hovertemplate
    assert list(figure.data[0].marker.color) == [rfm_figures.SEGMENT_COLOURS["Champions"],
                                                 rfm_figures.SEGMENT_COLOURS["Lost"]]
    assert rfm_figures.rfm_segments(segments.assign(customers=0)).layout.annotations[0].text.startswith("No data")
    tiers = pd.DataFrame({"value_tier": ["Platinum", "Bronze"], "customers": [1, 3], "share_of_customers": [0.25, 0.75],
                          "share_of_value": [0.8, 0.2], "min_value": [100.0, 1.0], "max_value": [100.0, 10.0],
                          "value_basis": ["lifetime_value"] * 2})
    tier_figure = rfm_figures.value_tiers(tiers)
    assert [t.name for t in tier_figure.data] == ["share of customers", "share of lifetime value"]
    assert list(tier_figure.data[1].text) == ["80%", "20%"]
    curve = pd.DataFrame({"customer_share": [0.0, 0.5, 1.0], "value_share": [0.0, 0.9, 1.0],
                          "value_basis": ["net_revenue"] * 3})
    pareto = rfm_figures.pareto_curve(curve)
    assert list(pareto.data[1].y) == [0.0, 0.9, 1.0] and pareto.data[0].name == "perfect equality"
    assert rfm_figures.pareto_curve(curve.iloc[0:0]).layout.annotations[0].text.startswith("No customer")
    points = pd.DataFrame({"customer_id": ["a", "b", "c"], "recency_days": [1, 5, None], "frequency": [3, 1, 0],
                           "monetary": [10.0, 2.0, 0.0], "rfm_segment": ["Champions", "New", "Lost"],
                           "has_activity": [True, True, False], "basis": ["orders"] * 3,
                           "customers_in_view": [9] * 3})
    scatter = rfm_figures.rfm_scatter_3d(points)
    assert [t.name for t in scatter.data] == ["Champions", "New"]  # the customer without activity is not drawn
    assert scatter.layout.title.text == "A fixed sample of 3 of the 9 customers"
