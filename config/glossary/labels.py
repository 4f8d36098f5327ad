"""Glossary: the customer labels of DESIGN.md §3 (value segment, overall sentiment, persona, churn risk, upsell),
sentiment, and the customer profile. Rules: sql/analytics/customer_base.sql and customer_persona_signals.sql,
with the values of config/rules.toml read through RuleReader (so the text is the SQL's rule with the SQL's values)."""

from __future__ import annotations

from config.glossary.model import Entry, RuleReader, Table, count, num, signed

LABELS = "Segments & labels"
SENTIMENT = "Sentiment"
PROFILE = "Customer profile"
FILTER = ""  # a Place on no tab: the sidebar's global filters, shown on every tab
WHOLE_HISTORY = "Over the customer's whole history (the date range never changes it)."


def _at_most(tickets: int) -> str:
    return f"at most {count(tickets, 'ticket')}"


def _at_least(tickets: int) -> str:
    return f"at least {count(tickets, 'ticket')}"


def label_entries(v: RuleReader) -> list[Entry]:
    high, medium = v("value_segment", "high_min_ltv"), v("value_segment", "medium_min_ltv")
    entries = [v.entry(
        "Value segment", LABELS,
        "A customer's band of lifetime value (the lifetime_value column of the customers file).",
        "The first row that matches, by lifetime value:",
        table=Table(("Segment", "Rule"), (
            ("High Value", f"lifetime value ≥ {num(high)}"),
            ("Medium Value", f"lifetime value ≥ {num(medium)} (and < {num(high)})"),
            ("Low Value", f"lifetime value < {num(medium)}, or none given"))),
        appears_in=[(FILTER, "Sidebar: Value segment filter"),
                    ("customer", "Value segment"), ("segmentation", "Value segments"),
                    ("segmentation", "Segment explorer"), ("retention", "Health by segment"),
                    ("retention", "Recommended actions")],
        source="sql/analytics/customer_base.sql")]

    entries.append(v.entry(
        "Ticket count (tc)", LABELS,
        "How many support tickets a customer has opened over their whole history; the label rules below use "
        "tc = the ticket count, 0 for a customer without tickets.",
        appears_in=[("customer", "Tickets"), ("segmentation", "Segment explorer: Tickets")],
        source="sql/analytics/ticket_patterns.sql"))

    negative, positive = v("overall_sentiment", "negative_below"), v("overall_sentiment", "positive_above")
    entries.append(v.entry(
        "Overall sentiment", LABELS,
        "A customer's mood in one word, from their average sentiment score over all their texts.",
        f"{WHOLE_HISTORY} The first row that matches:",
        table=Table(("Label", "Rule"), (
            ("Negative", f"average sentiment < {signed(negative)}"),
            ("Positive", f"average sentiment > {signed(positive)}"),
            ("Neutral", "otherwise, and customers without any scored text"))),
        appears_in=[("overview", "Customers by overall sentiment"), ("customer", "Persona"),
                    ("sentiment", "Sentiment volatility vs trend per customer (colour)"),
                    ("segmentation", "Segment explorer: Sentiment")],
        source="sql/analytics/customer_persona_signals.sql"))

    sat_avg, sat_tc = v("persona", "satisfied_min_avg"), v("persona", "satisfied_max_tickets")
    fru_avg, fru_tc = v("persona", "frustrated_max_avg"), v("persona", "frustrated_min_tickets")
    entries.append(v.entry(
        "Derived persona", LABELS,
        "A customer's persona derived from their sentiment and tickets (not the persona column of the customers "
        "file).",
        f"{WHOLE_HISTORY} The FIRST rule that matches, in this order (a customer who matches two rules gets the "
        "earlier one):",
        table=Table(("#", "Persona", "Rule"), (
            ("1", "Satisfied", f"average sentiment > {signed(sat_avg)} and {_at_most(sat_tc)}"),
            ("2", "Frustrated", f"average sentiment < {signed(fru_avg)} and {_at_least(fru_tc)}"),
            ("3", "Mixed", f"sentiment volatility > {num(v('persona', 'mixed_min_volatility'))}"),
            ("4", "Improving", f"sentiment trend > {signed(v('persona', 'improving_min_trend'))}"),
            ("5", "Deteriorating", f"sentiment trend < {signed(v('persona', 'deteriorating_max_trend'))}"),
            ("6", "Neutral", "none of the above (also every customer without a scored text)"))),
        appears_in=[(FILTER, "Sidebar: Persona filter"),
                    ("customer", "Persona"), ("segmentation", "Customers by persona"),
                    ("segmentation", "Segment comparison"), ("retention", "Health by segment")],
        source="sql/analytics/customer_persona_signals.sql"))

    entries.append(v.entry(
        "Persona (customers file)", LABELS,
        "The persona column as the customers file states it, kept unchanged; every filter, chart and rule of the app "
        "uses the derived persona instead.",
        source="sql/analytics/customer_base.sql"))

    tc1 = v("churn_risk", "high_min_tickets")
    high_rule = (f"(average sentiment < {signed(v('churn_risk', 'high_avg'))} and {_at_least(tc1)}) or "
                 f"(sentiment trend < {signed(v('churn_risk', 'high_trend'))} and {_at_least(tc1)}) or "
                 f"(average sentiment < {signed(v('churn_risk', 'high_avg_combined'))} and "
                 f"sentiment trend < {signed(v('churn_risk', 'high_trend_combined'))})")
    medium_rule = (f"(average sentiment < {signed(v('churn_risk', 'medium_avg'))} and "
                   f"sentiment trend < {signed(v('churn_risk', 'medium_trend'))}) or "
                   f"{_at_least(v('churn_risk', 'medium_min_tickets'))}")
    entries.append(v.entry(
        "Churn risk", LABELS,
        "A rule-based warning level from a customer's sentiment and tickets (the churn model's probability is a "
        "separate measure: see Churn band).",
        f"{WHOLE_HISTORY} The first row that matches:",
        table=Table(("Risk", "Rule"), (("High", high_rule), ("Medium", medium_rule), ("Low", "otherwise"))),
        appears_in=[(FILTER, "Sidebar: Churn risk filter"), ("customer", "Churn risk"),
                    ("overview", "Customers at high churn risk"),
                    ("overview", "Customers by churn risk"), ("segmentation", "Churn risk × upsell opportunity"),
                    ("segmentation", "Segment explorer: Churn risk")],
        source="sql/analytics/customer_persona_signals.sql"))

    entries.append(v.entry(
        "Upsell opportunity", LABELS,
        "How promising a customer is for an offer, from their sentiment and tickets.",
        f"{WHOLE_HISTORY} The first row that matches:",
        table=Table(("Opportunity", "Rule"), (
            ("High", f"average sentiment > {signed(v('upsell', 'high_min_avg'))} and "
                     f"{_at_most(v('upsell', 'high_max_tickets'))}"),
            ("Medium", f"sentiment trend > {signed(v('upsell', 'medium_min_trend'))}"),
            ("Low", "otherwise"))),
        appears_in=[(FILTER, "Sidebar: Upsell opportunity filter"), ("customer", "Upsell opportunity"),
                    ("segmentation", "Churn risk × upsell opportunity"),
                    ("segmentation", "Segment explorer: Upsell")],
        source="sql/analytics/customer_persona_signals.sql"))
    return entries


