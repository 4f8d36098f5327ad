-- Every scored record (interaction, review, ticket) the global filters keep: customer filters, date range,
-- and the record-level filters (interaction type applies to interactions, review language to reviews).
-- Used as a CTE body: with records as ({{ snippet_records_in_view }}) ...
select
    facts.customer_id,
    facts.record_date,
    facts.sentiment_score,
    facts.source_type
from (
    select customer_id, interaction_date as record_date, sentiment_score, 'interaction' as source_type,
        interaction_type, cast(null as varchar) as review_language
    from analytics.fact_customer_interactions
    union all
    select customer_id, review_date, sentiment_score, 'review', cast(null as varchar), review_language
    from analytics.fact_product_reviews
    union all
    select customer_id, ticket_date, sentiment_score, 'ticket', cast(null as varchar), cast(null as varchar)
    from analytics.fact_support_tickets
) as facts
inner join analytics.customer_dimensions as dims on dims.customer_id = facts.customer_id
where cast(facts.record_date as date) between :date_from and :date_to
    and (:interaction_types is null or facts.source_type <> 'interaction'
        or list_contains(:interaction_types, facts.interaction_type))
    and (:review_languages is null or facts.source_type <> 'review'
        or list_contains(:review_languages, facts.review_language))
    and {{ snippet_customer_in_view }}
