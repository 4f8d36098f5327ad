-- One row per customer in view who has at least one scored record in view: the customer's sentiment
-- volatility (max - min) and trend (last - first) over their whole history (analytics.sentiment_trends),
-- average sentiment and overall sentiment label. At most :max_points customers are returned, a fixed
-- sample (ordered by the md5 of the customer id, so the same filters always give the same points);
-- customers_in_view is the count before sampling.
with records as (
    {{ snippet_records_in_view }}
),

active_customers as (
    select distinct customer_id
    from records
    where sentiment_score is not null
),

trends as (
    select * from analytics.sentiment_trends
),

customers as (
    select
        trends.customer_id,
        trends.sentiment_volatility,
        trends.sentiment_trend,
        trends.avg_sentiment,
        trends.sentiment_count,
        dims.overall_sentiment
    from trends
    inner join analytics.customer_dimensions as dims on dims.customer_id = trends.customer_id
    -- active_customers already passed the customer filters (records_in_view applies them)
    inner join active_customers on active_customers.customer_id = trends.customer_id
)

select
    customer_id,
    sentiment_volatility,
    sentiment_trend,
    avg_sentiment,
    sentiment_count,
    overall_sentiment,
    count(*) over () as customers_in_view
from customers
order by md5(customer_id), customer_id
limit :max_points