def sentiment_entries(v: RuleReader) -> list[Entry]:
    from etl.enrich.sentiment import FALLBACK_LANGUAGE, METHODS
    from etl.sources.contract import LANGUAGE_NAMES

    fallback = LANGUAGE_NAMES.get(FALLBACK_LANGUAGE, FALLBACK_LANGUAGE)
    return [
        v.entry("Sentiment score", SENTIMENT,
                "How positive a text is, from −1 (very negative) through 0 (neutral) to +1 (very positive), scored "
                "offline for every interaction note, review text and ticket description.",
                f"Scored by the method of the text's language (below); a text in another or an undetected language "
                f"is scored with the {fallback} method. Blank texts get no score and are left out of every average.",
                table=Table(("Language", "Method"),
                            tuple((LANGUAGE_NAMES.get(code, code), method) for code, method in METHODS.items())),
                appears_in=[("sentiment", "Distribution of sentiment by source"),
                            ("sentiment", "Average sentiment over time by source")],
                source="docs/sentiment.md"),
        v.entry("Average sentiment (records in view)", SENTIMENT,
                "The mean sentiment score of the interactions, reviews and tickets the filters keep (date range, "
                "customer filters, interaction type, review language).",
                "Mean of the scores of the scored records in view; unscored texts are left out.",
                appears_in=[("overview", "Average sentiment"), ("overview", "Sentiment trend"),
                            ("sentiment", "Average sentiment by interaction type"),
                            ("segmentation", "Value segments"), ("support", "Tickets by priority")],
                source="sql/snippets/records_in_view.sql"),
        v.entry("Average sentiment (customer)", SENTIMENT,
                "The mean sentiment score of all of a customer's scored texts, over their whole history: the input "
                "of the overall sentiment, persona, churn risk and upsell rules.",
                "Mean of every scored interaction, review and ticket of the customer; NULL without any, and then "
                "every rule that compares it does not apply.",
                appears_in=[("customer", "Average sentiment"), ("segmentation", "Segment explorer: Avg sentiment")],
                source="sql/analytics/sentiment_trends.sql"),
        v.entry("Sentiment trend", SENTIMENT,
                "Whether a customer's sentiment went up or down over their history.",
                "Last score − first score, in date order (ties on a date ordered by source and record id); 0 for a "
                "customer with one scored text.",
                appears_in=[("customer", "Average sentiment: trend"),
                            ("sentiment", "Sentiment volatility vs trend per customer"),
                            ("segmentation", "Segment explorer: Trend")],
                source="sql/analytics/sentiment_trends.sql"),
        v.entry("Sentiment volatility", SENTIMENT,
                "How much a customer's sentiment swings.",
                "Highest score − lowest score over the customer's history (0 to 2).",
                appears_in=[("sentiment", "Sentiment volatility vs trend per customer")],
                source="sql/analytics/sentiment_trends.sql"),
        v.entry("Source (interaction, review, ticket)", SENTIMENT,
                "Which kind of record a sentiment score comes from: an interaction note, a product review or a "
                "support ticket description.",
                appears_in=[("sentiment", "Average sentiment over time by source (source selector)"),
                            ("sentiment", "Distribution of sentiment by source")],
                source="sql/analytics/sentiment_analysis.sql"),
    ]


