"""Find and render the SQL files under sql/.

SQL files may use {{ name }} placeholders:
- business rules from config/rules.toml (flattened as `section_key`, e.g. {{ value_segment_high_min_ltv }}),
  substituted as SQL literals (numbers, strings, lists);
- shared fragments, {{ snippet_<name> }}, replaced by the text of sql/snippets/<name>.sql (like a dbt
  macro), so that e.g. the global filters' WHERE clause is written once for every query.
An unknown placeholder is an error, so a typo cannot silently become NULL.
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
        if name.startswith("snippet_"):
            snippet = SQL_DIR / "snippets" / f"{name.removeprefix('snippet_')}.sql"
            if not snippet.is_file():
                raise KeyError(f"{source}: unknown snippet {{{{ {name} }}}} (no {snippet.relative_to(SQL_DIR)})")
            return render(_strip_comments(snippet.read_text(encoding="utf-8")), snippet.name, values)
        if name not in values:
            raise KeyError(f"{source}: unknown placeholder {{{{ {name} }}}} (not in config/rules.toml)")
        return sql_literal(values[name])

    return _PLACEHOLDER.sub(substitute, sql)


def _strip_comments(sql: str) -> str:
    """A snippet's own header comments are for its reader, not for every query that includes it."""
    return "\n".join(line for line in sql.splitlines() if not line.lstrip().startswith("--")).strip()


@cache
def read_sql(relative_path: str) -> str:
    """The rendered text of sql/<relative_path>."""
    path = SQL_DIR / relative_path
    return render(path.read_text(encoding="utf-8"), relative_path)


def model_files(layer: str) -> list[Path]:
    """The model files of one layer ('staging' or 'analytics'), sorted by name."""
    return sorted((SQL_DIR / layer).glob("*.sql"))
