"""Run the offline enrichers over validated source rows and return the enrichment tables.

Tables produced (keyed by the source row's id), read by the staging models:
  enriched_interactions(interaction_id, language, sentiment_score)
  enriched_reviews(review_id, review_language, sentiment_score, review_text_english)
  enriched_tickets(ticket_id, language, sentiment_score, priority_level, expected_resolution_timeframe,
                   requested_remedy)
  enriched_customer_quotes(customer_id, key_quote, provider_summary)
Every enricher goes through the text-hash cache (etl/enrich/cache.py).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd

from config.rules import load_rules
from etl.enrich import language, quotes, sentiment, tickets
from etl.enrich.cache import cached_apply
from etl.enrich.provider import OfflineProvider, ProviderError, TextProvider

Step = Callable[[str], None]
# Texts per customer sent to the provider for a summary: the most recent ones are enough and keep
# prompts (and cost) bounded.
SUMMARY_TEXTS_PER_CUSTOMER = 20


def enrich_all(
    rows: dict[str, pd.DataFrame],
    cache_dir: Path | None,
    provider: TextProvider | None = None,
    on_step: Step | None = None,
    on_warning: Step | None = None,
) -> dict[str, pd.DataFrame]:
    """on_warning receives problems that do not stop the load (e.g. the optional provider failing)."""
    provider = provider or OfflineProvider()
    step = on_step or (lambda _name: None)
    warn = on_warning or (lambda _message: None)
    step("interactions")
    interactions = rows["interactions"]
    interaction_lang = detect(cache_dir, interactions["interaction_notes"])
    enriched_interactions = pd.DataFrame({
        "interaction_id": interactions["interaction_id"].to_numpy(),
        "language": interaction_lang.to_numpy(),
        "sentiment_score": score(cache_dir, interactions["interaction_notes"], interaction_lang).to_numpy(),
    })

    step("reviews")
    reviews = rows["reviews"]
    stated = reviews["review_language"].map(language.normalize_language, na_action="ignore")
    review_lang = stated.where(stated.notna(), detect(cache_dir, reviews["review_text"]))
    enriched_reviews = pd.DataFrame({
        "review_id": reviews["review_id"].to_numpy(),
        "review_language": review_lang.to_numpy(),
        "sentiment_score": score(cache_dir, reviews["review_text"], review_lang).to_numpy(),
        "review_text_english": translate(cache_dir, provider, reviews["review_text"], review_lang, warn).to_numpy(),
    })

    step("tickets")
    ticket_rows = rows["tickets"]
    ticket_lang = detect(cache_dir, ticket_rows["ticket_description"])
    rules = classify_tickets(cache_dir, ticket_rows, ticket_lang)
    enriched_tickets = pd.DataFrame({
        "ticket_id": ticket_rows["ticket_id"].to_numpy(),
        "language": ticket_lang.to_numpy(),
        "sentiment_score": score(cache_dir, ticket_rows["ticket_description"], ticket_lang).to_numpy(),
        **{column: rules[column].to_numpy() for column in rules.columns},
    })

    step("summaries")
    texts = pd.concat([
        pd.DataFrame({"customer_id": interactions["customer_id"], "text": interactions["interaction_notes"],
                      "sentiment": enriched_interactions["sentiment_score"].to_numpy()}),
        pd.DataFrame({"customer_id": reviews["customer_id"], "text": reviews["review_text"],
                      "sentiment": enriched_reviews["sentiment_score"].to_numpy()}),
        pd.DataFrame({"customer_id": ticket_rows["customer_id"], "text": ticket_rows["ticket_description"],
                      "sentiment": enriched_tickets["sentiment_score"].to_numpy()}),
    ], ignore_index=True)
    customer_quotes = customer_key_quotes(texts)
    summaries = provider_summaries(cache_dir, provider, texts, warn)
    customer_quotes = customer_quotes.merge(summaries, on="customer_id", how="outer")
    return {
        "enriched_interactions": enriched_interactions,
        "enriched_reviews": enriched_reviews,
        "enriched_tickets": enriched_tickets,
        "enriched_customer_quotes": customer_quotes,
    }


def detect(cache_dir: Path | None, texts: pd.Series) -> pd.Series:
    def compute(batch: pd.DataFrame) -> pd.DataFrame:
        return pd.DataFrame({"language": language.detect_languages(_values(batch["text"]))})

    out = cached_apply(cache_dir, "language", "1", pd.DataFrame({"text": texts.to_numpy()}), compute)
    detected = out["language"]
    return pd.Series(detected.to_numpy(), index=texts.index, dtype=object).where(detected.notna().to_numpy(), None)


def score(cache_dir: Path | None, texts: pd.Series, languages: pd.Series) -> pd.Series:
    def compute(batch: pd.DataFrame) -> pd.DataFrame:
        return pd.DataFrame({"sentiment_score": sentiment.score_sentiments(
            _values(batch["text"]), _values(batch["language"]))}, dtype="float64")

    inputs = pd.DataFrame({"text": texts.to_numpy(), "language": languages.to_numpy()})
    out = cached_apply(cache_dir, "sentiment", sentiment.SENTIMENT_VERSION, inputs, compute)
    return pd.Series(out["sentiment_score"].to_numpy(dtype="float64"), index=texts.index)


def translate(cache_dir: Path | None, provider: TextProvider, texts: pd.Series, languages: pd.Series,
              warn: Step) -> pd.Series:
    """English text of each review: the original when English, else the provider's translation (or None)."""
    english = texts.where(languages == "en", None)
    foreign = texts.notna() & (languages != "en")
    if isinstance(provider, OfflineProvider) or not foreign.any():
        return english

    def compute(batch: pd.DataFrame) -> pd.DataFrame:
        return pd.DataFrame({"english": provider.translate_to_english(_values(batch["text"]),
                                                                      _values(batch["language"]))})

    inputs = pd.DataFrame({"text": texts[foreign].to_numpy(), "language": languages[foreign].to_numpy()})
    try:
        translated = cached_apply(cache_dir, "translation", "1", inputs, compute)["english"]
    except ProviderError as exc:
        warn(f"translation provider failed, reviews stay 'not translated': {exc}")
        return english
    english[foreign] = translated.to_numpy()
    return english


