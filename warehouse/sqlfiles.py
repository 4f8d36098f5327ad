"""Find and render the SQL files under sql/.

SQL files may use {{ name }} placeholders for business rules from config/rules.toml (flattened as
`section_key`, e.g. {{ value_segment_high_min_ltv }}). Only numbers, strings and lists of those are
substituted, as SQL literals; an unknown placeholder is an error, so a typo cannot silently become NULL.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Any

from config.rules import flat_rules

SQL_DIR = Path(__file__).resolve().parent.parent / "sql"
_PLACEHOLDER = re.compile(r"\{\{\s*([a-z0-9_]+)\s*\}\}")


def sql_literal(value: Any) -> str:
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    if isinstance(value, list | tuple):
        return "(" + ", ".join(sql_literal(v) for v in value) + ")"
    raise TypeError(f"cannot render {value!r} as a SQL literal")


def render(sql: str, source: str = "<sql>", values: dict[str, Any] | None = None) -> str:
    values = flat_rules() if values is None else values

    def substitute(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in values:
            raise KeyError(f"{source}: unknown placeholder {{{{ {name} }}}} (not in config/rules.toml)")
        return sql_literal(values[name])

    return _PLACEHOLDER.sub(substitute, sql)


@cache
def read_sql(relative_path: str) -> str:
    """The rendered text of sql/<relative_path>."""
    path = SQL_DIR / relative_path
    return render(path.read_text(encoding="utf-8"), relative_path)


def model_files(layer: str) -> list[Path]:
    """The model files of one layer ('staging' or 'analytics'), sorted by name."""
    return sorted((SQL_DIR / layer).glob("*.sql"))
