-- Every category value the app shows, as the warehouse holds it, with how many records carry it: the glossary's
-- "Interaction categories" (config/glossary/categories.py gives each dimension its meaning). The whole warehouse:
-- the global filters do not apply, a definition does not depend on the view. records = interactions, tickets or
-- reviews; for feature_name, usage events. Order: dimension, most records first, then value.
with interaction_types as (
    select 'interaction_type' as dimension, interaction_type as value, count(*) as records
    from analytics.fact_customer_interactions
    where interaction_type is not null
    group by interaction_type
),

ticket_categories as (
    select 'ticket_category' as dimension, ticket_category as value, count(*) as records
    from analytics.fact_support_tickets
    where ticket_category is not null
    group by ticket_category
),

ticket_statuses as (
    select 'ticket_status' as dimension, ticket_status as value, count(*) as records
    from analytics.fact_support_tickets
    where ticket_status is not null
    group by ticket_status
),

priority_levels as (
    select 'priority_level' as dimension, priority_level as value, count(*) as records
    from analytics.fact_support_tickets
    where priority_level is not null
    group by priority_level
),

requested_remedies as (
    select 'requested_remedy' as dimension, requested_remedy as value, count(*) as records
    from analytics.fact_support_tickets
    where requested_remedy is not null
    group by requested_remedy
),

review_languages as (
    select 'review_language' as dimension, review_language as value, count(*) as records
    from analytics.fact_product_reviews
    where review_language is not null
    group by review_language
),

features as (
    select 'feature_name' as dimension, feature_name as value, sum(events) as records
    from analytics.mart_usage_daily
    where feature_name is not null
    group by feature_name
),

categories as (
    select * from interaction_types
    union all
    select * from ticket_categories
    union all
    select * from ticket_statuses
    union all
    select * from priority_levels
    union all
    select * from requested_remedies
    union all
    select * from review_languages
    union all
    select * from features
)

select dimension, value, cast(records as bigint) as records
from categories
order by dimension, records desc, value
