-- Raw records export (reports/exports.py, dataset "interactions"): every interaction the global filters keep, as
-- the Sentiment tab selects them (interaction date within :date_from..:date_to, the interaction type filter, the
-- customer filters), narrowed to the teams :team_ids (customer ids; NULL = every team). Newest first, then by id.
-- Interactions have no user: an agent is not a user of the customer's team.
with customers as (
    select customer_id, customer_name from analytics.customer_base
),

interactions as (
    select facts.*
    from analytics.fact_customer_interactions as facts
    inner join analytics.customer_dimensions as dims on dims.customer_id = facts.customer_id
    where cast(facts.interaction_date as date) between :date_from and :date_to
        and (:interaction_types is null or list_contains(:interaction_types, facts.interaction_type))
        and {{ snippet_customer_in_view }}
        and (:team_ids is null or list_contains(:team_ids, facts.customer_id))
)

select
    interactions.interaction_id,
    interactions.interaction_date,
    interactions.customer_id,
    customers.customer_name,
    interactions.interaction_type,
    interactions.agent_id,
    interactions.interaction_notes,
    interactions.sentiment_score,
    interactions.language
from interactions
left join customers on customers.customer_id = interactions.customer_id
order by interactions.interaction_date desc, interactions.interaction_id
