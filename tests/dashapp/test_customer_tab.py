"""Customer tab: the search, the signals row, the timeline (completeness, order, filters), the team, its users and
features (sql/queries/customer/*.sql) on a small known warehouse; the tab's helpers, figures and callback ids.

AS_OF = 2024-06-30 (the newest activity: C2's interaction and U2's usage). "The last 30 days" are the days d with
0 <= AS_OF - d < 30 (docs/marts.md): 2024-06-01 (29 days before) is inside, 2024-05-31 (30 days before) outside.

C1 "Acme_Corp 100%", ltv 1500 (High Value), every source:
  interactions I1 02-01 call 0.8 · I2 05-10 email -0.5 · I3 06-20 call, not scored
  reviews      R1 03-15 ★5 en 0.9 · R2 04-15 ★2 fr -0.4
  tickets      T1 01-05 open -0.6 · T2 03-01 pending-customer -0.2 · T3 06-01 closed 0.5   (T1, T2 are open)
  orders       O0 2023-12-20 50.00 (before any text: outside the data's own date bounds) · O1 02-10 120.00 × 2 ·
               O2 02-20 -20.00 (a refund)
  usage        U1 06-01 export 10 + search 10     -> 20 actions in 30 days: a super user (20 is one)
               U2 06-30 search 19                 -> 19: active, not a super user
               U3 05-31 report 25                 -> 0 in the window: inactive (25 actions, one day too early)
               U4 in the users file, no events    -> 0, inactive
               U5 06-01 upload 10, 05-31 upload 10 (not in the users file) -> 10: active
               usage days: 05-31 (35 actions, 2 users), 06-01 (30, 2), 06-30 (19, 1)
  -> 3 + 2 + 3 + 3 + 3 = 14 timeline records.
  Scored records by date: T1 -0.6, I1 0.8, T2 -0.2, R1 0.9, R2 -0.4, I2 -0.5, T3 0.5: avg 0.5 / 7, trend
  0.5 - (-0.6) = 1.1, volatility 1.5 > 0.7 -> Mixed; 3 tickets -> churn risk Medium (tc >= 2); trend > 0.3 -> upsell
  Medium; average rating 3.5.
C2 "Acme Widgets", ltv 600: one record of each source dated June (interaction -0.6, review -0.5, ticket -0.7: avg
  -0.6 with a ticket -> churn risk High) and one usage day (U9, not in the users file, 5 actions on 06-30).
C3 "Big Acme", ltv 900, C4 "Acme Corp", ACME-1 "Zeta Traders", X-ACME (no name), LOT-01..LOT-25 "Lot 100 NN":
  customers without records, for the search.
"""

from __future__ import annotations

from datetime import date

import duckdb
import pandas as pd
import pytest
import sqlglot

from dashapp.figures import customer as figures
from dashapp.tabs import customer as tab
from dashapp.tabs import customer_team, customer_timeline
from insight.stage import build_churn_tables
from tests.dashapp.tab_checks import callback_ids, layout_ids
from tests.warehouse.builder import build_warehouse, customer
from warehouse.filters import Filters
from warehouse.queries import to_duckdb_parameters
from warehouse.reader import WarehouseReader
from warehouse.sqlfiles import SQL_DIR, read_sql

AS_OF = date(2024, 6, 30)
CUSTOMERS = [
    customer("C1", 1500.0, customer_name="Acme_Corp 100%", csm_owner="Mia"),
    customer("C2", 600.0, customer_name="Acme Widgets"),
    customer("C3", 900.0, customer_name="Big Acme"),
    customer("C4", 100.0, customer_name="Acme Corp"),
    customer("ACME-1", 100.0, customer_name="Zeta Traders"),
    customer("X-ACME", 100.0),
    *[customer(f"LOT-{i:02d}", 100.0, customer_name=f"Lot 100 {i:02d}") for i in range(1, 26)],
]


def interaction(iid, cid, when, kind, score, notes="note"):
    return {"interaction_id": iid, "customer_id": cid, "interaction_date": when, "interaction_type": kind,
            "interaction_notes": notes, "sentiment_score": score}


