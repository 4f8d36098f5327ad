-- Offline enrichment of interaction notes: detected language and sentiment (-1..1).
select
    interaction_id,
    language,
    sentiment_score
from enriched_interactions
