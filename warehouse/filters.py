"""The one filter object every query takes (DESIGN.md §5), and its translation to bound parameters.

Filters narrow the customers (value segment, persona, churn risk, upsell opportunity), the records
(date range, interaction type, review language). An empty selection means "everything". Queries use the
parameters by name (:date_from, :value_segments, ...); lists are bound as arrays and NULL stands for
"no filter", so the SQL text never changes with the user's choices.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields, replace
from datetime import date
from typing import Any

from config.rules import load_rules

# Filter field -> SQL parameter name and the dimension its options come from.
LIST_FILTERS: dict[str, str] = {
    "value_segments": "value_segment",
    "personas": "derived_persona",
    "churn_risks": "churn_risk",
    "upsell_opportunities": "upsell_opportunity",
    "interaction_types": "interaction_type",
    "review_languages": "review_language",
}

MAX_VALUES_PER_FILTER = 50  # a filter's options are a handful; more values than this come from no real page
MAX_VALUE_CHARS = 200


@dataclass(frozen=True)
class Filters:
    date_from: date | None = None
    date_to: date | None = None
    value_segments: tuple[str, ...] = field(default=())
    personas: tuple[str, ...] = field(default=())
    churn_risks: tuple[str, ...] = field(default=())
    upsell_opportunities: tuple[str, ...] = field(default=())
    interaction_types: tuple[str, ...] = field(default=())
    review_languages: tuple[str, ...] = field(default=())

    def params(self, default_from: date, default_to: date) -> dict[str, Any]:
        """Bound parameters for a query; open date ends take the warehouse's own bounds."""
        values: dict[str, Any] = {
            "date_from": self.date_from or default_from,
            "date_to": self.date_to or default_to,
        }
        for name in LIST_FILTERS:
            chosen = getattr(self, name)
            values[name] = sorted(chosen) if chosen else None
        return values

    def previous_period(self, default_from: date, default_to: date) -> Filters:
        """The same filters over the period of equal length just before this one (for KPI deltas)."""
        start, end = self.date_from or default_from, self.date_to or default_to
        length = end - start
        return replace(self, date_from=start - length - _ONE_DAY, date_to=start - _ONE_DAY)

    def time_grain(self) -> str:
        """'week' for ranges up to [dashboard].monthly_after_days days, else 'month' (trend charts)."""
        start, end = self.date_from, self.date_to
        limit = load_rules()["dashboard"]["monthly_after_days"]
        return "month" if start and end and (end - start).days > limit else "week"

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        for name in ("date_from", "date_to"):
            data[name] = data[name].isoformat() if data[name] else None
        return {k: list(v) if isinstance(v, tuple) else v for k, v in data.items()}

    @classmethod
    def from_dict(cls, data: Any) -> Filters:
        """The filters of to_dict's output. The dict comes back from the browser (the `filters` store): anything
        else in it - a date that is not YYYY-MM-DD, a number or an object where a value should be, a list of
        thousands - is what a hand-made request sends, and is dropped rather than failing the request."""
        data = data if isinstance(data, dict) else {}
        kwargs: dict[str, Any] = {}
        for item in fields(cls):
            value = data.get(item.name)
            if item.name in ("date_from", "date_to"):
                kwargs[item.name] = _date_or_none(value)
            else:
                values = [value] if isinstance(value, str) else value if isinstance(value, list | tuple) else []
                kwargs[item.name] = tuple(dict.fromkeys(v for v in values[:MAX_VALUES_PER_FILTER] if _text(v)))
        return cls(**kwargs)

    def cache_key(self) -> tuple:
        return tuple(sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in self.to_dict().items()))


_ONE_DAY = date(2000, 1, 2) - date(2000, 1, 1)


def _text(value: Any) -> bool:
    """A filter value the warehouse can be asked about: text, not too long, without NUL (PostgreSQL's text cannot hold
    it) and valid Unicode (JSON may carry a lone surrogate such as "\\ud800", which no database driver can encode)."""
    if not isinstance(value, str) or len(value) > MAX_VALUE_CHARS or "\x00" in value:
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _date_or_none(value: Any) -> date | None:
    if not isinstance(value, str):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None
