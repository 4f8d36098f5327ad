"""The bad-input corpus (tests/etl/corpus/, docs/bad-input.md): every case through the real `customer-insight load`.

Each case folder holds its inputs and an expect.toml written by hand: either the one error the load must stop with
(naming the file, and the row/column where there is one), or the rows read/loaded/quarantined per file, the
quarantined rows with their column and reason, and some loaded values. The command runs in this process (click's
CliRunner: the same code as the installed command, without starting Python 57 times) into a DuckDB file in a temporary
data folder, which is then read back: the load_report and quarantine tables and the raw tables themselves.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import math
import tomllib
from collections.abc import Callable
from pathlib import Path

import duckdb
import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner, Result
from rich.console import Console

from cli.main import main
from etl.report import FileCounts, LoadReport

CORPUS = Path(__file__).parent / "corpus"
CASES = sorted(p.parent.name for p in CORPUS.glob("*/expect.toml"))
ERROR_CASES = [c for c in CASES if "error" in tomllib.loads((CORPUS / c / "expect.toml").read_text())]
LOADED_CASES = [c for c in CASES if c not in ERROR_CASES]
# The command prints its error line as rich markup: "[[files]] entry 2" shows as "[] entry 2", a column "[id]" vanishes
# and "[/id]" crashes it. cli/main.py must print rich.markup.escape(str(exc)); until it does, these cases fail (strict:
# once it does, remove this marking).
EXIT_SOURCE_ERROR = 2  # README "Loading your own data": a file that cannot be read stops the load with exit code 2
GOOD_CUSTOMERS = "customer_id,sign_up_date\nC1,2024-01-10\nC2,2024-02-20\n"


def expectation(case: str) -> dict:
    return tomllib.loads((CORPUS / case / "expect.toml").read_text(encoding="utf-8"))


def cli(data_dir: Path, *args: str) -> Result:
    env = {"CUSTOMER_INSIGHT_DATA_DIR": str(data_dir), "COLUMNS": "400", "CUSTOMER_INSIGHT_WAREHOUSE_URL": None,
           "CUSTOMER_INSIGHT_LLM_URL": None, "CUSTOMER_INSIGHT_APP_DB_URL": None}
    return CliRunner().invoke(main, list(args), env=env)


def load(case: str, data_dir: Path) -> Result:
    spec = expectation(case)
    if "mapping" in spec:
        return cli(data_dir, "load", "--mapping", str(CORPUS / case / spec["mapping"]))
    if (CORPUS / case / "source").is_dir():
        return cli(data_dir, "load", "--source", str(CORPUS / case / "source"))
    mapping = next((CORPUS / case).rglob("mapping.toml"))
    return cli(data_dir, "load", "--mapping", str(mapping))


def flat(text: str) -> str:
    """Output with runs of whitespace as one space: a long line the console wrapped still matches."""
    return " ".join(text.split())


def assert_no_traceback(result: Result) -> None:
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exc_info
    assert "Traceback" not in result.output + result.stderr


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def loads(tmp_path_factory) -> Callable[[str], tuple[Path, Result]]:
    """Load a case once per module (the export test reuses the formula case's warehouse)."""
    done: dict[str, tuple[Path, Result]] = {}

    def run(case: str) -> tuple[Path, Result]:
        if case not in done:
            data = tmp_path_factory.mktemp(case)
            done[case] = (data, load(case, data))
        return done[case]

    return run


@pytest.fixture(scope="module")
def in_service(tmp_path_factory) -> Path:
    """A data folder with a warehouse in service, which no failed load may change."""
    source = tmp_path_factory.mktemp("good") / "source"
    source.mkdir()
    (source / "customers.csv").write_text(GOOD_CUSTOMERS)
    data = tmp_path_factory.mktemp("in-service")
    result = cli(data, "load", "--source", str(source))
    assert result.exit_code == 0, result.output
    return data


def test_the_corpus_covers_every_category():
    assert len(CASES) >= 45
    assert len(ERROR_CASES) >= 20 and len(LOADED_CASES) >= 20
    # every case folder has its expectation (a folder without one would silently not be tested)
    folders = sorted(p.name for p in CORPUS.iterdir() if p.is_dir() and p.name != "__pycache__")
    assert folders == CASES


@pytest.mark.parametrize("case", ERROR_CASES)
def test_unreadable_input_stops_the_load_with_one_clear_error(case, in_service):
    spec = expectation(case)["error"]
    warehouse = in_service / "warehouse.duckdb"
    before = digest(warehouse)
    result = load(case, in_service)
    assert_no_traceback(result)
    assert result.exit_code == EXIT_SOURCE_ERROR, result.output
    output = flat(result.output)
    assert f"{spec['where']}: " in output  # the message starts with the file (or folder) it is about
    assert spec["message"] in output
    assert [line for line in result.output.splitlines() if line.startswith("error ")] == \
        [result.output.splitlines()[0]]  # one error, first
    assert "The warehouse in service was not changed." in output
    assert digest(warehouse) == before
    assert list(in_service.glob("warehouse.duckdb.building*")) == []


@pytest.mark.parametrize("case", LOADED_CASES)
def test_bad_rows_are_quarantined_with_their_reason(case, loads):
    spec = expectation(case)
    data, result = loads(case)
    assert_no_traceback(result)
    assert result.exit_code == 0, result.output
    with duckdb.connect(str(data / "warehouse.duckdb"), read_only=True) as con:
        report = {row[0]: row[1:] for row in con.execute(
            "select source_file, entity, rows_read, rows_loaded, rows_quarantined from load_report").fetchall()}
        quarantine = {(row[0], row[1]): row[2:] for row in con.execute(
            "select source_file, source_row, column_name, reason, record from quarantine").fetchall()}
        # what the warehouse holds, counted apart from the report: rows read = loaded + quarantined per file
        for name, (entity, read, loaded, quarantined) in report.items():
            in_raw = con.execute(f"select count(*) from raw_{entity} where _source_file = ?", [name]).fetchone()[0]
            assert (in_raw, sum(1 for f, _ in quarantine if f == name)) == (loaded, quarantined), name
            assert read == loaded + quarantined, name
        values = [(v, con.execute(f'select "{v["column"]}" from {v["table"]} where '
                                  + " and ".join(f'"{k}" = ?' for k in v["where"]),
                                  list(v["where"].values())).fetchall()) for v in spec.get("value", [])]

    assert {name: counts[1:] for name, counts in report.items()} == {
        f["file"]: (f["read"], f["loaded"], f["quarantined"]) for f in spec["files"]}
    expected = {(q["file"], q["row"]): q for q in spec.get("quarantine", [])}
    assert sorted(quarantine) == sorted(expected)
    output = flat(result.output)
    for key, want in expected.items():
        column, reason, record = quarantine[key]
        assert (column or "") == want["column"], key
        assert reason.startswith(want["reason"]), (key, reason)
        if "record" in want:
            original = " ".join(str(v) for v in json.loads(record).values())
            assert want["record"] in original, (key, record[:200])
        # the printed load report lists the row with its reason
        assert flat(f"quarantined {key[0]} row {key[1]}: {want['reason']}") in output, key
    for want, rows in values:
        assert len(rows) == 1, want
        got = rows[0][0]
        if want.get("is_null"):
            assert got is None, want
        elif isinstance(want["equals"], float):
            assert math.isclose(got, want["equals"], rel_tol=1e-12), (want, got)
        else:
            assert got == want["equals"], (want, got)


# Formula-looking cells of the formula_cells case as the interactions export must write them (by hand): in CSV with a
# leading quote, so that a spreadsheet shows the text instead of running it; in Excel as the text itself, in a string
# cell (docs/exports.md).
FORMULA_ROWS = {
    # interaction_id: (customer_name, interaction_type, agent_id, interaction_notes) as stored
    "I1": ("=cmd|' /C calc'!A0", "call", "A1", '=HYPERLINK("http://evil.example/","click")'),
    "I2": ("+SUM(1)", "call", "@SUM(A1)", "=1+2"),
    "I3": ("-2+3", "+call", "A3", "-5"),
    "I4": ("Plain name", "call", "A4", "fine"),
}
TEXT_COLUMNS = ("customer_name", "interaction_type", "agent_id", "interaction_notes")


def _csv_text(value: str) -> str:
    return "'" + value if value[:1] in ("=", "+", "-", "@") else value


def test_exports_write_formula_looking_cells_as_text(loads, tmp_path):
    data, result = loads("formula_cells")
    assert result.exit_code == 0, result.output
    period = ("--from", "2024-01-01", "--to", "2024-12-31")
    exported = cli(data, "export", "--dataset", "interactions", *period, "--out", str(tmp_path / "i.csv"))
    assert exported.exit_code == 0, exported.output + exported.stderr
    rows = {r["interaction_id"]: r for r in csv.DictReader(io.StringIO(
        (tmp_path / "i.csv").read_bytes().decode("utf-8-sig")))}
    assert sorted(rows) == sorted(FORMULA_ROWS)
    for interaction, values in FORMULA_ROWS.items():
        assert tuple(rows[interaction][c] for c in TEXT_COLUMNS) == tuple(_csv_text(v) for v in values)
    assert rows["I1"]["customer_name"] == "'=cmd|' /C calc'!A0"

    exported = cli(data, "export", "--dataset", "interactions", *period, "--out", str(tmp_path / "i.xlsx"))
    assert exported.exit_code == 0, exported.output + exported.stderr
    sheet = openpyxl.load_workbook(tmp_path / "i.xlsx")["Interactions"]
    cells = list(sheet.iter_rows())
    header = [c.value for c in cells[0]]
    assert not [c.coordinate for row in cells for c in row if c.data_type == "f"]  # no formula anywhere
    by_id = {row[header.index("interaction_id")].value: row for row in cells[1:]}
    assert sorted(by_id) == sorted(FORMULA_ROWS)
    for interaction, values in FORMULA_ROWS.items():
        row = by_id[interaction]
        got = [row[header.index(c)] for c in TEXT_COLUMNS]
        assert [c.value for c in got] == list(values), interaction
        assert {c.data_type for c in got} == {"s"}, interaction


def test_the_printed_report_lists_the_first_quarantined_rows_of_each_file():
    report = LoadReport("L1", "src")
    report.files.append(FileCounts("reviews.csv", "reviews", 30, 5, 25))
    report.add_quarantine(pd.DataFrame({"source_file": "reviews.csv", "source_row": range(1, 26),
                                        "reason": [f"column review_rating: outside 1-5: [{i}]" for i in range(25)]}))
    out = io.StringIO()
    report.print(Console(file=out, width=200))
    lines = [line for line in out.getvalue().splitlines() if line.startswith("quarantined")]
    assert len(lines) == 21  # 20 rows, then how many more
    assert lines[0] == "quarantined reviews.csv row 1: column review_rating: outside 1-5: [0]"  # [0] is not markup
    assert lines[19] == "quarantined reviews.csv row 20: column review_rating: outside 1-5: [19]"
    assert lines[20] == "quarantined reviews.csv: 5 more rows, all in the warehouse table quarantine"
