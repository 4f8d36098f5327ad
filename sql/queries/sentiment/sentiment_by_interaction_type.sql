-- Average sentiment of the scored interactions in view per interaction type, with the number of interactions
-- behind each average. The review-language filter does not apply to interactions.
with interactions as (
    select
        facts.interaction_type,
        facts.sentiment_score
    from analytics.fact_customer_interactions as facts
    inner join analytics.customer_dimensions as dims on dims.customer_id = facts.customer_id
    where cast(facts.interaction_date as date) between :date_from and :date_to
        and facts.sentiment_score is not null
        and (:interaction_types is null or list_contains(:interaction_types, facts.interaction_type))
        and {{ snippet_customer_in_view }}
)

select
    interaction_type,
    avg(sentiment_score) as avg_sentiment,
    count(*) as interactions
from interactions
group by interaction_type
order by avg_sentiment desc, interaction_type
