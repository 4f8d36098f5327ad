"""URL state: the tab, the date range, every global filter and the selected customer round-trip through the
query string.

    /?tab=support&range=30d&segment=High+Value&risk=High&risk=Medium&lang=fr
    /?tab=overview&from=2025-01-01&to=2025-06-30
    /?tab=customer&customer=CUST-001&range=90d

`range` is a preset relative to the newest data (7d, 30d, 90d, ytd, all); `from`/`to` a fixed range.
`customer` is the customer the Customer tab shows; it stays in the URL on the other tabs (so that coming back to
the Customer tab, or sharing a link, keeps the selection) and selects nothing there: it is not a filter.
Values that do not exist in the warehouse, malformed dates and unknown keys are dropped with a notice:
a pasted or truncated link never produces an error page.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from urllib.parse import parse_qs, parse_qsl, urlencode

from dashapp.tabs import TAB_MODULES
from warehouse.filters import LIST_FILTERS, Filters

TABS: dict[str, str] = {module.TAB_ID: module.LABEL for module in TAB_MODULES}
DEFAULT_TAB = "overview"
PRESETS: dict[str, str] = {"7d": "Last 7 days", "30d": "Last 30 days", "90d": "Last 90 days",
                           "ytd": "Year to date", "all": "All time", "custom": "Custom range"}
DEFAULT_PRESET = "all"
# URL key -> Filters field
URL_KEYS: dict[str, str] = {"segment": "value_segments", "persona": "personas", "risk": "churn_risks",
                            "upsell": "upsell_opportunities", "type": "interaction_types", "lang": "review_languages"}
FIELD_KEYS = {v: k for k, v in URL_KEYS.items()}
MAX_VALUES_PER_KEY = 50
CUSTOMER_KEY = "customer"
MAX_CUSTOMER_ID_CHARS = 200  # longer values cannot be a customer id: dropped without asking the warehouse


@dataclass(frozen=True)
class ViewState:
    tab: str = DEFAULT_TAB
    preset: str = DEFAULT_PRESET
    custom_from: date | None = None
    custom_to: date | None = None
    selections: dict[str, tuple[str, ...]] = field(default_factory=dict)  # Filters field -> values
    customer: str | None = None  # the Customer tab's customer id; not a filter

    def filters(self, bounds: tuple[date, date]) -> Filters:
        start, end = preset_dates(self.preset, bounds, self.custom_from, self.custom_to)
        return Filters(date_from=start, date_to=end, **{k: tuple(v) for k, v in self.selections.items()})


def preset_dates(preset: str, bounds: tuple[date, date], custom_from: date | None = None,
                 custom_to: date | None = None) -> tuple[date, date]:
    first, last = bounds
    if preset == "custom":  # exactly what the link asks for, even beyond the data's first or last day
        return custom_from or first, custom_to or last
    if preset in ("7d", "30d", "90d"):
        return max(first, last - timedelta(days=int(preset[:-1]) - 1)), last
    if preset == "ytd":
        return max(first, date(last.year, 1, 1)), last
    return first, last


def parse_search(search: str | None, options: dict[str, list[str]],
                 customer_exists: Callable[[str], bool] | None = None) -> tuple[ViewState, list[str]]:
    """The view a query string describes, and a notice for everything that had to be dropped.

    `customer_exists(id)` says whether a customer id is in the warehouse; without it every well-formed id is kept."""
    notices: list[str] = []
    try:
        query = parse_qs((search or "").lstrip("?"), keep_blank_values=False, max_num_fields=500)
    except ValueError:
        return ViewState(), ["The link's filters could not be read; showing the default view."]
    tab = _first(query.pop("tab", None)) or DEFAULT_TAB
    if tab not in TABS:
        notices.append(f"Unknown tab '{_short(tab)}' ignored.")
        tab = DEFAULT_TAB
    customer = _customer(_first(query.pop(CUSTOMER_KEY, None)), customer_exists, notices)
    preset = _first(query.pop("range", None))
    custom_from = _date(_first(query.pop("from", None)), "from", notices)
    custom_to = _date(_first(query.pop("to", None)), "to", notices)
    if custom_from and custom_to and custom_from > custom_to:
        notices.append("The date range ended before it started; the dates were swapped.")
        custom_from, custom_to = custom_to, custom_from
    if preset is not None and preset not in PRESETS:
        notices.append(f"Unknown date range '{_short(preset)}' ignored.")
        preset = None
    if preset in (None, "custom"):
        preset = "custom" if (custom_from or custom_to) else DEFAULT_PRESET
    selections: dict[str, tuple[str, ...]] = {}
    for key, values in query.items():
        name = URL_KEYS.get(key)
        if name is None:
            notices.append(f"Unknown filter '{_short(key)}' ignored.")
            continue
        allowed = options.get(LIST_FILTERS[name], [])
        kept = [v for v in dict.fromkeys(values[:MAX_VALUES_PER_KEY]) if v in allowed]
        dropped = [v for v in dict.fromkeys(values) if v not in kept]
        if dropped:
            shown = ", ".join(f"'{_short(v)}'" for v in dropped[:5]) + (" …" if len(dropped) > 5 else "")
            notices.append(f"{key}: {shown} not found in the data, ignored.")
        if kept:
            selections[name] = tuple(kept)
    return ViewState(tab, preset, custom_from if preset == "custom" else None,
                     custom_to if preset == "custom" else None, selections, customer), notices


def to_search(state: ViewState) -> str:
    pairs: list[tuple[str, str]] = [("tab", state.tab)]
    if state.customer:
        pairs.append((CUSTOMER_KEY, state.customer))
    if state.preset == "custom":
        if state.custom_from:
            pairs.append(("from", state.custom_from.isoformat()))
        if state.custom_to:
            pairs.append(("to", state.custom_to.isoformat()))
    elif state.preset != DEFAULT_PRESET:
        pairs.append(("range", state.preset))
    for name in LIST_FILTERS:
        for value in state.selections.get(name, ()):
            pairs.append((FIELD_KEYS[name], value))
    return "?" + urlencode(pairs)


def customer_link(search: str | None, customer_id: str, tab: str = "customer") -> str:
    """The query string that opens `tab` on `customer_id` and keeps everything else of `search` (the filters), for
    links to a customer. The same rule as dashapp/assets/30-customer.js, which builds the grids' links."""
    try:
        kept = [(k, v) for k, v in parse_qsl((search or "").lstrip("?"), max_num_fields=500)
                if k not in ("tab", CUSTOMER_KEY)]
    except ValueError:  # an unreadable query string: the link opens the customer with the default filters
        kept = []
    return "?" + urlencode([("tab", tab), (CUSTOMER_KEY, customer_id), *kept])


def _first(values: list[str] | None) -> str | None:
    return values[0] if values else None


def _customer(value: str | None, exists: Callable[[str], bool] | None, notices: list[str]) -> str | None:
    value = (value or "").strip()
    if not value:
        return None
    if len(value) > MAX_CUSTOMER_ID_CHARS or (exists is not None and not exists(value)):
        notices.append(f"Unknown customer '{_short(value)}' ignored.")
        return None
    return value


def _date(value: str | None, key: str, notices: list[str]) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        notices.append(f"{key}: '{_short(value)}' is not a date (YYYY-MM-DD), ignored.")
        return None


def _short(value: str, limit: int = 40) -> str:
    return value if len(value) <= limit else value[: limit - 1] + "…"
