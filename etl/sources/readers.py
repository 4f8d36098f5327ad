"""Read source files (JSON array, JSON lines, CSV, Parquet) into DataFrames of raw values.

Readers do not validate or convert values: they return what the file holds, one row per record, with a
`_source_row` column (1-based record number; for CSV the header is not counted). A file that cannot be
parsed at all raises SourceError naming the file and where it broke. A record that can be told apart from the
others but not read (a JSON line that is not JSON, a CSV row with the wrong number of fields, bytes that are not
UTF-8) is kept with a problem text, for the validator to quarantine. Files that start with a UTF-16 or UTF-32 byte
order mark are decoded as such (spreadsheet programs save "Unicode text" that way).
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
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
# The text of a record the reader could not split into columns (a JSON line that is not JSON, a JSON value that is
# not an object, a CSV row with the wrong number of fields), so that its quarantined record shows what the file held.
RAW_COLUMN = "_raw"
# Python's csv module refuses fields over 128 KiB by default; the validator quarantines overlong texts with a
# reason, so the reader must not reject the whole file first.
csv.field_size_limit(1 << 30)
_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
         (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
# CSV has no types: an empty cell and the usual missing-value markers (NA, N/A, NULL, NaN, #N/A ...) are missing
# values, in both CSV readers (Arrow's default list), so that a row's fate does not depend on which reader ran.
CSV_NULLS = frozenset(pacsv.ConvertOptions().null_values)
_JSON_TYPES = {list: "array", str: "string", bool: "boolean", int: "number", float: "number", type(None): "null"}


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
    encoding = json.detect_encoding(raw[:4])
    if encoding in ("utf-8", "utf-8-sig"):
        text, bad_utf8 = _decode(raw)
    else:  # UTF-16/32, as json.loads itself detects them
        try:
            text, bad_utf8 = raw.decode(encoding).lstrip("\ufeff"), False
        except UnicodeDecodeError as exc:
            raise SourceError(path, f"looks like {encoding.upper()} but is not valid {encoding.upper()} "
                                    f"(byte {exc.start}): save it as UTF-8") from exc
    stripped = text.lstrip("\ufeff \t\r\n")
    if not stripped:
        raise SourceError(path, "file is empty")
    # NaN and Infinity are not JSON: kept as the text they are, so that the validator names them ("not a number")
    # instead of taking NaN for a missing value.
    if stripped[0] == "[":
        try:
            records = json.loads(stripped, parse_constant=str)
        except json.JSONDecodeError as exc:
            raise SourceError(path, f"invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}") from exc
        problems = [_record_problem(r) for r in records] if isinstance(records, list) else []
    else:
        records, problems = _json_lines(path, stripped)
    if not isinstance(records, list):
        raise SourceError(path, "expected a JSON array of records or one JSON object per line")
    # Python objects, not Arrow strings: a text holding undecodable bytes (surrogates) could not be converted
    frame = pd.DataFrame([r if isinstance(r, dict) else {RAW_COLUMN: json.dumps(r)} for r in records], dtype=object)
    frame = frame.where(frame.notna(), None) if len(frame.columns) else frame
    if any(problems):
        frame[ROW_PROBLEM_COLUMN] = problems
    if bad_utf8:
        _flag_surrogates(frame)
    return frame


def _json_lines(path: Path, text: str) -> tuple[list, list[str | None]]:
    """One JSON value per line. A line that is not JSON is a record with a problem (it is quarantined, the others
    load), unless no line at all is JSON: then the file is not JSON lines and that is the error."""
    if text[0] == "{":
        try:  # the whole file may be one (pretty-printed) object
            whole = json.loads(text, parse_constant=str)
        except json.JSONDecodeError:
            pass
        else:
            _refuse_wrapper(path, whole)
            return [whole], [None]
    records: list = []
    problems: list[str | None] = []
    first_error: json.JSONDecodeError | None = None
    for lineno, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line, parse_constant=str)
        except json.JSONDecodeError as exc:
            first_error = first_error or exc
            records.append({RAW_COLUMN: line})
            problems.append(f"invalid JSON on line {lineno}, column {exc.colno}: {exc.msg}")
            continue
        records.append(record)
        problems.append(_record_problem(record))
    if first_error is not None and all(p is not None and p.startswith("invalid JSON") for p in problems):
        raise SourceError(path, f"{problems[0]} (expected a JSON array of records or one JSON object per line)")
    return records, problems


def _refuse_wrapper(path: Path, document: dict) -> None:
    """{"customers": [...]}: a common export shape that is not a record; say what to do instead of loading it as
    one record without any of the contract's columns."""
    for key, value in document.items():
        if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            raise SourceError(path, f"the file is one JSON object whose key {key!r} holds a list of records: "
                                    "save the list itself (a JSON array of records) or one object per line")


