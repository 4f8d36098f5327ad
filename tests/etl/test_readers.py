"""Files that cannot be read at all give one clear error naming the file and the problem."""

from __future__ import annotations

import json

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from etl.sources.contract import ENTITIES
from etl.sources.errors import SourceError
from etl.sources.readers import read_source
from etl.sources.validate import validate


@pytest.mark.parametrize(("name", "content", "problem"), [
    ("customers.json", b"", "file is empty"),
    ("customers.json", b'[{"customer_id": "C1",', "invalid JSON at line 1, column"),
    # JSON lines: one bad line is quarantined (tests/etl/corpus); a file where no line is JSON is an error
    ("customers.json", b'customer_id,sign_up_date\nC1,2024-01-01\n', "invalid JSON on line 1, column 1"),
    ("customers.csv", b"\n\n", "CSV file has no header row"),
    ("customers.csv", b"customer_id,customer_id\nC1,C2\n", "CSV header repeats column(s) customer_id"),
    ("customers.xlsx", b"PK", "unsupported file type '.xlsx'"),
    ("customers.parquet", b"not parquet at all", "cannot read Parquet"),
])
def test_unreadable_files(tmp_path, name, content, problem):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(SourceError) as error:
        read_source(path)
    assert str(error.value).startswith(str(path))
    assert problem in str(error.value)


def test_missing_required_column_is_a_file_error(tmp_path):
    path = tmp_path / "tickets.csv"
    path.write_text("ticket_id,customer_id,ticket_date\nT1,C1,2024-01-01\n")
    with pytest.raises(SourceError) as error:
        validate(read_source(path), ENTITIES["tickets"], "tickets.csv")
    assert str(error.value) == ("tickets.csv: missing required column(s) ticket_category, ticket_description for "
                                "tickets (columns found: ticket_id, customer_id, ticket_date)")


def test_formats_agree(tmp_path):
    """The same records as JSON array, JSON lines, CSV (with a BOM) and typed Parquet load identically."""
    records = [{"customer_id": "C1", "sign_up_date": "2024-01-31", "lifetime_value": 1200.5, "products_owned": 2},
               {"customer_id": "C2", "sign_up_date": "2023-06-01", "lifetime_value": 80, "products_owned": 1}]
    (tmp_path / "a.json").write_text(json.dumps(records))
    (tmp_path / "b.jsonl").write_text("\n".join(json.dumps(r) for r in records))
    (tmp_path / "c.csv").write_text("\ufeffcustomer_id,sign_up_date,lifetime_value,products_owned\n"
                                    "C1,2024-01-31,1200.5,2\nC2,2023-06-01,80,1\n", encoding="utf-8")
    table = pa.table({"customer_id": ["C1", "C2"],
                      "sign_up_date": pa.array(pd.to_datetime(["2024-01-31", "2023-06-01"]).date, pa.date32()),
                      "lifetime_value": [1200.5, 80.0], "products_owned": pa.array([2, 1], pa.int32())})
    pq.write_table(table, tmp_path / "d.parquet")
    loaded = []
    for name in ("a.json", "b.jsonl", "c.csv", "d.parquet"):
        result = validate(read_source(tmp_path / name), ENTITIES["customers"], name)
        assert result.quarantine.empty, (name, result.quarantine)
        loaded.append(result.rows[["customer_id", "sign_up_date", "lifetime_value", "products_owned"]])
    for other in loaded[1:]:
        pd.testing.assert_frame_equal(loaded[0], other)
    assert loaded[0]["lifetime_value"].tolist() == [1200.5, 80.0]