def profile_entries(v: RuleReader) -> list[Entry]:
    return [
        v.entry("Lifetime value", PROFILE,
                "The customer's lifetime value as the customers file states it.",
                "Sets the value segment; also the customer's value for value tiers and revenue concentration when "
                "the warehouse holds no orders.",
                appears_in=[("customer", "Value segment"), ("segmentation", "Segment explorer: Lifetime value")],
                source="sql/analytics/customer_base.sql"),
        v.entry("Customer summary", PROFILE,
                "A short text about the customer: who they are, what they did, how they feel, and one sentence "
                "of their own words (the key quote).",
                f"At most {num(v('summary', 'max_words'))} words, built offline from the customer's texts and "
                "signals; a summary written by the optional text provider, when one is configured, replaces it.",
                appears_in=[("customer", "Summary"), ("segmentation", "Segment explorer (tooltip on the name)")],
                source="sql/analytics/insight_summaries.sql"),
        v.entry("Key quote", PROFILE,
                "The sentence of the customer's own texts that says most about how they feel.",
                "Customers whose mean sentiment is below 0: their most negative sentence; otherwise their most "
                "positive one (sentence sentiment + 0.25 × the opinion words in it). Sentences under 4 words only "
                "when there is nothing longer; ties go to the earliest; cut to 25 words.",
                appears_in=[("customer", "Summary")], source="docs/enrichment-rules.md"),
        v.entry("Sign-up date", PROFILE,
                "The date the customer signed up, from the customers file: it sets the customer's cohort and tenure.",
                appears_in=[("customer", "customer since"), ("retention", "Monthly retention by sign-up cohort")],
                source="sql/analytics/customer_base.sql"),
        v.entry("Products owned", PROFILE,
                "How many of the company's products the customer owns, from the customers file: the input of the "
                "health score's adoption measure.",
                appears_in=[("customer", "products owned")], source="sql/analytics/customer_base.sql"),
    ]