def review(rid, cid, when, rating, language, score, english=None):
    return {"review_id": rid, "customer_id": cid, "review_date": when, "product_id": "P1", "review_rating": rating,
            "review_text": f"review {rid}", "review_language": language, "review_text_english": english,
            "sentiment_score": score}


def ticket(tid, cid, when, status, score, remedy=None):
    return {"ticket_id": tid, "customer_id": cid, "ticket_date": when, "ticket_status": status,
            "ticket_category": "billing", "ticket_description": f"ticket {tid}", "priority_level": "High",
            "sentiment_score": score, "requested_remedy": remedy}


def usage(user, cid, day, feature, count):
    return {"user_id": user, "customer_id": cid, "event_date": f"{day} 09:00", "feature_name": feature,
            "events_count": count}


INTERACTIONS = [interaction("I1", "C1", "2024-02-01 10:00", "call", 0.8),
                interaction("I2", "C1", "2024-05-10 09:00", "email", -0.5),
                interaction("I3", "C1", "2024-06-20 12:00", "call", None),
                interaction("C2-I1", "C2", "2024-06-30 08:00", "chat", -0.6)]
REVIEWS = [review("R1", "C1", "2024-03-15 11:00", 5, "en", 0.9, english="review R1"),
           review("R2", "C1", "2024-04-15 11:00", 2, "fr", -0.4),
           review("C2-R1", "C2", "2024-06-10 11:00", 1, "en", -0.5, english="review C2-R1")]
TICKETS = [ticket("T1", "C1", "2024-01-05 10:00", "open", -0.6, remedy="refund"),
           ticket("T2", "C1", "2024-03-01 10:00", "pending-customer", -0.2),
           ticket("T3", "C1", "2024-06-01 10:00", "closed", 0.5),
           ticket("C2-T1", "C2", "2024-06-15 10:00", "open", -0.7)]
ORDERS = [{"order_id": "O0", "customer_id": "C1", "order_date": "2023-12-20 15:00", "amount": 50.0, "quantity": 1,
           "product_id": "P1"},
          {"order_id": "O1", "customer_id": "C1", "order_date": "2024-02-10 15:00", "amount": 120.0, "quantity": 2,
           "product_id": "P1"},
          {"order_id": "O2", "customer_id": "C1", "order_date": "2024-02-20 15:00", "amount": -20.0, "quantity": 1,
           "product_id": "P1"},
          {"order_id": "C2-O1", "customer_id": "C2", "order_date": "2024-06-05 15:00", "amount": 50.0, "quantity": 1,
           "product_id": "P2"}]
USAGE = [usage("U1", "C1", "2024-06-01", "export", 10), usage("U1", "C1", "2024-06-01", "search", 10),
         usage("U2", "C1", "2024-06-30", "search", 19),
         usage("U3", "C1", "2024-05-31", "report", 25),
         usage("U5", "C1", "2024-06-01", "upload", 10), usage("U5", "C1", "2024-05-31", "upload", 10),
         usage("U9", "C2", "2024-06-30", "search", 5)]
USERS = [{"user_id": "U1", "customer_id": "C1", "user_name": "Ann", "role": "admin", "join_date": "2024-01-10",
          "last_login_date": "2024-06-29 08:00"},
         {"user_id": "U2", "customer_id": "C1", "user_name": "Bob", "role": "editor", "join_date": "2024-02-01",
          "last_login_date": "2024-06-30 07:00"},
         {"user_id": "U3", "customer_id": "C1", "user_name": "Cy", "role": "viewer", "join_date": "2024-03-01",
          "last_login_date": "2024-05-31 07:00"},
         {"user_id": "U4", "customer_id": "C1", "user_name": "Dee", "role": "viewer", "join_date": "2024-04-01",
          "last_login_date": None}]
ALL_SOURCES = {"interaction": 3, "review": 2, "ticket": 3, "order": 3, "usage": 3}


@pytest.fixture(scope="module")
def reader(tmp_path_factory):
    path = tmp_path_factory.mktemp("customer") / "warehouse.duckdb"
    build_warehouse(path, CUSTOMERS, interactions=INTERACTIONS, reviews=REVIEWS, tickets=TICKETS, usage_events=USAGE,
                    users=USERS, orders=ORDERS).close()
    con = duckdb.connect(str(path))
    build_churn_tables(con)  # as a load does: too little history for a model, so the tables are empty
    con.close()
    reader = WarehouseReader(path)
    yield reader
    reader.close()


