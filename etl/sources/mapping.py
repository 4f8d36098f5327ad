"""Mapping files: load a company's own exports whose column names differ from the source contract.

A mapping is a TOML file with one [[files]] table per source file:

    [[files]]
    path = "invoices.csv"            # relative to the mapping file, inside its folder
    entity = "orders"                # one of the contract's entities
    date_format = "%d/%m/%Y %H:%M"   # optional strptime format for this file's dates (default: ISO 8601)
    delimiter = ";"                  # optional, CSV only
    encoding = "latin-1"             # optional, CSV only
    [files.columns]                  # contract column = source column
    order_id = "InvoiceNo"
    order_date = "InvoiceDate"
    customer_id = "CustomerID"
    quantity = "Quantity"
    [files.expressions]              # contract column = arithmetic over source columns (+ - * / and numbers)
    amount = "Quantity * UnitPrice"
    [files.constants]                # contract column = the same value for every row
    product_id = "RETAIL"

Source columns not named in the mapping are kept as attributes of the row, never dropped.
"""

from __future__ import annotations

import ast
import codecs
import operator
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from etl.sources.contract import ENTITIES, Entity
from etl.sources.errors import SourceError
from etl.sources.readers import ROW_COLUMN, ROW_PROBLEM_COLUMN

_OPERATORS = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv}


@dataclass(frozen=True)
class FileMapping:
    path: Path
    entity: Entity
    columns: dict[str, str] = field(default_factory=dict)
    expressions: dict[str, str] = field(default_factory=dict)
    constants: dict[str, object] = field(default_factory=dict)
    date_format: str | None = None
    delimiter: str = ","
    encoding: str = "utf-8"


