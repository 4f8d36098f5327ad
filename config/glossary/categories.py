"""Glossary: the categories of the records (interaction types, ticket categories and statuses, languages, features),
listed as the warehouse holds them (sql/queries/glossary/categories.sql, rows passed in by the caller: this package
runs no SQL), with their meaning from the source contract and config."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from config.glossary.model import Entry, RuleReader, either, num

CATEGORIES = "Interaction categories"
FILTER = ""
MAX_LISTED = 60  # values listed per dimension; a longer list ends with "and N more"
# (value, records) pairs per dimension, as the query returns them
Present = Mapping[str, list[tuple[str, int]]]


def group_rows(rows: Iterable[Mapping[str, object]]) -> dict[str, list[tuple[str, int]]]:
    """Query rows (dimension, value, records) -> dimension -> [(value, records)], in the query's order."""
    grouped: dict[str, list[tuple[str, int]]] = {}
    for row in rows:
        grouped.setdefault(str(row["dimension"]), []).append((str(row["value"]), int(row["records"])))
    return grouped


def _listed(present: Present | None, dimension: str, unit: str, label=lambda value: value) -> dict[str, Any]:
    """The rule text and the chips (value and count) of one dimension, as keyword arguments of RuleReader.entry."""
    if present is None:
        return {"rule": "Values in the data: not available (the warehouse could not be read)."}
    values = present.get(dimension, [])
    if not values:
        return {"rule": "None in this warehouse."}
    more = len(values) - MAX_LISTED
    return {"rule": f"In this warehouse, most {unit} first (number of {unit} in brackets)"
                    + (f"; the first {num(MAX_LISTED)} of {num(len(values))}:" if more > 0 else ":"),
            "items": [f"{label(value)} ({num(records)})" for value, records in values[:MAX_LISTED]]}


def category_entries(v: RuleReader, present: Present | None) -> list[Entry]:
    from etl.sources.contract import LANGUAGE_NAMES

    return [
        v.entry("Interaction type", CATEGORIES,
                "The channel of an interaction with the customer (a call, an email, a chat…), as the source names it.",
                **_listed(present, "interaction_type", "interactions"),
                appears_in=[(FILTER, "Sidebar: Interaction type filter"),
                            ("sentiment", "Average sentiment by interaction type")],
                source="sql/queries/glossary/categories.sql"),
        v.entry("Ticket category", CATEGORIES,
                "The subject area of a support ticket, as the source names it.",
                **_listed(present, "ticket_category", "tickets"),
                appears_in=[("support", "Tickets by category"), ("support", "Tickets: Category")],
                source="sql/queries/glossary/categories.sql"),
        _status_entry(v, present),
        v.entry("Ticket priorities in the data", CATEGORIES,
                "The priority levels the tickets carry, stated by the source or classified from the text.",
                **_listed(present, "priority_level", "tickets"),
                appears_in=[("support", "Tickets by priority")], source="sql/queries/glossary/categories.sql"),
        v.entry("Requested remedies in the data", CATEGORIES,
                "The remedies the tickets ask for (tickets asking for none are not listed).",
                **_listed(present, "requested_remedy", "tickets"),
                appears_in=[("support", "Tickets: Requested remedy")], source="sql/queries/glossary/categories.sql"),
        v.entry("Review languages in the data", CATEGORIES,
                "The languages of the product reviews.",
                **_listed(present, "review_language", "reviews", lambda code: LANGUAGE_NAMES.get(code, code)),
                appears_in=[(FILTER, "Sidebar: Review language filter"),
                            ("product", "Sentiment and reviews by language")],
                source="sql/queries/glossary/categories.sql"),
        v.entry("Product feature", CATEGORIES,
                "A feature of the product named in the usage events.",
                **_listed(present, "feature_name", "usage events"),
                appears_in=[("usage", "Usage tab")], source="sql/queries/glossary/categories.sql"),
    ]


def _status_entry(v: RuleReader, present: Present | None) -> Entry:
    # the resolved statuses are read here, right before the entry that prints them (RuleReader files them under it)
    resolved_statuses = v("support", "resolved_statuses")
    resolved = {status.lower() for status in resolved_statuses}

    def status_label(status: str) -> str:
        return f"{status} [resolved]" if status.lower() in resolved else status

    return v.entry("Ticket status", CATEGORIES,
                   "Where a support ticket stands, as the source names it (lower-cased); "
                   f"{either(resolved_statuses)} (marked [resolved]) count as resolved for the resolution rate and the "
                   "SLA.",
                   **_listed(present, "ticket_status", "tickets", status_label),
                   appears_in=[("support", "Tickets: Status"), ("support", "Resolution rate")],
                   source="sql/queries/glossary/categories.sql")
