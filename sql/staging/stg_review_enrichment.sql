-- Offline enrichment of reviews: language (ISO code), sentiment, English text when available.
select
    review_id,
    review_language,
    sentiment_score,
    review_text_english
from enriched_reviews
