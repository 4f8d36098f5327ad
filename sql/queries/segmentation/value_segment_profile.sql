-- Per value segment (High / Medium / Low Value, DESIGN.md §3), for the customers and records in view:
--   customers          customers of the segment kept by the customer filters
--   avg_sentiment      mean score of the segment's scored records in view (interactions, reviews, tickets in
--                      the date range; the interaction-type and review-language filters apply)
--   tickets            tickets opened in the date range by the segment's customers
--   tickets_per_customer  tickets / customers
--   avg_rating         mean star rating of the segment's reviews in view
-- Every segment is present, best value first.
with segments as (
    select 'High Value' as value_segment, 1 as segment_order
    union all select 'Medium Value', 2
    union all select 'Low Value', 3
),

records as (
    {{ snippet_records_in_view }}
),

customers_in_view as (
    select dims.value_segment, count(*) as customers
    from analytics.customer_dimensions as dims
    where {{ snippet_customer_in_view }}
    group by dims.value_segment
),

sentiment as (
    select
        value_segment,
        avg(sentiment_score) as avg_sentiment,
        sum(case when source_type = 'ticket' then 1 else 0 end) as tickets
    from records
    group by value_segment
),

ratings as (
    select dims.value_segment, avg(reviews.review_rating) as avg_rating
    from {{ snippet_reviews_in_view }}
    group by dims.value_segment
)

select
    segments.value_segment,
    coalesce(customers_in_view.customers, 0) as customers,
    sentiment.avg_sentiment,
    coalesce(sentiment.tickets, 0) as tickets,
    cast(coalesce(sentiment.tickets, 0) as double) / nullif(customers_in_view.customers, 0)
        as tickets_per_customer,
    ratings.avg_rating
from segments
left join customers_in_view on customers_in_view.value_segment = segments.value_segment
left join sentiment on sentiment.value_segment = segments.value_segment
left join ratings on ratings.value_segment = segments.value_segment
order by segments.segment_order
