"""Read source files (JSON array, JSON lines, CSV, Parquet) into DataFrames of raw values.

Readers do not validate or convert values: they return what the file holds, one row per record, with a
`_source_row` column (1-based record number; for CSV the header is not counted). A file that cannot be
parsed at all raises SourceError naming the file and where it broke.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from etl.sources.errors import SourceError

ROW_COLUMN = "_source_row"
# Set on rows whose record was not a JSON object, or whose bytes were not valid UTF-8; the validator
# quarantines them with this reason.
ROW_PROBLEM_COLUMN = "_row_problem"


def read_source(path: Path, csv_delimiter: str = ",", encoding: str = "utf-8") -> pd.DataFrame:
    """Read one source file by its extension."""
    suffix = path.suffix.lower()
    if not path.exists():
        raise SourceError(path, "file not found")
    if path.stat().st_size == 0:
        raise SourceError(path, "file is empty")
    if suffix in (".json", ".jsonl", ".ndjson"):
        frame = _read_json(path)
    elif suffix in (".csv", ".tsv", ".txt"):
        frame = _read_csv(path, "\t" if suffix == ".tsv" else csv_delimiter, encoding)
    elif suffix == ".parquet":
        frame = _read_parquet(path)
    else:
        raise SourceError(path, f"unsupported file type '{suffix}' (use .json, .jsonl, .csv or .parquet)")
    frame.insert(0, ROW_COLUMN, range(1, len(frame) + 1))
    if ROW_PROBLEM_COLUMN not in frame.columns:
        frame[ROW_PROBLEM_COLUMN] = None
    return frame


def _read_json(path: Path) -> pd.DataFrame:
    raw = path.read_bytes()
    text, bad_utf8 = _decode(raw)
    stripped = text.lstrip("\ufeff \t\r\n")
    if not stripped:
        raise SourceError(path, "file is empty")
    if stripped[0] == "[":
        try:
            records = json.loads(stripped)
        except json.JSONDecodeError as exc:
            raise SourceError(path, f"invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}") from exc
    else:
        records = []
        for lineno, line in enumerate(stripped.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                records.append(json.loads(line))
            except json.JSONDecodeError as exc:
                raise SourceError(path, f"invalid JSON on line {lineno}, column {exc.colno}: {exc.msg}") from exc
    if not isinstance(records, list):
        raise SourceError(path, "expected a JSON array of records or one JSON object per line")
    problems = [None if isinstance(r, dict) else f"record is a JSON {type(r).__name__}, not an object"
                for r in records]
    frame = pd.DataFrame.from_records([r if isinstance(r, dict) else {} for r in records])
    frame = frame.astype(object).where(frame.notna(), None) if len(frame.columns) else frame
    if any(problems):
        frame[ROW_PROBLEM_COLUMN] = problems
    if bad_utf8:
        _flag_surrogates(frame)
    return frame


def _read_csv(path: Path, delimiter: str, encoding: str) -> pd.DataFrame:
    """CSV with every column read as text; the validator converts types and reports bad values."""
    with path.open("r", encoding=encoding, errors="replace", newline="") as fh:
        header = next(csv.reader(fh, delimiter=delimiter), None)
    if not header or all(not h.strip() for h in header):
        raise SourceError(path, "CSV file has no header row")
    header = [h.lstrip("\ufeff").strip() for h in header]
    duplicates = sorted({h for h in header if header.count(h) > 1})
    if duplicates:
        raise SourceError(path, f"CSV header repeats column(s) {', '.join(duplicates)}")
    if encoding.lower().replace("_", "-") in ("utf-8", "utf8", "utf-8-sig"):
        try:
            table = pacsv.read_csv(
                path,
                read_options=pacsv.ReadOptions(column_names=header, skip_rows=1),
                parse_options=pacsv.ParseOptions(delimiter=delimiter, newlines_in_values=True),
                convert_options=pacsv.ConvertOptions(
                    column_types={h: pa.string() for h in header}, strings_can_be_null=True
                ),
            )
            return table.to_pandas(types_mapper=None).astype(object).where(lambda f: f.notna(), None)
        except pa.ArrowInvalid:
            # Invalid UTF-8 or a row with the wrong number of fields somewhere: fall back to the slower
            # reader that keeps every good row and marks the bad ones for quarantine.
            pass
    try:
        return _read_csv_python(path, header, delimiter, encoding)
    except csv.Error as exc:
        raise SourceError(path, f"cannot parse CSV: {exc}") from exc


def _read_csv_python(path: Path, header: list[str], delimiter: str, encoding: str) -> pd.DataFrame:
    text, bad_utf8 = _decode(path.read_bytes(), encoding)
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    next(reader, None)
    rows, problems = [], []
    for record in reader:
        if not record:
            continue
        problem = None
        if len(record) != len(header):
            problem = f"has {len(record)} fields, the header has {len(header)}"
            record = (record + [None] * len(header))[: len(header)]
        rows.append([v if v != "" else None for v in record])
        problems.append(problem)
    frame = pd.DataFrame(rows, columns=header, dtype=object)
    frame[ROW_PROBLEM_COLUMN] = problems
    if bad_utf8:
        _flag_surrogates(frame)
    return frame


def _read_parquet(path: Path) -> pd.DataFrame:
    try:
        table = pq.read_table(path)
    except (pa.ArrowException, OSError) as exc:
        raise SourceError(path, f"cannot read Parquet: {exc}") from exc
    return table.to_pandas()


def _decode(raw: bytes, encoding: str = "utf-8") -> tuple[str, bool]:
    """Decode, keeping undecodable bytes as surrogates so that the rows holding them can be quarantined."""
    try:
        return raw.decode(encoding).lstrip("\ufeff"), False
    except UnicodeDecodeError:
        return raw.decode(encoding, errors="surrogateescape").lstrip("\ufeff"), True


def _flag_surrogates(frame: pd.DataFrame) -> None:
    """Mark rows with undecodable bytes and name the first such column. The bytes are kept visible as
    \\xNN escapes so that the quarantined record shows exactly what the file held."""
    problems = list(frame[ROW_PROBLEM_COLUMN]) if ROW_PROBLEM_COLUMN in frame else [None] * len(frame)
    for column in frame.columns:
        if column == ROW_PROBLEM_COLUMN:
            continue
        values = list(frame[column])
        for i, value in enumerate(values):
            if isinstance(value, str) and _has_surrogate(value):
                if problems[i] is None:
                    problems[i] = f"column {column}: bytes that are not valid UTF-8"
                values[i] = value.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
        frame[column] = pd.Series(values, index=frame.index, dtype=object)
    frame[ROW_PROBLEM_COLUMN] = problems


def _has_surrogate(value: str) -> bool:
    return any("\udc80" <= ch <= "\udcff" for ch in value)