def records(frame: pd.DataFrame) -> list[dict]:
    return frame.astype(object).where(frame.notna(), None).to_dict("records")


# ---------------------------------------------------------------- search

def search(reader, text):
    return list(reader.query("customer/search_customers", **tab.search_params(text))["customer_id"])


def test_search_by_id_and_name_prefix_matches_first(reader):
    # the id that starts with the text, then names that start with it (by name), then the other matches
    assert search(reader, "acme") == ["ACME-1", "C4", "C2", "C1", "C3", "X-ACME"]
    assert search(reader, "  ACME ") == search(reader, "acme")       # case and spaces do not matter
    assert search(reader, "c1") == ["C1"]                              # the exact id
    assert search(reader, "widg") == ["C2"]
    assert search(reader, "nobody") == []


def test_search_escapes_like_wildcards(reader):
    assert search(reader, "e_c") == ["C1"]      # '_' is a character: "Acme Corp" (C4) does not match
    assert search(reader, "100%") == ["C1"]     # '%' too: the "Lot 100 NN" names do not match
    assert tab.search_params("A_b%!") == {"search": "%a!_b!%!!%", "prefix": "a!_b!%!!%", "term": "a_b%!",
                                          "limit": tab.SEARCH_LIMIT}
    assert tab.search_params("   ") is None and tab.search_params(None) is None


def test_search_returns_at_most_the_limit(reader):
    assert tab.SEARCH_LIMIT == 20
    assert search(reader, "lot") == [f"LOT-{i:02d}" for i in range(1, 21)]  # 25 match


def test_search_options_keep_the_selected_customer():
    found = pd.DataFrame({"customer_id": ["C2", "X-ACME"], "customer_name": ["Acme Widgets", None]})
    selected = tab.option("C1", "Acme_Corp 100%")
    assert tab.search_options(found, selected) == [
        {"value": "C1", "label": "C1 · Acme_Corp 100%"}, {"value": "C2", "label": "C2 · Acme Widgets"},
        {"value": "X-ACME", "label": "X-ACME"}]
    assert tab.search_options(found, tab.option("C2", "Acme Widgets"))[0]["value"] == "C2"  # not twice
    assert tab.search_options(found.iloc[0:0], None) == []


def test_customer_label(reader):
    assert records(reader.query("customer/customer_label", customer_id="C2")) == [
        {"customer_id": "C2", "customer_name": "Acme Widgets"}]
    assert reader.query("customer/customer_label", customer_id="c2").empty  # ids are exact


# ---------------------------------------------------------------- signals

def test_signals_row(reader):
    row = records(reader.query("customer/customer_signals", Filters(), customer_id="C1"))[0]
    assert (row["customer_name"], row["csm_owner"], row["value_segment"], row["lifetime_value"]) == (
        "Acme_Corp 100%", "Mia", "High Value", 1500.0)
    assert (row["derived_persona"], row["churn_risk"], row["upsell_opportunity"], row["overall_sentiment"]) == (
        "Mixed", "Medium", "Medium", "Neutral")
    assert row["avg_sentiment"] == pytest.approx(0.5 / 7)
    assert row["sentiment_trend"] == pytest.approx(1.1)
    assert (row["ticket_count"], row["open_tickets"], row["avg_rating"]) == (3, 2, 3.5)
    assert row["customer_summary"]
    health = records(reader.query("customer/customer_signals", Filters(), customer_id="C1"))[0]
    direct = reader._connection().execute(
        "select health_score, health_band from analytics.customer_health where customer_id = 'C1'").fetchone()
    assert (health["health_score"], health["health_band"]) == direct and direct[1] in ("green", "yellow", "red")
    assert row["churn_probability"] is None and row["churn_band"] is None  # no churn model on 31 customers
    assert row["in_view"] is True


