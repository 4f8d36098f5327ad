-- Every scored text of a customer, whatever its source, on one time line.
-- Texts without a score (blank) are left out: they carry no sentiment. record_id identifies the source row.
with interactions as (
    select customer_id, interaction_date, sentiment_score, interaction_id as record_id
    from analytics.fact_customer_interactions
),

reviews as (
    select customer_id, review_date as interaction_date, sentiment_score, review_id as record_id
    from analytics.fact_product_reviews
),

tickets as (
    select customer_id, ticket_date as interaction_date, sentiment_score, ticket_id as record_id
    from analytics.fact_support_tickets
),

unioned as (
    select customer_id, interaction_date, sentiment_score, 'interaction' as source_type, record_id from interactions
    union all
    select customer_id, interaction_date, sentiment_score, 'review' as source_type, record_id from reviews
    union all
    select customer_id, interaction_date, sentiment_score, 'ticket' as source_type, record_id from tickets
)

select
    customer_id,
    interaction_date,
    sentiment_score,
    source_type,
    record_id
from unioned
where sentiment_score is not null
