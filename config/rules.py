"""Business rules loaded from rules.toml: the single source for thresholds, SLAs and weights."""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path
from typing import Any

RULES_FILE = Path(__file__).with_name("rules.toml")


@cache
def load_rules(path: Path = RULES_FILE) -> dict[str, dict[str, Any]]:
    """The rules as nested sections, e.g. rules()["value_segment"]["high_min_ltv"]."""
    with path.open("rb") as fh:
        return tomllib.load(fh)


def flat_rules(path: Path = RULES_FILE) -> dict[str, Any]:
    """The rules flattened to `section_key` names, as the SQL templates use them.

    Example: value_segment.high_min_ltv -> "value_segment_high_min_ltv".
    """
    return {f"{section}_{key}": value for section, keys in load_rules(path).items() for key, value in keys.items()}
