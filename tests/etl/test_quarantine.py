"""Every quarantine reason, through the real readers: each bad row is kept out of the loaded rows, kept in
the quarantine with its row number, column and reason, and rows read = loaded + quarantined."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pandas as pd
import pytest

from etl.sources.contract import ENTITIES
from etl.sources.readers import read_source
from etl.sources.validate import validate

NOW = datetime(2026, 11, 1)


def check(path: Path, entity: str, **kwargs) -> tuple[pd.DataFrame, pd.DataFrame]:
    result = validate(read_source(path), ENTITIES[entity], path.name, now=NOW, **kwargs)
    assert result.rows_read == len(result.rows) + len(result.quarantine)
    return result.rows, result.quarantine


def write_csv(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def reasons(quarantine: pd.DataFrame) -> dict[int, str]:
    return dict(zip(quarantine["source_row"], quarantine["reason"], strict=True))


def test_customer_rows(tmp_path):
    path = write_csv(tmp_path, "customers.csv", "\n".join([
        "customer_id,sign_up_date,products_owned,lifetime_value",
        "C1,2024-01-01,2,1500",          # row 1 fine
        ",2024-01-01,1,10",               # row 2 missing id
        "C3,not a date,1,10",             # row 3 bad date
        "C4,1969-12-31,1,10",             # row 4 before 1970
        "C5,2027-01-01,1,10",             # row 5 in the future
        "C6,2024-01-01,1.5,10",           # row 6 fractional count
        "C7,2024-01-01,1,-5",             # row 7 negative LTV
        "C8,2024-01-01,x,10",             # row 8 not a number
        "C1,2024-02-01,1,10",             # row 9 duplicate of row 1
        "C10,2024-01-01,-1,10",           # row 10 negative products
        "C11,2024-01-01,1,inf",           # row 11 infinite
    ]))
    rows, quarantine = check(path, "customers")
    assert rows["customer_id"].tolist() == ["C1"]
    assert reasons(quarantine) == {
        2: "column customer_id: missing required value",
        3: "column sign_up_date: not an ISO 8601 date: 'not a date'",
        4: "column sign_up_date: date before 1970: '1969-12-31'",
        5: "column sign_up_date: date in the future: '2027-01-01'",
        6: "column products_owned: not a whole number: '1.5'",
        7: "column lifetime_value: negative: -5.0",
        8: "column products_owned: not a number: 'x'",
        9: "column customer_id: duplicate id 'C1' (first seen at row 1)",
        10: "column products_owned: negative: -1",
        11: "column lifetime_value: not a finite number: 'inf'",
    }
    assert set(quarantine["column_name"]) == {"customer_id", "sign_up_date", "products_owned", "lifetime_value"}
    assert json.loads(quarantine.set_index("source_row").loc[3, "record"]) == {
        "customer_id": "C3", "sign_up_date": "not a date", "products_owned": "1", "lifetime_value": "10"}


def test_review_rating_range_and_orphans(tmp_path):
    path = write_csv(tmp_path, "reviews.csv", "\n".join([
        "review_id,customer_id,review_date,review_rating,review_text",
        "R1,C1,2024-01-01T10:00:00,5,Great",
        "R2,C1,2024-01-01,0,Bad",
        "R3,C1,2024-01-01,6,Too good",
        "R4,GHOST,2024-01-01,3,Who am I",
        "R5,C1,2024-01-01,3,",
    ]))
    rows, quarantine = check(path, "reviews", customer_ids=pd.Index(["C1"]))
    assert rows["review_id"].tolist() == ["R1"]
    assert rows["review_date"].iloc[0] == pd.Timestamp("2024-01-01 10:00:00")
    assert reasons(quarantine) == {
        2: "column review_rating: outside 1-5: 0",
        3: "column review_rating: outside 1-5: 6",
        4: "column customer_id: unknown customer 'GHOST'",
        5: "column review_text: missing required value",
    }


def test_ticket_resolved_before_opened(tmp_path):
    path = write_csv(tmp_path, "tickets.csv", "\n".join([
        "ticket_id,customer_id,ticket_date,ticket_category,ticket_description,resolved_date",
        "T1,C1,2024-01-02,billing,Charged twice,2024-01-03",
        "T2,C1,2024-01-02,billing,Charged twice,2024-01-01",
    ]))
    rows, quarantine = check(path, "tickets")
    assert rows["ticket_id"].tolist() == ["T1"]
    assert reasons(quarantine) == {2: "column resolved_date: before ticket_date: '2024-01-01T00:00:00'"}


def test_usage_events_unknown_user_and_negative_count(tmp_path):
    path = write_csv(tmp_path, "usage_events.csv", "\n".join([
        "user_id,customer_id,event_date,feature_name,events_count",
        "U1,C1,2024-01-02,search,3",
        "U9,C1,2024-01-02,search,1",
        "U1,C1,2024-01-02,export,-2",
        "U1,C1,2024-01-02,export,",
    ]))
    rows, quarantine = check(path, "usage_events", user_ids=pd.Index(["U1"]))
    assert rows["events_count"].tolist() == [3, 1]  # a missing count is one event
    assert reasons(quarantine) == {2: "column user_id: unknown user 'U9'", 3: "column events_count: negative: -2"}


def test_json_record_that_is_not_an_object(tmp_path):
    path = tmp_path / "customers.json"
    path.write_text(json.dumps([{"customer_id": "C1", "sign_up_date": "2024-01-01"}, ["C2"], "C3"]))
    rows, quarantine = check(path, "customers")
    assert rows["customer_id"].tolist() == ["C1"]
    assert reasons(quarantine) == {2: "record is a JSON array, not an object",
                                   3: "record is a JSON string, not an object"}


def test_non_utf8_bytes_quarantine_only_their_row(tmp_path):
    path = tmp_path / "customers.csv"
    path.write_bytes(b"customer_id,sign_up_date,customer_name\nC1,2024-01-01,Ana\nC2,2024-01-01,Jos\xe9\n")
    rows, quarantine = check(path, "customers")
    assert rows["customer_id"].tolist() == ["C1"]
    assert reasons(quarantine) == {2: "column customer_name: bytes that are not valid UTF-8"}
    assert "Jos\\\\xe9" in quarantine["record"].iloc[0]


def test_csv_row_with_wrong_number_of_fields(tmp_path):
    path = tmp_path / "customers.csv"
    path.write_bytes(b"customer_id,sign_up_date\nC1,2024-01-01\nC2,2024-01-01,extra\n\xff\n")
    rows, quarantine = check(path, "customers")
    assert rows["customer_id"].tolist() == ["C1"]
    assert reasons(quarantine)[2] == "has 3 fields, the header has 2"


def test_duplicate_across_files_and_overlong_text(tmp_path):
    path = write_csv(tmp_path, "interactions.csv", "\n".join([
        "interaction_id,customer_id,interaction_date,interaction_type,interaction_notes",
        "I1,C1,2024-01-02,call,fine",
        f"I2,C1,2024-01-02,call,{'x' * 100_001}",
    ]))
    rows, quarantine = check(path, "interactions", seen_ids=pd.Index(["I1"]))
    assert rows.empty
    assert reasons(quarantine) == {
        1: "column interaction_id: duplicate of an id in an earlier file: 'I1'",
        2: "column interaction_notes: text longer than 100,000 characters",
    }


def test_date_format_from_a_mapping(tmp_path):
    path = write_csv(tmp_path, "orders.csv", "order_id,customer_id,order_date,amount\nO1,C1,31/12/2024,10\n"
                                             "O2,C1,2024-12-31,-4.5\n")
    rows, quarantine = check(path, "orders", date_format="%d/%m/%Y")
    assert rows["order_date"].tolist() == [pd.Timestamp("2024-12-31")]
    assert reasons(quarantine) == {2: "column order_date: does not match date format '%d/%m/%Y': '2024-12-31'"}


def test_extra_columns_are_kept_as_attributes_and_names_matched_loosely(tmp_path):
    path = write_csv(tmp_path, "customers.csv", " Customer_ID ,SIGN_UP_DATE,Plan,favourite_colour\n"
                                                "C1,2024-01-01,Gold,blue\n")
    rows, _ = check(path, "customers")
    assert rows["segment"].tolist() == ["Gold"]
    assert json.loads(rows["attributes"].iloc[0]) == {"favourite_colour": "blue"}


def test_synthesised_ids_for_facts_without_an_id_column(tmp_path):
    path = write_csv(tmp_path, "interactions.csv", "customer_id,interaction_date,interaction_type\n"
                                                   "C1,2024-01-02,call\nC1,2024-01-03,chat\n")
    rows, _ = check(path, "interactions")
    assert rows["interaction_id"].tolist() == ["interactions-1", "interactions-2"]


@pytest.mark.parametrize("sample", ["prd_raw_10", "prd_raw_100"])
def test_prd_samples_validate_without_quarantine(sample):
    folder = Path(__file__).resolve().parents[3] / "shared" / "samples" / sample
    customers, _ = check(folder / "customers.json", "customers")
    for name, entity in [("customer_interactions.json", "interactions"), ("product_reviews.json", "reviews"),
                         ("support_tickets.json", "tickets")]:
        rows, quarantine = check(folder / name, entity, customer_ids=pd.Index(customers["customer_id"]))
        assert quarantine.empty, quarantine["reason"].tolist()
        assert len(rows) == len(json.loads((folder / name).read_text()))