def _record_problem(record: object) -> str | None:
    if isinstance(record, dict):
        return None
    return f"record is a JSON {_JSON_TYPES.get(type(record), type(record).__name__)}, not an object"


def _read_csv(path: Path, delimiter: str, encoding: str) -> pd.DataFrame:
    """CSV with every column read as text; the validator converts types and reports bad values."""
    utf8 = encoding.lower().replace("_", "-") in ("utf-8", "utf8", "utf-8-sig")
    if utf8:
        encoding = _bom_encoding(path) or encoding
        utf8 = not encoding.startswith("utf-16") and not encoding.startswith("utf-32")
    with path.open("r", encoding=encoding, errors="replace", newline="") as fh:
        header = next(csv.reader(fh, delimiter=delimiter), None)
    if not header or all(not h.strip() for h in header):
        raise SourceError(path, "CSV file has no header row")
    if any("\x00" in h for h in header):
        raise SourceError(path, "the header row holds NUL bytes: the file is probably UTF-16 without a byte order "
                                "mark; save it as UTF-8 (or give encoding = \"utf-16-le\" in a mapping file)")
    header = [h.lstrip("\ufeff").strip() for h in header]
    duplicates = sorted({h for h in header if header.count(h) > 1})
    if duplicates:
        raise SourceError(path, f"CSV header repeats column(s) {', '.join(duplicates)}")
    if utf8:
        try:
            table = pacsv.read_csv(
                path,
                read_options=pacsv.ReadOptions(column_names=header, skip_rows=1),
                parse_options=pacsv.ParseOptions(delimiter=delimiter, newlines_in_values=True),
                convert_options=pacsv.ConvertOptions(
                    column_types={h: pa.string() for h in header}, strings_can_be_null=True
                ),
            )
            frame = table.to_pandas(types_mapper=None).astype(object).where(lambda f: f.notna(), None)
            if not len(frame) or not _ends_in_multiline_value(list(frame.iloc[-1])):
                return frame
            # The last value spans lines: maybe a quote that is never closed swallowed the rest of the file. The
            # slower reader below can tell, and says so instead of losing those rows inside one value.
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
    rows, problems, raws = [], [], []
    last_start, line = 0, reader.line_num
    for record in reader:
        start, line = line, reader.line_num
        if not record:
            continue
        last_start = start
        problem = raw = None
        if len(record) != len(header):
            problem = f"has {len(record)} fields, the header has {len(header)}"
            raw = delimiter.join(record)
            record = (record + [None] * len(header))[: len(header)]
        rows.append([None if v in CSV_NULLS else v for v in record])
        problems.append(problem)
        raws.append(raw)
    if rows and _ends_in_multiline_value(rows[-1]) and _quote_never_closed(text, last_start, delimiter):
        raise SourceError(path, f"row {len(rows)} (line {last_start + 1}): a quoted value is never closed "
                                "(unbalanced quote), so the rest of the file would be read as that one value")
    frame = pd.DataFrame(rows, columns=header, dtype=object)
    frame[ROW_PROBLEM_COLUMN] = problems
    if any(raws):
        frame[RAW_COLUMN] = pd.Series(raws, index=frame.index, dtype=object)  # may hold undecodable bytes
    if bad_utf8:
        _flag_surrogates(frame)
    return frame


def _read_parquet(path: Path) -> pd.DataFrame:
    try:
        table = pq.read_table(path)
    except (pa.ArrowException, OSError) as exc:
        raise SourceError(path, f"cannot read Parquet: {exc}") from exc
    return table.to_pandas()


def _ends_in_multiline_value(values: list) -> bool:
    present = [v for v in values if v is not None]
    return bool(present) and isinstance(present[-1], str) and ("\n" in present[-1] or "\r" in present[-1])


def _quote_never_closed(text: str, start_line: int, delimiter: str) -> bool:
    """Whether the record starting after `start_line` lines runs to the end of the file inside quotes (only the last
    record can: an unclosed quote takes everything after it)."""
    tail = "".join(itertools.islice(io.StringIO(text), start_line, None))
    try:
        for _record in csv.reader(io.StringIO(tail), delimiter=delimiter, strict=True):
            pass
    except csv.Error as exc:
        return "unexpected end of data" in str(exc)
    return False


def _bom_encoding(path: Path) -> str | None:
    with path.open("rb") as fh:
        start = fh.read(4)
    return next((name for bom, name in _BOMS if start.startswith(bom)), None)


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
                values[i] = _escaped(value)
        frame[column] = pd.Series(values, index=frame.index, dtype=object)
    frame[ROW_PROBLEM_COLUMN] = problems
    # a JSON key with such bytes: its column name shown the same way (it may end up in a message or attributes)
    frame.columns = [_escaped(c) if isinstance(c, str) and _has_surrogate(c) else c for c in frame.columns]


def _escaped(value: str) -> str:
    return value.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def _has_surrogate(value: str) -> bool:
    return any("\udc80" <= ch <= "\udcff" for ch in value)