def load_mapping(mapping_file: Path) -> list[FileMapping]:
    """Parse and check a mapping file; errors name the mapping file and the [[files]] entry."""
    try:
        document = tomllib.loads(mapping_file.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise SourceError(mapping_file, "mapping file not found") from exc
    except UnicodeDecodeError as exc:
        raise SourceError(mapping_file, f"not UTF-8 text (byte {exc.start}): save the mapping file as UTF-8") from exc
    except tomllib.TOMLDecodeError as exc:
        raise SourceError(mapping_file, f"invalid TOML: {exc}") from exc
    entries = document.get("files")
    if not isinstance(entries, list) or not entries:
        raise SourceError(mapping_file, "no [[files]] entries")
    mappings = []
    for number, entry in enumerate(entries, start=1):
        where = f"[[files]] entry {number}"
        if not isinstance(entry, dict):
            raise SourceError(mapping_file, f"{where}: not a table of path, entity, ... (write it as [[files]])")
        if not isinstance(entry.get("path"), str):
            raise SourceError(mapping_file, f"{where}: 'path' is missing")
        entity_name = entry.get("entity")
        if entity_name not in ENTITIES:
            raise SourceError(
                mapping_file, f"{where}: unknown entity {entity_name!r} (one of {', '.join(ENTITIES)})"
            )
        entity = ENTITIES[entity_name]
        path = _data_path(mapping_file, where, entry["path"])
        columns = _table(mapping_file, where, entry, "columns", str)
        expressions = _table(mapping_file, where, entry, "expressions", str)
        constants = _table(mapping_file, where, entry, "constants", str | int | float | bool)
        options = _options(mapping_file, where, entry)
        for target in [*columns, *expressions, *constants]:
            if target not in entity.column_names:
                raise SourceError(
                    mapping_file,
                    f"{where}: {target!r} is not a column of {entity.name} "
                    f"(columns: {', '.join(entity.column_names)})",
                )
        for target, expression in expressions.items():
            _parse_expression(mapping_file, where, target, expression)
        if not path.is_file():  # said here, once the entry itself is right, before the load fingerprints the files
            raise SourceError(path, f"file not found (named in {mapping_file.name}, {where})")
        mappings.append(
            FileMapping(path=path, entity=entity, columns=columns, expressions=expressions, constants=constants,
                        **options)
        )
    return mappings


def _data_path(mapping_file: Path, where: str, relative: str) -> Path:
    """The data file, which must be in the mapping file's folder (or below it): a mapping is shared with the files
    it describes, and must not reach other files of the machine it is loaded on."""
    folder = mapping_file.parent.resolve()
    path = (folder / relative).resolve()
    if not path.is_relative_to(folder):
        raise SourceError(mapping_file, f"{where}: path {relative!r} is outside the mapping file's folder "
                                        f"({folder}); put the data file beside the mapping file")
    return path


def _table(mapping_file: Path, where: str, entry: dict, name: str, kind: type | object) -> dict:
    table = entry.get(name, {})
    if not isinstance(table, dict):
        raise SourceError(mapping_file, f"{where}: [files.{name}] must be a table of column = value")
    for target, value in table.items():
        if not isinstance(value, kind):  # type: ignore[arg-type]
            what = "a column name in quotes" if name == "columns" else "text in quotes" if kind is str else "a value"
            raise SourceError(mapping_file, f"{where}: {name}.{target} must be {what}, not {value!r}")
    return dict(table)


def _options(mapping_file: Path, where: str, entry: dict) -> dict[str, str | None]:
    """date_format, delimiter, encoding: checked here, so that a typo is an error naming the mapping entry, not a
    failure in the middle of reading the file."""
    date_format = entry.get("date_format")
    delimiter = entry.get("delimiter", ",")
    encoding = entry.get("encoding", "utf-8")
    if date_format is not None:
        try:
            if not isinstance(date_format, str) or "%" not in date_format:
                raise ValueError("it has no % directive")
            pd.to_datetime(pd.Series(["2024-01-31"]), format=date_format, errors="coerce")
        except ValueError as exc:
            raise SourceError(mapping_file, f"{where}: date_format {date_format!r} is not a strptime format "
                                            f"such as '%d/%m/%Y %H:%M' ({exc})") from exc
    if not isinstance(delimiter, str) or len(delimiter) != 1 or delimiter in ('"', "\n", "\r"):
        raise SourceError(mapping_file, f"{where}: delimiter must be one character such as ';', not {delimiter!r}")
    try:
        codecs.lookup(encoding)
    except (LookupError, TypeError) as exc:
        raise SourceError(mapping_file, f"{where}: unknown encoding {encoding!r} (e.g. 'utf-8', 'latin-1', "
                                        "'cp1252', 'utf-16')") from exc
    return {"date_format": date_format, "delimiter": delimiter, "encoding": encoding}


def apply_mapping(frame: pd.DataFrame, mapping: FileMapping, mapping_file: Path) -> pd.DataFrame:
    """Rename/compute contract columns; unmapped source columns stay, to be kept as attributes."""
    missing = sorted(
        {source for source in mapping.columns.values() if source not in frame.columns}
        | {name for expr in mapping.expressions.values() for name in _names(expr) if name not in frame.columns}
    )
    if missing:
        raise SourceError(
            mapping_file,
            f"{mapping.path.name}: column(s) {', '.join(missing)} named in the mapping do not exist in the file "
            f"(it has: {', '.join(c for c in frame.columns if not c.startswith('_'))})",
        )
    out = frame.copy()
    used = set(mapping.columns.values())
    for target, source in mapping.columns.items():
        out[target] = frame[source]
    for target, expression in mapping.expressions.items():
        values, bad = _evaluate(frame, expression)
        out[target] = values
        problems = out[ROW_PROBLEM_COLUMN].copy()
        first_problem = problems.isna() & bad
        problems[first_problem] = f"column {target}: cannot compute {expression!r} from this row's values"
        out[ROW_PROBLEM_COLUMN] = problems
        used |= set(_names(expression))
    for target, value in mapping.constants.items():
        out[target] = value
    # Source columns consumed by the mapping are not kept twice, unless their name is a contract column.
    drop = [c for c in used if c not in mapping.entity.column_names and c not in (ROW_COLUMN, ROW_PROBLEM_COLUMN)]
    return out.drop(columns=drop)


def _parse_expression(mapping_file: Path, where: str, target: str, expression: str) -> ast.expr:
    try:
        tree = ast.parse(expression, mode="eval").body
    except SyntaxError as exc:
        raise SourceError(mapping_file, f"{where}: expression for {target!r} is not valid: {expression!r}") from exc
    for node in ast.walk(tree):
        allowed = (ast.BinOp, ast.Name, ast.Constant, ast.Load, ast.UnaryOp, ast.USub, *_OPERATORS)
        not_a_number = isinstance(node, ast.Constant) and not isinstance(node.value, int | float)
        if not isinstance(node, allowed) or not_a_number:
            raise SourceError(
                mapping_file,
                f"{where}: expression for {target!r} may only use column names, numbers and + - * /: {expression!r}",
            )
    return tree


def _names(expression: str) -> list[str]:
    return [n.id for n in ast.walk(ast.parse(expression, mode="eval")) if isinstance(n, ast.Name)]


def _evaluate(frame: pd.DataFrame, expression: str) -> tuple[pd.Series, pd.Series]:
    """Evaluate arithmetic over numeric source columns; returns values and a mask of rows that failed."""
    bad = pd.Series(False, index=frame.index)

    def visit(node: ast.expr) -> pd.Series | float:
        nonlocal bad
        if isinstance(node, ast.Constant):
            return float(node.value)
        if isinstance(node, ast.Name):
            numbers = pd.to_numeric(frame[node.id], errors="coerce")
            bad = bad | numbers.isna()
            return numbers
        if isinstance(node, ast.UnaryOp):
            return -visit(node.operand)
        assert isinstance(node, ast.BinOp)
        return _OPERATORS[type(node.op)](visit(node.left), visit(node.right))

    with np.errstate(divide="ignore", invalid="ignore"):
        result = visit(ast.parse(expression, mode="eval").body)
    values = pd.Series(result, index=frame.index, dtype="float64")
    bad = bad | ~np.isfinite(values)
    return values.where(~bad, None), bad
