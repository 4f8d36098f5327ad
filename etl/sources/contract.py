"""The source contract (DESIGN.md §2): the seven entities the ETL accepts, their columns and types.

Each entity has a canonical file stem (customers.json / customers.csv / customers.parquet ...), a list of
columns with a type and whether it is required, and the id column used to detect duplicates. The PRD's
original file names (customer_interactions.json, product_reviews.json, support_tickets.json) are accepted
as aliases.
"""

from __future__ import annotations

from dataclasses import dataclass

# Column kinds. The validator parses each kind and quarantines rows that do not parse.
STRING = "string"
TEXT = "text"          # free text: enriched (language, sentiment); may be long
INTEGER = "integer"
NUMBER = "number"
DATE = "date"          # a calendar date; a timestamp is accepted and truncated
TIMESTAMP = "timestamp"


@dataclass(frozen=True)
class Column:
    name: str
    kind: str
    required: bool = False


@dataclass(frozen=True)
class Entity:
    name: str                      # e.g. "interactions"
    file_stems: tuple[str, ...]    # accepted file names without extension, first is canonical
    columns: tuple[Column, ...]
    id_column: str | None          # duplicates of this id are quarantined (None: no id)
    # key columns that must reference a loaded customer (orphans are quarantined)
    customer_column: str | None = "customer_id"

    @property
    def required(self) -> list[str]:
        return [c.name for c in self.columns if c.required]

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


CUSTOMERS = Entity(
    "customers",
    ("customers",),
    (
        Column("customer_id", STRING, True),
        Column("persona", STRING),
        Column("sign_up_date", DATE, True),
        Column("products_owned", INTEGER),
        Column("lifetime_value", NUMBER),
        Column("customer_name", STRING),
        Column("segment", STRING),
        Column("country", STRING),
        Column("csm_owner", STRING),
    ),
    id_column="customer_id",
    customer_column=None,
)

INTERACTIONS = Entity(
    "interactions",
    ("interactions", "customer_interactions"),
    (
        Column("interaction_id", STRING),
        Column("customer_id", STRING, True),
        Column("interaction_date", TIMESTAMP, True),
        Column("agent_id", STRING),
        Column("interaction_type", STRING, True),
        Column("interaction_notes", TEXT),
    ),
    id_column="interaction_id",
)

REVIEWS = Entity(
    "reviews",
    ("reviews", "product_reviews"),
    (
        Column("review_id", STRING),
        Column("customer_id", STRING, True),
        Column("product_id", STRING),
        Column("review_date", TIMESTAMP, True),
        Column("review_rating", INTEGER, True),
        Column("review_text", TEXT, True),
        Column("review_language", STRING),
    ),
    id_column="review_id",
)

TICKETS = Entity(
    "tickets",
    ("tickets", "support_tickets"),
    (
        Column("ticket_id", STRING),
        Column("customer_id", STRING, True),
        Column("ticket_date", TIMESTAMP, True),
        Column("ticket_status", STRING),
        Column("ticket_category", STRING, True),
        Column("ticket_subcategory", STRING),
        Column("ticket_description", TEXT, True),
        Column("priority_level", STRING),
        Column("resolved_date", TIMESTAMP),
    ),
    id_column="ticket_id",
)

USAGE_EVENTS = Entity(
    "usage_events",
    ("usage_events", "usage"),
    (
        Column("user_id", STRING, True),
        Column("customer_id", STRING, True),
        Column("event_date", TIMESTAMP, True),
        Column("feature_name", STRING, True),
        Column("events_count", INTEGER),
    ),
    id_column=None,
)

USERS = Entity(
    "users",
    ("users",),
    (
        Column("user_id", STRING, True),
        Column("customer_id", STRING, True),
        Column("user_name", STRING),
        Column("join_date", DATE),
        Column("last_login_date", TIMESTAMP),
        Column("role", STRING),
    ),
    id_column="user_id",
)

ORDERS = Entity(
    "orders",
    ("orders",),
    (
        Column("order_id", STRING, True),
        Column("customer_id", STRING, True),
        Column("order_date", TIMESTAMP, True),
        Column("amount", NUMBER, True),
        Column("quantity", INTEGER),
        Column("product_id", STRING),
    ),
    id_column="order_id",
)

ENTITIES: dict[str, Entity] = {
    e.name: e for e in (CUSTOMERS, INTERACTIONS, REVIEWS, TICKETS, USAGE_EVENTS, USERS, ORDERS)
}

# Load order: customers first, so that every other entity can be checked for orphan customer ids.
LOAD_ORDER: tuple[str, ...] = ("customers", "users", "interactions", "reviews", "tickets", "usage_events", "orders")

SOURCE_EXTENSIONS: tuple[str, ...] = (".json", ".jsonl", ".ndjson", ".csv", ".parquet")

# Review languages are stored as ISO 639-1 codes; names found in source files map to them.
LANGUAGE_CODES: dict[str, str] = {
    "english": "en", "en": "en", "eng": "en",
    "french": "fr", "fr": "fr", "fra": "fr", "fre": "fr", "français": "fr", "francais": "fr",
    "german": "de", "de": "de", "deu": "de", "ger": "de", "deutsch": "de",
    "spanish": "es", "es": "es", "spa": "es", "español": "es", "espanol": "es",
    "italian": "it", "it": "it", "ita": "it", "italiano": "it",
    "portuguese": "pt", "pt": "pt", "por": "pt", "português": "pt", "portugues": "pt", "pt-br": "pt",
}
SUPPORTED_LANGUAGES: tuple[str, ...] = ("en", "fr", "de", "es", "it", "pt")
LANGUAGE_NAMES: dict[str, str] = {
    "en": "English", "fr": "French", "de": "German", "es": "Spanish", "it": "Italian", "pt": "Portuguese",
}
