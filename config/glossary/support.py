"""Glossary: support tickets (priority, SLA, resolution, remedy) and product reviews. SLA hours, resolved statuses,
levels and timeframes come from config/rules.toml [support] and [priority], as in sql/queries/support/*.sql and
etl/enrich/tickets.py."""

from __future__ import annotations

from config.glossary.model import Entry, RuleReader, Table, either, num

SUPPORT = "Support"
PRODUCT = "Product & reviews"
FILTER = ""
# What each level means to the person reading a ticket (docs/enrichment-rules.md). Names come from [priority].
LEVEL_MEANING = {
    "critical": "the service or data is gone for everyone",
    "high": "urgent: a person or team blocked, a repeated failure, a wrong charge",
    "medium": "a problem in one feature",
    "low": "questions, wishes, cosmetic issues, \"no rush\"",
}


def _sla(v: RuleReader, level: str) -> str:
    return f"{num(v('support', f'sla_hours_{level.lower()}'))} h"


def support_entries(v: RuleReader) -> list[Entry]:
    from etl.enrich.remedy_patterns import FIX, REMEDY_PATTERNS
    from etl.enrich.ticket_patterns import CATEGORY_DEFAULTS, LOW_UNLESS_URGENT_CATEGORIES

    levels = v("priority", "levels")
    priority_rows = tuple((level, LEVEL_MEANING.get(level.lower(), ""),
                           v("priority", f"timeframe_{level.lower()}"), _sla(v, level)) for level in levels)
    defaults = sorted(category for category, level in CATEGORY_DEFAULTS.items() if level != "Low")
    entries = [v.entry(
        "Priority level", SUPPORT,
        "How urgent a support ticket is.",
        "Stated by the source when it names a known level (any case); otherwise classified from the ticket text "
        "(see Priority classification).",
        table=Table(("Level", "Means", "Expected resolution timeframe", "SLA"), priority_rows),
        appears_in=[("support", "Ticket volume"), ("support", "Tickets by priority"), ("support", "Tickets: Priority")],
        source="docs/enrichment-rules.md")]

    wishes = either(sorted(LOW_UNLESS_URGENT_CATEGORIES))
    entries.append(v.entry(
        "Priority classification", SUPPORT,
        "How a ticket without a stated priority gets one, from phrases in its text in six languages.",
        "The FIRST rule that applies; a phrase right after a negation (\"not urgent\") does not count:",
        table=Table(("#", "When the ticket text has", "Priority"), (
            ("1", "a Critical phrase: an outage, data loss, a security breach, nobody can work", "Critical"),
            ("2", "a High phrase (urgent, blocked, locked out, a repeated failure), or a wrong charge on a billing "
                  "ticket", "High"),
            ("3", f"(any text) in category {wishes}: a wish, not a fault", "Low"),
            ("4", "a Medium phrase: an error, a bug, something not working or slow", "Medium"),
            ("5", "a Low phrase: a question, a wish, a typo, \"no rush\"", "Low"),
            ("6", f"no phrase: category {either(defaults)}", "Medium"),
            ("7", "no phrase: any other category", "Low"))),
        appears_in=[("support", "Tickets: Priority")], source="docs/enrichment-rules.md"))

    entries.append(v.entry(
        "Expected resolution timeframe", SUPPORT,
        "The resolution a ticket's priority promises, in words.",
        "By priority: " + "; ".join(f"{level} — {v('priority', f'timeframe_{level.lower()}')}" for level in levels)
        + ".",
        appears_in=[("support", "Tickets: Expected timeframe")], source="config/rules.toml [priority]"))

    entries.append(v.entry(
        "SLA (resolution target)", SUPPORT,
        "The hours within which a ticket of a given priority should be resolved.",
        "Deadline = ticket date + SLA hours: " + ", ".join(f"{level} {_sla(v, level)}" for level in levels)
        + ". Tickets without a priority have no SLA.",
        appears_in=[("support", "SLA breach rate")], source="sql/queries/support/sla_breach_rate.sql"))

    resolved = either(v("support", "resolved_statuses"))
    entries.append(v.entry(
        "Resolved ticket", SUPPORT,
        "A ticket whose status says the work is done.",
        f"Status {resolved} (any case); every other status is unresolved.",
        appears_in=[("support", "Resolution rate"), ("support", "Tickets: Status")],
        source="config/rules.toml [support]"))

    entries.append(v.entry(
        "Resolution rate", SUPPORT,
        "The share of tickets in view that are resolved.",
        f"Tickets with status {either(v('support', 'resolved_statuses'))} ÷ all tickets in view (opened in the date "
        "range, by customers the customer filters keep).",
        appears_in=[("support", "Resolution rate")], source="sql/queries/support/resolution_rate.sql"))

    sla_text = ", ".join(f"{level} {_sla(v, level)}" for level in levels)
    entries.append(v.entry(
        "SLA breach rate", SUPPORT,
        "The share of measured tickets that were not resolved within their SLA.",
        f"A ticket breaches its SLA ({sla_text}) when it was resolved (status "
        f"{either(v('support', 'resolved_statuses'))}) after its deadline, or, still unresolved, when the deadline "
        "had passed by the end of the newest data date (not today). Resolved exactly at the deadline is within the "
        "SLA. Tickets without a priority and resolved tickets without a resolved date are not measured. Rate = "
        "breached ÷ measured tickets.",
        appears_in=[("support", "SLA breach rate")], source="sql/queries/support/sla_breach_rate.sql"))

    entries.append(v.entry(
        "Unresolved past SLA", SUPPORT,
        "Open tickets whose SLA has already run out.",
        f"Tickets in view whose status is not {either(v('support', 'resolved_statuses'))} and whose deadline "
        "(ticket date + SLA hours) is before the end of the newest data date.",
        appears_in=[("support", "Unresolved past SLA")], source="sql/queries/support/sla_breach_rate.sql"))

    remedies = [label for label in REMEDY_PATTERNS if label != FIX] + [FIX]
    entries.append(v.entry(
        "Requested remedy", SUPPORT,
        "What the customer asks for in a ticket (not what they merely mention), found in the text in six languages.",
        f"One of {either(remedies)}; \"none stated\" when the text asks for nothing. When a text asks for several, "
        f"the first one in the text wins; {FIX} only when nothing else is asked for. A negated ask (\"I don't want a "
        "refund\") does not count.",
        appears_in=[("support", "Tickets: Requested remedy")], source="docs/enrichment-rules.md"))

    entries.append(v.entry(
        "Tickets per customer", SUPPORT,
        "How many customers in view opened how many tickets in the date range.",
        "Customers counted in fixed bins of tickets: 0, 1, 2, 3–5, 6–10, 11–20, 21–50, 51–100, 101+ (customers "
        "without tickets in grey).",
        appears_in=[("support", "Tickets per customer")], source="sql/queries/support/tickets_per_customer.sql"))
    return entries