def test_signals_of_a_customer_without_records_and_of_an_unknown_id(reader):
    row = records(reader.query("customer/customer_signals", Filters(), customer_id="C4"))[0]
    assert (row["ticket_count"], row["open_tickets"], row["avg_sentiment"], row["avg_rating"]) == (0, 0, None, None)
    assert (row["derived_persona"], row["churn_risk"]) == ("Neutral", "Low")
    assert reader.query("customer/customer_signals", Filters(), customer_id="NOPE").empty


def test_signals_say_whether_the_customer_filters_keep_the_customer(reader):
    def in_view(**filters):
        return bool(reader.query("customer/customer_signals", Filters(**filters), customer_id="C1")["in_view"][0])
    assert in_view(value_segments=("High Value",), churn_risks=("Medium", "High"))
    assert not in_view(value_segments=("Low Value",))
    assert not in_view(churn_risks=("High",))
    assert in_view(date_from=date(2030, 1, 1), date_to=date(2030, 1, 31))  # the date range does not select customers


def test_suggestions_are_the_customers_most_at_risk_in_view(reader):
    def suggested(filters, limit=3):
        return list(reader.query("customer/suggested_customers", filters, limit=limit)["customer_id"])
    # no churn model here: High risk (C2), Medium (C1), then the Low-risk customers by lifetime value (C3: 900)
    assert suggested(Filters()) == ["C2", "C1", "C3"]
    assert suggested(Filters(value_segments=("High Value",))) == ["C1"]


# ---------------------------------------------------------------- timeline

def timeline(reader, filters=None, sources=None, page_size=1000, offset=0, customer_id="C1"):
    return customer_timeline.timeline_frame(reader, customer_id, filters or Filters(), sources, page_size, offset)


def test_timeline_holds_every_record_of_every_source_and_nothing_else(reader):
    frame = timeline(reader)
    assert frame["source_type"].value_counts().to_dict() == ALL_SOURCES
    assert customer_timeline.counts(frame) == (14, 14, 14)
    expected = {"I1", "I2", "I3", "R1", "R2", "T1", "T2", "T3", "O0", "O1", "O2",
                "2024-05-31", "2024-06-01", "2024-06-30"}
    assert set(frame["record_id"]) == expected  # none of C2's records
    other = timeline(reader, customer_id="C2")
    assert other["source_type"].value_counts().to_dict() == dict.fromkeys(ALL_SOURCES, 1)
    assert set(other["record_id"]) == {"C2-I1", "C2-R1", "C2-T1", "C2-O1", "2024-06-30"}


def test_timeline_puts_open_tickets_first_then_newest_first(reader):
    assert list(timeline(reader)["record_id"]) == [
        "T2", "T1",                                      # open tickets (pending-customer, open), newest first
        "2024-06-30", "I3", "T3", "2024-06-01", "2024-05-31", "I2", "R2", "R1", "O2", "O1", "I1", "O0"]
    open_flags = timeline(reader).set_index("record_id")["is_open_ticket"]
    assert open_flags[["T1", "T2"]].all() and not open_flags[["T3", "I1", "O1", "2024-06-30"]].any()


def test_timeline_rows_carry_each_sources_details(reader):
    rows = {r["record_id"]: r for r in records(timeline(reader))}
    assert (rows["I1"]["kind"], rows["I1"]["body"], rows["I1"]["sentiment_score"]) == ("call", "note", 0.8)
    assert rows["I3"]["sentiment_score"] is None
    assert (rows["R1"]["rating"], rows["R1"]["body_english"], rows["R2"]["body_english"]) == (5, "review R1", None)
    assert (rows["T1"]["kind"], rows["T1"]["status"], rows["T1"]["priority_level"], rows["T1"]["requested_remedy"]) \
        == ("billing", "open", "High", "refund")
    assert (rows["O2"]["kind"], rows["O2"]["amount"], rows["O2"]["quantity"]) == ("refund", -20.0, 1)
    assert (rows["O1"]["kind"], rows["O1"]["amount"], rows["O1"]["body"]) == ("order", 120.0, "P1")
    # usage: one record per day, its actions per feature (most first, ties by name) and distinct users
    assert (rows["2024-06-01"]["events"], rows["2024-06-01"]["users"], rows["2024-06-01"]["body"]) == (
        30, 2, "export 10, search 10, upload 10")
    assert (rows["2024-05-31"]["events"], rows["2024-05-31"]["users"], rows["2024-05-31"]["body"]) == (
        35, 2, "report 25, upload 10")
    assert rows["2024-06-30"]["sentiment_score"] is None and rows["O1"]["sentiment_score"] is None


