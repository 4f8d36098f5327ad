"""Validate raw rows against the source contract: typed rows to load, bad rows to quarantine.

Every row read ends up in exactly one of the two outputs, so rows read = loaded + quarantined holds per
file by construction (and is checked again by the load report). A row's first problem is its reason,
phrased with the column and the offending value, e.g. "column review_rating: 6 is outside 1-5".
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

import numpy as np
import pandas as pd

from etl.sources.contract import DATE, INTEGER, NUMBER, STRING, TEXT, TIMESTAMP, Entity
from etl.sources.errors import SourceError
from etl.sources.readers import RAW_COLUMN, ROW_COLUMN, ROW_PROBLEM_COLUMN

ATTRIBUTES_COLUMN = "attributes"
SOURCE_FILE_COLUMN = "_source_file"
QUARANTINE_COLUMNS = ["source_file", "entity", "source_row", "column_name", "reason", "record"]
EARLIEST_DATE = pd.Timestamp("1970-01-01")
# Column names accepted for a contract column (case-insensitive), besides the column's own name.
ALIASES = {"segment": ("plan",)}
MAX_TEXT_CHARS = 100_000    # free texts (notes, reviews, ticket descriptions)
MAX_STRING_CHARS = 1_000    # ids, names, categories: longer is a broken export, not a name
# Numbers (money, counts) of 1e12 or more in absolute value are not plausible in any column of the contract; they
# also could not be stored as whole numbers without losing digits. Raise it here if a currency needs it.
MAX_ABS_NUMBER = 1e12


@dataclass
class ValidatedFile:
    rows: pd.DataFrame        # contract columns typed, plus attributes, _source_file, _source_row
    quarantine: pd.DataFrame  # QUARANTINE_COLUMNS
    rows_read: int


def validate(
    frame: pd.DataFrame,
    entity: Entity,
    source_label: str,
    *,
    date_format: str | None = None,
    customer_ids: pd.Index | None = None,
    user_ids: pd.Index | None = None,
    seen_ids: pd.Index | pd.Series | None = None,
    now: datetime | None = None,
) -> ValidatedFile:
    """Check one file's rows. customer_ids/user_ids: ids already loaded, for the orphan check;
    seen_ids: ids of this entity loaded from earlier files, for duplicates across files (a Series: the file of
    each id, indexed by id, so that the reason names it)."""
    frame = _match_column_names(frame, entity)
    missing = [c for c in entity.required if c not in frame.columns]
    # A JSON file with no records ([]), or whose records are all quarantined already (not objects, not JSON), has no
    # columns to check: its rows are reported one by one instead.
    data_columns = [c for c in frame.columns if not str(c).startswith("_")]
    no_columns = not data_columns and frame[ROW_PROBLEM_COLUMN].notna().all()
    if missing and not no_columns:
        found = ", ".join(c for c in frame.columns if not c.startswith("_")) or "none"
        raise SourceError(
            source_label,
            f"missing required column(s) {', '.join(missing)} for {entity.name} (columns found: {found})"
            + _separator_hint(data_columns),
        )
    reasons = _Reasons(frame[ROW_PROBLEM_COLUMN])
    latest = pd.Timestamp(now or datetime.now()) + pd.Timedelta(days=1)
    typed: dict[str, pd.Series] = {}
    for column in entity.columns:
        if column.name not in frame.columns:
            continue
        values, problems = _parse(frame[column.name], column.kind, date_format, latest)
        reasons.add_problems(problems, column.name, frame[column.name])
        if column.required:
            reasons.add(values.isna() & reasons.ok, f"column {column.name}: missing required value", None)
        typed[column.name] = values
    _check_entity_rules(entity, typed, reasons, frame)
    if entity.id_column and entity.id_column in typed:
        _check_duplicates(entity.id_column, typed[entity.id_column], frame[ROW_COLUMN], reasons)
        if seen_ids is not None and len(seen_ids):
            ids = typed[entity.id_column]
            if isinstance(seen_ids, pd.Series):
                earlier = ids.map(seen_ids.groupby(level=0).first())
                found = earlier.notna() & reasons.ok
                messages = pd.Series(None, index=ids.index, dtype=object)
                messages[found] = [f"column {entity.id_column}: duplicate of an id in {f}: {_show(i)}"
                                   for i, f in zip(ids[found], earlier[found], strict=True)]
                reasons.add_messages(found, messages)
            else:
                reasons.add(ids.isin(seen_ids), f"column {entity.id_column}: duplicate of an id in an earlier file: ",
                            ids)
    if customer_ids is not None and entity.customer_column in typed:
        ids = typed[entity.customer_column]
        reasons.add(ids.notna() & ~ids.isin(customer_ids), "column customer_id: unknown customer ", ids)
    if user_ids is not None and entity.name == "usage_events" and "user_id" in typed:
        ids = typed["user_id"]
        reasons.add(ids.notna() & ~ids.isin(user_ids), "column user_id: unknown user ", ids)

    ok = reasons.ok
    rows = pd.DataFrame(index=frame.index[ok])
    for column in entity.columns:
        rows[column.name] = _empty(column.kind, rows.index)
    for name, values in typed.items():
        rows[name] = values[ok]
    if entity.id_column and entity.id_column not in typed:
        # Facts without an id column get a stable one from the file and row, so they can be referenced.
        stem = source_label.rsplit("/", 1)[-1].rsplit(".", 1)[0]
        rows[entity.id_column] = stem + "-" + frame.loc[ok, ROW_COLUMN].astype(str)
    if entity.name == "usage_events":
        rows["events_count"] = rows["events_count"].fillna(1).astype("int64")
    rows[ATTRIBUTES_COLUMN] = _attributes(frame.loc[ok], entity)
    rows[SOURCE_FILE_COLUMN] = source_label
    rows[ROW_COLUMN] = frame.loc[ok, ROW_COLUMN].astype("int64")
    return ValidatedFile(rows.reset_index(drop=True), reasons.quarantine(frame, entity, source_label), len(frame))


class _Reasons:
    """The first problem found for each row (None while the row is fine)."""

    def __init__(self, initial: pd.Series) -> None:
        self.reason = initial.astype(object).where(initial.notna(), None)

    @property
    def ok(self) -> pd.Series:
        return self.reason.isna()

    def add(self, mask: pd.Series, prefix: str, values: pd.Series | None) -> None:
        mask = mask.fillna(False).astype(bool) & self.ok
        if not mask.any():
            return
        if values is None:
            self.reason[mask] = prefix
        else:
            self.reason[mask] = [prefix + _show(v) for v in values[mask]]

    def add_problems(self, problems: pd.Series, column: str, values: pd.Series) -> None:
        """Per-row problem texts of one column, shown with the offending value (except overlong texts)."""
        mask = problems.notna() & self.ok
        if not mask.any():
            return
        self.reason[mask] = [
            f"column {column}: {problem}" if problem.startswith("text longer") else
            f"column {column}: {problem}: {_show(value)}"
            for problem, value in zip(problems[mask], values[mask], strict=True)
        ]

    def add_messages(self, mask: pd.Series, messages: pd.Series) -> None:
        mask = mask.fillna(False).astype(bool) & self.ok
        self.reason[mask] = messages[mask]

    def quarantine(self, frame: pd.DataFrame, entity: Entity, source_label: str) -> pd.DataFrame:
        bad = ~self.ok
        if not bad.any():
            return pd.DataFrame(columns=QUARANTINE_COLUMNS)
        reasons = self.reason[bad]
        originals = frame.loc[bad].drop(columns=[ROW_COLUMN, ROW_PROBLEM_COLUMN])
        return pd.DataFrame({
            "source_file": source_label,
            "entity": entity.name,
            "source_row": frame.loc[bad, ROW_COLUMN].astype("int64").to_numpy(),
            "column_name": [_column_of(r) for r in reasons],
            "reason": reasons.to_numpy(),
            "record": [_record_json(r) for r in originals.to_dict("records")],
        })


def _parse(raw: pd.Series, kind: str, date_format: str | None, latest: pd.Timestamp) -> tuple[pd.Series, pd.Series]:
    """Typed values and a Series of problem texts (None where the value is fine or absent)."""
    present = raw.notna()
    if kind in (STRING, TEXT):
        nested = _values_of_types(raw, (dict, list, tuple, np.ndarray))  # JSON objects/arrays, Parquet lists
        values = raw.astype("string").str.strip()
        values = values.where(values != "", None)
        problems = pd.Series(None, index=raw.index, dtype=object)
        limit = MAX_TEXT_CHARS if kind == TEXT else MAX_STRING_CHARS
        problems[(values.str.len() > limit).fillna(False)] = f"text longer than {limit:,} characters"
        # A NUL character is no text anyone typed (a binary or UTF-16 file), and PostgreSQL cannot store it.
        problems[values.str.contains("\x00", regex=False).fillna(False)] = "contains a NUL character"
        problems[nested] = "a list or object, not a single value"
        # Kept as Arrow-backed strings: Python str objects would cost several GB at 10M rows.
        return values, problems
    if kind in (INTEGER, NUMBER):
        # true/false are not numbers, though pandas would read them as 1 and 0
        booleans = _values_of_types(raw, (bool, np.bool_))
        source = raw.astype(object).where(~booleans, None) if booleans.any() else raw
        # text columns (object, or the str dtype of a Parquet string column) are parsed; numeric ones converted
        numeric = pd.api.types.is_numeric_dtype(source) and source.dtype != object
        numbers = source.astype("float64") if numeric else pd.to_numeric(source, errors="coerce")
        numbers = numbers.astype("float64")
        problems = pd.Series(None, index=raw.index, dtype=object)
        problems[present & numbers.isna()] = "not a number"
        problems[present & (numbers.abs() >= MAX_ABS_NUMBER)] = f"too large (±{MAX_ABS_NUMBER:,.0f} or more)"
        problems[present & np.isinf(numbers)] = "not a finite number"
        if kind == INTEGER:
            fractional = present & numbers.notna() & (numbers % 1 != 0)
            problems[fractional & problems.isna()] = "not a whole number"
            good = numbers.where(problems.isna())
            return good.astype("Int64"), problems
        return numbers.where(problems.isna()), problems
    # Dates and timestamps
    if pd.api.types.is_datetime64_any_dtype(raw):
        stamps = raw.dt.tz_convert(None) if getattr(raw.dt, "tz", None) is not None else raw
        stamps = stamps.astype("datetime64[us]")
    else:
        text = raw.astype("string").str.strip()
        stamps = pd.to_datetime(text, format=date_format or "ISO8601", errors="coerce", utc=True)
        stamps = stamps.dt.tz_convert(None).astype("datetime64[us]")
    problems = pd.Series(None, index=raw.index, dtype=object)
    expected = f"does not match date format {date_format!r}" if date_format else "not an ISO 8601 date"
    problems[present & stamps.isna()] = expected
    problems[stamps < EARLIEST_DATE] = "date before 1970"
    problems[stamps > latest] = "date in the future"
    stamps = stamps.where(problems.isna())
    if kind == DATE:
        stamps = stamps.dt.normalize()
    return stamps, problems


def _separator_hint(columns: list) -> str:
    """One column whose name holds ; | or a tab: the file is separated by that, not by commas."""
    if len(columns) != 1:
        return ""
    separator = next((c for c in (";", "\t", "|") if c in str(columns[0])), None)
    if separator is None:
        return ""
    return f"; the header looks separated by {separator!r}: give delimiter = {separator!r} in a mapping file"


def _values_of_types(raw: pd.Series, types: tuple[type, ...]) -> pd.Series:
    """Which values are of these Python types. CSV columns are all text: inferred in C, not checked one by one."""
    if pd.api.types.is_bool_dtype(raw) and bool in types:
        return raw.notna()
    if raw.dtype != object or pd.api.types.infer_dtype(raw, skipna=True) in ("string", "empty"):
        return pd.Series(False, index=raw.index)
    return raw.map(lambda v: isinstance(v, types)).astype(bool)


def _check_entity_rules(entity: Entity, typed: dict[str, pd.Series], reasons: _Reasons, frame: pd.DataFrame) -> None:
    if "review_rating" in typed:
        rating = typed["review_rating"]
        reasons.add((rating < 1) | (rating > 5), "column review_rating: outside 1-5: ", rating)
    if "lifetime_value" in typed:
        reasons.add(typed["lifetime_value"] < 0, "column lifetime_value: negative: ", typed["lifetime_value"])
    if "products_owned" in typed:
        reasons.add(typed["products_owned"] < 0, "column products_owned: negative: ", typed["products_owned"])
    if "events_count" in typed:
        reasons.add(typed["events_count"] < 0, "column events_count: negative: ", typed["events_count"])
    if "resolved_date" in typed and "ticket_date" in typed:
        early = typed["resolved_date"] < typed["ticket_date"]
        reasons.add(early, "column resolved_date: before ticket_date: ", typed["resolved_date"])
    if "join_date" in typed and "last_login_date" in typed:
        pass  # a last login before the join date happens with imported accounts; kept as is


def _check_duplicates(id_column: str, ids: pd.Series, source_rows: pd.Series, reasons: _Reasons) -> None:
    """Keep the first row of each id among the good rows; later ones are quarantined, naming the first."""
    candidates = ids.where(reasons.ok)
    duplicated = candidates.notna() & candidates.duplicated(keep="first")
    if not duplicated.any():
        return
    first_rows = source_rows[candidates.notna() & ~duplicated].groupby(candidates).first()
    messages = [f"column {id_column}: duplicate id {_show(i)} (first seen at row {first_rows[i]})"
                for i in ids[duplicated]]
    reasons.add_messages(duplicated, pd.Series(messages, index=ids.index[duplicated]).reindex(ids.index))


def _match_column_names(frame: pd.DataFrame, entity: Entity) -> pd.DataFrame:
    """Accept contract columns whatever their case or surrounding spaces, and documented aliases."""
    wanted = {c.lower(): c for c in entity.column_names}
    for canonical, aliases in ALIASES.items():
        if canonical in entity.column_names:
            wanted.update({alias: canonical for alias in aliases})
    renames = {}
    for column in frame.columns:
        key = str(column).strip().lower()
        if key in wanted and wanted[key] not in frame.columns and wanted[key] not in renames.values():
            renames[column] = wanted[key]
    return frame.rename(columns=renames)


def _attributes(frame: pd.DataFrame, entity: Entity) -> pd.Series:
    """Columns beyond the contract, kept per row as a JSON object (None when there are none)."""
    internal = (ROW_COLUMN, ROW_PROBLEM_COLUMN, RAW_COLUMN)
    extra = [c for c in frame.columns if c not in entity.column_names and c not in internal]
    if not extra:
        return pd.Series(None, index=frame.index, dtype=object)
    records = frame[extra].to_dict("records")
    return pd.Series([_record_json(r) for r in records], index=frame.index, dtype=object)


def _empty(kind: str, index: pd.Index) -> pd.Series:
    """An all-missing column of the kind's dtype, for optional columns the file does not have."""
    dtypes = {INTEGER: "Int64", NUMBER: "float64", DATE: "datetime64[us]", TIMESTAMP: "datetime64[us]"}
    return pd.Series(None, index=index, dtype=dtypes.get(kind, object))


def _record_json(record: dict) -> str:
    clean = {k: v for k, v in record.items() if not _is_missing(v)}
    return json.dumps(clean, ensure_ascii=False, default=str, sort_keys=True).encode(
        "utf-8", errors="backslashreplace").decode("utf-8")


def _is_missing(value: object) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _show(value: object) -> str:
    if hasattr(value, "isoformat"):
        value = value.isoformat()
    elif hasattr(value, "item"):  # numpy scalar -> plain Python number
        value = value.item()
    text = repr(value)
    text = text.encode("utf-8", errors="backslashreplace").decode("utf-8")
    return text if len(text) <= 80 else text[:77] + "...'"


def _column_of(reason: str) -> str | None:
    return reason.split(":", 1)[0].removeprefix("column ") if reason.startswith("column ") else None
