"""Mapping files: a retailer's invoice CSV (InvoiceNo, InvoiceDate, CustomerID, Quantity, UnitPrice) as orders."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pandas as pd
import pytest

from etl.sources.errors import SourceError
from etl.sources.mapping import apply_mapping, load_mapping
from etl.sources.readers import read_source
from etl.sources.validate import validate

DATA = Path(__file__).parent / "data" / "invoices"


def load(mapping_file: Path) -> dict[str, tuple[pd.DataFrame, pd.DataFrame]]:
    out: dict[str, tuple[pd.DataFrame, pd.DataFrame]] = {}
    customers = None
    for item in load_mapping(mapping_file):
        frame = apply_mapping(read_source(item.path), item, mapping_file)
        checked = validate(frame, item.entity, item.path.name, date_format=item.date_format,
                           customer_ids=customers, now=datetime(2026, 11, 1))
        assert checked.rows_read == len(checked.rows) + len(checked.quarantine)
        out[item.entity.name] = (checked.rows, checked.quarantine)
        if item.entity.name == "customers":
            customers = pd.Index(checked.rows["customer_id"])
    return out


def test_invoice_csv_maps_to_orders():
    result = load(DATA / "mapping.toml")
    customers, _ = result["customers"]
    assert customers["customer_id"].tolist() == ["17850", "13047"]
    assert customers["sign_up_date"].tolist() == [pd.Timestamp("2025-11-29"), pd.Timestamp("2025-11-30")]
    orders, quarantine = result["orders"]
    assert orders["order_id"].tolist() == ["536365", "536366", "536367", "C536379"]
    # amount = Quantity * UnitPrice, computed by hand: 6*2.55, 6*1.85, 32*1.69, -1*27.50
    assert orders["amount"].tolist() == pytest.approx([15.3, 11.1, 54.08, -27.5])
    assert orders["order_date"].iloc[0] == pd.Timestamp("2025-12-01 08:26")
    assert orders["product_id"].tolist() == ["85123A", "22633", "84879", "D"]
    # unmapped columns are kept as attributes, mapped ones are not repeated there
    assert json.loads(orders["attributes"].iloc[0]) == {
        "Country": "United Kingdom", "Description": "WHITE HANGING HEART T-LIGHT HOLDER"}
    assert dict(zip(quarantine["source_row"], quarantine["reason"], strict=True)) == {
        5: "column amount: cannot compute 'Quantity * UnitPrice' from this row's values",
        6: "column order_date: does not match date format '%m/%d/%Y %H:%M': '2025-12-01 09:45'",
        7: "column customer_id: unknown customer '99999'",
    }


def write_mapping(tmp_path: Path, body: str) -> Path:
    (tmp_path / "invoices.csv").write_text((DATA / "invoices.csv").read_text())
    path = tmp_path / "mapping.toml"
    path.write_text(body)
    return path


def test_mapping_naming_a_column_that_does_not_exist(tmp_path):
    mapping_file = write_mapping(tmp_path, """
[[files]]
path = "invoices.csv"
entity = "orders"
[files.columns]
order_id = "InvoiceNumber"
customer_id = "CustomerID"
order_date = "InvoiceDate"
[files.expressions]
amount = "Qty * UnitPrice"
""")
    item = load_mapping(mapping_file)[0]
    with pytest.raises(SourceError) as error:
        apply_mapping(read_source(item.path), item, mapping_file)
    assert str(error.value).startswith(f"{mapping_file}: invoices.csv: column(s) InvoiceNumber, Qty named in the "
                                       "mapping do not exist in the file (it has: InvoiceNo, StockCode")


@pytest.mark.parametrize(("body", "problem"), [
    ("[[files]]\npath='x.csv'\nentity='invoices'\n", "[[files]] entry 1: unknown entity 'invoices'"),
    ("[[files]]\nentity='orders'\n", "[[files]] entry 1: 'path' is missing"),
    ("[[files]]\npath='x.csv'\nentity='orders'\n[files.columns]\ntotal='Total'\n",
     "[[files]] entry 1: 'total' is not a column of orders"),
    ("[[files]]\npath='x.csv'\nentity='orders'\n[files.expressions]\namount='__import__(\"os\")'\n",
     "[[files]] entry 1: expression for 'amount' may only use column names, numbers and + - * /"),
    ("files = [", "invalid TOML"),
    ("title = 'nothing'", "no [[files]] entries"),
])
def test_bad_mapping_files_name_the_problem(tmp_path, body, problem):
    mapping_file = write_mapping(tmp_path, body)
    with pytest.raises(SourceError) as error:
        load_mapping(mapping_file)
    assert str(mapping_file) in str(error.value)
    assert problem in str(error.value)