def test_timeline_date_range_and_record_filters(reader):
    spring = timeline(reader, Filters(date_from=date(2024, 3, 1), date_to=date(2024, 5, 31)))
    assert list(spring["record_id"]) == ["T2", "2024-05-31", "I2", "R2", "R1"]
    assert customer_timeline.counts(spring) == (14, 5, 5)
    filtered = timeline(reader, Filters(interaction_types=("call",), review_languages=("fr",)))
    assert set(filtered["record_id"]) == set(timeline(reader)["record_id"]) - {"I2", "R1"}  # email, English review
    assert customer_timeline.counts(filtered)[:2] == (14, 12)


def test_all_time_keeps_orders_and_usage_outside_the_texts_dates(reader):
    # "All time" runs from the first to the last activity of any source: the order of 2023-12-20 to 2024-06-30
    # here (filters/date_bounds.sql), so the order before every text is in view; ranges cut by date as usual
    first, last = reader.date_bounds()
    assert (first, last) == (date(2023, 12, 20), AS_OF)
    assert customer_timeline.counts(timeline(reader, Filters(date_from=first, date_to=last)))[1] == 14
    assert customer_timeline.counts(timeline(reader, Filters(date_from=date(2024, 1, 6), date_to=last)))[1] == 12
    assert customer_timeline.counts(timeline(reader, Filters(date_from=first, date_to=date(2024, 6, 29))))[1] == 13


def test_timeline_sources_and_paging(reader):
    tickets = timeline(reader, sources=["ticket"])
    assert list(tickets["record_id"]) == ["T2", "T1", "T3"] and customer_timeline.counts(tickets) == (14, 14, 3)
    page = timeline(reader, page_size=5, offset=10)
    assert list(page["record_id"]) == ["O2", "O1", "I1", "O0"] and customer_timeline.counts(page) == (14, 14, 14)
    # an empty page still says how many records there are: one row of counts, no record
    empty = timeline(reader, Filters(date_from=date(2024, 4, 20), date_to=date(2024, 4, 30)))
    assert empty["source_type"].isna().all() and customer_timeline.counts(empty) == (14, 0, 0)


def test_records_table_and_notes(reader):
    assert customer_timeline.outside_note(13, 13) == "All 13 of the customer's records are in the date range."
    assert customer_timeline.outside_note(13, 5).startswith("5 of the customer's 13 records are in view; 8 are outside")
    assert customer_timeline.outside_note(0, 0).startswith("This customer has no interactions")
    table = str(customer_timeline.records_table(timeline(reader), 0))
    assert "Records 1–14 of 14, open tickets first" in table and "'open'" in table
    assert "Refund 20.00 × 1" in table and "30 actions by 2 users" in table and "Review ★★★★★ of P1" in table
    long_text = timeline(reader).assign(body="word " * 60)
    assert "Show more" in str(customer_timeline.records_table(long_text, 0))
    assert "No records in view." in str(customer_timeline.records_table(
        timeline(reader, Filters(date_from=date(2024, 4, 20), date_to=date(2024, 4, 30))), 0))


