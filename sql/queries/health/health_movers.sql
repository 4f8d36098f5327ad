-- The customers in view whose health score fell the most since the previous date (analytics.customer_health;
-- docs/health.md): health_change < 0 only, largest fall first (ties by customer_id), at most :limit rows.
-- Customers in view: kept by the global customer filters. The date range does not apply: the scores are as of
-- the warehouse's as_of_date and trend_days before it.
-- weakest_measure: the measure that costs the customer the most points today ('sentiment_level',
-- 'sentiment_trend', 'tickets', 'rating', 'usage_recency', 'usage_frequency', 'adoption'; NULL when none loses
-- points), with its sub-score and the points it costs.
select
    health.customer_id,
    base.customer_name,
    dims.value_segment,
    dims.derived_persona,
    health.health_score,
    health.health_band,
    health.previous_health_score,
    health.previous_health_band,
    health.health_change,
    health.weakest_measure,
    health.weakest_measure_score,
    health.weakest_measure_points_lost
from analytics.customer_health as health
inner join analytics.customer_dimensions as dims on dims.customer_id = health.customer_id
inner join analytics.customer_base as base on base.customer_id = health.customer_id
where health.health_change < 0
    and {{ snippet_customer_in_view }}
order by health.health_change, health.customer_id
limit :limit
