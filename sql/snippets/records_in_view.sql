-- Every record (interaction, review, ticket) the global filters keep: customer filters, date range, and the
-- record-level filters (interaction type applies to interactions, review language to reviews).
-- Used as a CTE body: with records as ({{ snippet_records_in_view }}) ...
-- analytics.mart_scored_records carries its customer's filter attributes, so it is aliased `dims` for the
-- shared customer filter (snippet_customer_in_view reads dims.value_segment, dims.churn_risk, ...).
select
    dims.customer_id,
    dims.record_date,
    dims.sentiment_score,
    dims.source_type,
    dims.churn_risk,
    dims.value_segment
from analytics.mart_scored_records as dims
where dims.record_date between :date_from and :date_to
    and (:interaction_types is null or dims.source_type <> 'interaction'
        or list_contains(:interaction_types, dims.interaction_type))
    and (:review_languages is null or dims.source_type <> 'review'
        or list_contains(:review_languages, dims.review_language))
    and {{ snippet_customer_in_view }}