def test_timeline_figure(reader):
    frame = timeline(reader)
    figure = figures.timeline(frame, 14)
    points: dict[str, int] = {}
    for trace in figure.data:
        points[trace.name] = points.get(trace.name, 0) + sum(x is not None for x in trace.x)
    # sentiment labels by [overall_sentiment]: > 0.3 Positive (I1, R1, T3), < -0.3 Negative (I2, R2, T1); T2 -0.2
    # Neutral; I3 (not scored), the three orders and the three usage days have none; the open tickets' legend entry
    # has no point of its own
    assert points == {"Positive": 3, "Neutral": 1, "Negative": 3, figures.NO_SENTIMENT: 7, "open ticket": 0}
    diamonds = sorted(t.customdata[0] for t in figure.data if t.marker.symbol == "diamond" and t.customdata is not None)
    assert diamonds == ["T1", "T2"]  # the open tickets, in the colour of their sentiment
    assert {t.marker.symbol for t in figure.data if t.name == figures.NO_SENTIMENT} == {"circle-open"}
    negative = [t for t in figure.data if t.name == "Negative"]
    assert [t.showlegend for t in negative] == [True, False]  # one legend entry per label
    hover = next(t for t in figure.data if t.name == "Positive").text
    assert any(text.startswith("01 Feb 2024 10:00 · Interactions<br><b>call</b> · sentiment +0.80") for text in hover)
    assert list(figure.layout.yaxis.categoryarray) == list(figures.LANES.values())[::-1]
    assert figures.timeline(frame.iloc[:4], 14).layout.title.text.startswith("4 of 14 records in view")
    empty = timeline(reader, Filters(date_from=date(2024, 4, 20), date_to=date(2024, 4, 30)))
    assert figures.timeline(empty, 0).layout.annotations[0].text.startswith("No records")
    assert figures.sentiment_label(0.3) == "Neutral" and figures.sentiment_label(0.31) == "Positive"
    assert figures.sentiment_label(None) == figures.NO_SENTIMENT


# ---------------------------------------------------------------- team, users, features

def test_team_row(reader):
    team = records(reader.query("customer/customer_team", customer_id="C1"))[0]
    assert (team["team_size"], team["active_users_30d"], team["inactive_users_30d"], team["super_users_30d"]) == (
        5, 3, 2, 1)                                       # U1..U5; active U1, U2, U5; super U1
    assert team["events_30d"] == 20 + 19 + 10
    assert (team["first_activity_date"].date(), team["last_activity_date"].date()) == (date(2024, 5, 31), AS_OF)
    assert (team["days_since_last_activity"], team["is_active_30d"], team["is_inactive_6m"]) == (0, True, False)
    assert team["onboarded_date"].date() == date(2024, 1, 10) and team["has_usage"] is True
    assert team["last_login_date"] == pd.Timestamp("2024-06-30 07:00")
    facts = {label: (value, detail) for label, value, detail in customer_team.team_facts(team)}
    assert facts["Active users"][0] == "3" and facts["Active users"][1].startswith("2 inactive")
    assert facts["Super users"] == ("1", "49 actions in 30 days")
    assert facts["Last activity"] == ("30 Jun 2024", "on the newest data day")


def test_users_super_user_and_active_at_the_boundaries(reader):
    users = records(reader.query("customer/customer_users", customer_id="C1", limit=100))
    got = {u["user_id"]: (u["actions_last_30d"], u["is_super_user"], u["is_active"], u["favourite_feature"])
           for u in users}
    assert got == {
        "U1": (20, True, True, "export"),     # 20 actions: a super user; export and search tie -> alphabetical
        "U2": (19, False, True, "search"),    # 19: not a super user
        "U5": (10, False, True, "upload"),    # 06-01 is inside the window (29 days), 05-31 is not (30 days)
        "U3": (0, False, False, None),        # used the product 30 days before: outside the window
        "U4": (0, False, False, None),        # in the users file, never used it
    }
    assert [u["user_id"] for u in users] == ["U1", "U2", "U5", "U3", "U4"]  # most actions first, then by id
    by_id = {u["user_id"]: u for u in users}
    assert by_id["U3"]["days_since_last_activity"] == 30
    assert by_id["U3"]["last_activity_date"].date() == date(2024, 5, 31)
    assert (by_id["U5"]["user_name"], by_id["U5"]["join_date"]) == (None, None)  # seen in usage only
    assert (by_id["U1"]["user_name"], by_id["U1"]["role"], by_id["U4"]["last_activity_date"]) == ("Ann", "admin", None)
    assert {u["users_total"] for u in users} == {5}
    assert [u["user_id"] for u in records(reader.query("customer/customer_users", customer_id="C1", limit=2))] == [
        "U1", "U2"]
    rows = customer_team.users_rows(reader.query("customer/customer_users", customer_id="C1", limit=100))
    assert [(r["user_name"], r["status"]) for r in rows] == [
        ("Ann", "★ super user"), ("Bob", "active"), ("U5", "active"), ("Cy", "inactive"), ("Dee", "inactive")]