def provider_summaries(cache_dir: Path | None, provider: TextProvider, texts: pd.DataFrame, warn: Step) -> pd.DataFrame:
    """A provider-written summary per customer (only when a provider is configured; else none)."""
    empty = pd.DataFrame({"customer_id": pd.Series(dtype=object), "provider_summary": pd.Series(dtype=object)})
    scored = texts[texts["text"].notna()]
    if isinstance(provider, OfflineProvider) or scored.empty:
        return empty
    grouped = scored.groupby("customer_id", sort=True)
    inputs = pd.DataFrame({
        "customer_id": list(grouped.groups),
        "texts": ["\n".join(group["text"].tail(SUMMARY_TEXTS_PER_CUSTOMER)) for _, group in grouped],
        "signals": [f"{len(group)} texts, mean sentiment {group['sentiment'].mean():+.2f} on a -1..1 scale"
                    for _, group in grouped],
    })
    max_words = load_rules()["summary"]["max_words"]

    def compute(batch: pd.DataFrame) -> pd.DataFrame:
        return pd.DataFrame({"provider_summary": [
            provider.summarize(joined.split("\n"), signals, max_words)
            for joined, signals in zip(batch["texts"], batch["signals"], strict=True)]})

    try:
        out = cached_apply(cache_dir, "provider_summary", "1", inputs, compute)
    except ProviderError as exc:
        warn(f"summary provider failed, summaries are built from the data alone: {exc}")
        return empty
    return pd.DataFrame({"customer_id": inputs["customer_id"], "provider_summary": out["provider_summary"]})


def classify_tickets(cache_dir: Path | None, rows: pd.DataFrame, languages: pd.Series) -> pd.DataFrame:
    """Priority (the source's own when it names a known level), timeframe and requested remedy."""
    def compute(batch: pd.DataFrame) -> pd.DataFrame:
        results = tickets.enrich_tickets(_values(batch["text"]), _values(batch["category"]),
                                         _values(batch["language"]))
        return pd.DataFrame(results, columns=["priority_level", "expected_resolution_timeframe", "requested_remedy"])

    inputs = pd.DataFrame({
        "text": rows["ticket_description"].to_numpy(),
        "category": rows["ticket_category"].to_numpy(),
        "language": languages.to_numpy(),
    })
    out = cached_apply(cache_dir, "ticket_rules", tickets.TICKET_RULES_VERSION, inputs, compute)
    levels = {level.lower(): level for level in load_rules()["priority"]["levels"]}
    stated = rows["priority_level"].astype("string").str.strip().str.lower().map(levels).to_numpy()
    has_stated = pd.notna(stated)
    out.loc[has_stated, "priority_level"] = stated[has_stated]
    out.loc[has_stated, "expected_resolution_timeframe"] = [tickets.expected_timeframe(p) for p in stated[has_stated]]
    return out.astype(object).where(out.notna(), None)


def _values(column: pd.Series) -> list:
    """Plain Python values for the enrichers: missing values (NaN, NA) become None."""
    return [None if pd.isna(v) else v for v in column.tolist()]


def customer_key_quotes(texts: pd.DataFrame) -> pd.DataFrame:
    """One quote per customer: from their most negative text when their mean sentiment is below zero,
    else from their most positive one (the quote enricher picks the sentence within it)."""
    scored = texts[texts["text"].notna() & texts["sentiment"].notna()]
    if scored.empty:
        return pd.DataFrame({"customer_id": pd.Series(dtype=object), "key_quote": pd.Series(dtype=object)})
    mean = scored.groupby("customer_id")["sentiment"].transform("mean")
    # Rank by sentiment in the direction that matters for the customer; first row wins ties (stable sort).
    directed = scored.assign(rank_key=scored["sentiment"].where(mean < 0, -scored["sentiment"]))
    best = directed.sort_values(["customer_id", "rank_key"], kind="stable").drop_duplicates("customer_id")
    best_quotes = [quotes.key_quote([text], [value])
                   for text, value in zip(best["text"], best["sentiment"], strict=True)]
    return pd.DataFrame({"customer_id": best["customer_id"].to_numpy(), "key_quote": best_quotes})
