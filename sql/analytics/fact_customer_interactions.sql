-- Interactions with their notes and sentiment (-1..1) and detected language.
with interactions as (
    select * from staging.stg_interactions
),

enrichment as (
    select * from staging.stg_interaction_enrichment
)

select
    interactions.interaction_id,
    interactions.customer_id,
    interactions.interaction_date,
    interactions.agent_id,
    interactions.interaction_type,
    interactions.interaction_notes,
    enrichment.sentiment_score,
    enrichment.language
from interactions
left join enrichment on enrichment.interaction_id = interactions.interaction_id