def test_feature_usage_30_and_90_days(reader):
    frame = reader.query("customer/customer_features", customer_id="C1", long_window_days=90)
    assert records(frame) == [
        {"feature_name": "search", "events_30d": 29, "users_30d": 2, "events_long": 29, "users_long": 2,
         "events_all_time": 29, "last_used_date": pd.Timestamp("2024-06-30")},
        {"feature_name": "upload", "events_30d": 10, "users_30d": 1, "events_long": 20, "users_long": 1,
         "events_all_time": 20, "last_used_date": pd.Timestamp("2024-06-01")},
        {"feature_name": "export", "events_30d": 10, "users_30d": 1, "events_long": 10, "users_long": 1,
         "events_all_time": 10, "last_used_date": pd.Timestamp("2024-06-01")},
        {"feature_name": "report", "events_30d": 0, "users_30d": 0, "events_long": 25, "users_long": 1,
         "events_all_time": 25, "last_used_date": pd.Timestamp("2024-05-31")},
    ]
    figure = figures.feature_usage(frame, 90, 30)
    assert [t.name for t in figure.data] == ["last 90 days", "last 30 days"]
    assert list(figure.data[1].y) == ["report", "export", "upload", "search"]  # most used at the top
    short = reader.query("customer/customer_features", customer_id="C1", long_window_days=20)
    assert int(short.set_index("feature_name").loc["report", "events_long"]) == 0


def test_an_account_without_users_or_usage(reader):
    team = reader.query("customer/customer_team", customer_id="C3")
    assert records(team)[0]["team_size"] == 0 and records(team)[0]["has_usage"] is False
    users = reader.query("customer/customer_users", customer_id="C3", limit=100)
    assert users.empty
    assert "no product usage data" in str(customer_team.team_body(team, users))
    features = reader.query("customer/customer_features", customer_id="C3", long_window_days=90)
    assert figures.feature_usage(features, 90, 30).layout.annotations[0].text.startswith("This account has no")
    assert reader.query("customer/customer_team", customer_id="NOPE").empty


# ---------------------------------------------------------------- the tab

def test_signal_cards_and_summary(reader):
    row = records(reader.query("customer/customer_signals", Filters(), customer_id="C1"))[0]
    cards = str(tab.signal_cards(row))
    for text in ("Mixed", "Medium", "+0.07", "trend +1.10", "High Value", "lifetime value 1,500.00", "2 open",
                 "3.50 / 5", "not scored by the churn model"):
        assert text in cards, text
    assert "Acme_Corp 100%" in str(tab.header(row)) and "CSM Mia" in str(tab.header(row))
    assert row["customer_summary"] in str(tab.summary_card(row))
    assert tab.probability(0.004) == "<1%" and tab.probability(0.42) == "42%"


def test_empty_state_links_keep_the_filters(reader):
    suggestions = reader.query("customer/suggested_customers", Filters(), limit=tab.SUGGESTIONS)
    state = str(tab.empty_state(suggestions, "?tab=customer&range=30d&risk=High"))
    assert "Search a customer by id or name" in state
    assert "?tab=customer&customer=C2&range=30d&risk=High" in state


def test_every_callback_id_is_in_the_layout(reader):
    in_layout = layout_ids(tab.layout()) | layout_ids(tab.picker(None, [])) | {"filters", "customer",
                                                                               "customer-pick", "url"}
    used, count = callback_ids(tab, reader)
    assert used <= in_layout, used - in_layout
    # picker, search, pick, signals; timeline chart, list and text toggle; team and features
    assert count == 9


@pytest.mark.parametrize("path", sorted(p.name for p in (SQL_DIR / "queries" / "customer").glob("*.sql")))
def test_queries_translate_to_postgres_and_snowflake(path):
    sql = to_duckdb_parameters(read_sql(f"queries/customer/{path}"))
    for dialect in ("postgres", "snowflake"):
        sqlglot.transpile(sql, read="duckdb", write=dialect, unsupported_level=sqlglot.ErrorLevel.RAISE)