def product_entries(v: RuleReader) -> list[Entry]:
    from etl.sources.contract import LANGUAGE_NAMES

    return [
        v.entry("Review rating", PRODUCT,
                "The star rating of a product review, 1 (worst) to 5 (best).",
                "Given by the source; reviews rated outside 1–5 are quarantined at load time.",
                appears_in=[("product", "Rating distribution")], source="DESIGN.md §2"),
        v.entry("Average rating", PRODUCT,
                "The mean star rating of the reviews in view.",
                "Mean of review_rating over the reviews in the date range, in the review-language filter, by "
                "customers the customer filters keep.",
                appears_in=[("overview", "Average product rating"), ("product", "Average rating over time"),
                            ("segmentation", "Value segments")],
                source="sql/snippets/reviews_in_view.sql"),
        v.entry("Review language", PRODUCT,
                "The language a review is written in, as an ISO code.",
                f"Supported: {either(f'{name} ({code})' for code, name in LANGUAGE_NAMES.items())}. A name or code "
                "given by the source is normalised (\"french\" → fr); a missing one is detected from the text "
                "(kept only when the detector is at least 50 % sure).",
                appears_in=[(FILTER, "Sidebar: Review language filter"),
                            ("product", "Sentiment and reviews by language")],
                source="docs/sentiment.md"),
        v.entry("English text", PRODUCT,
                "The English version of a review shown next to the original.",
                "The original for English reviews; a translation when a translation provider is configured; "
                "otherwise none, shown as \"not translated\".",
                appears_in=[("product", "Recent reviews")], source="docs/enrichment-rules.md"),
    ]
