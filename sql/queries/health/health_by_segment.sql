-- Average health of the customers in view per value segment and per persona (analytics.customer_health;
-- docs/health.md), as one long table: dimension 'value_segment' (rows High Value, Medium Value, Low Value) then
-- dimension 'persona' (derived personas, alphabetical); only values with customers in view are returned.
-- Customers in view: kept by the global customer filters. The date range does not apply: the score is as of the
-- warehouse's as_of_date.
-- customers = customers in view with that value; scored_customers = those with a score; the averages are over
-- customers with the value(s) involved (avg_health_change: customers with both scores);
-- green/yellow/red_customers: customers per band.
with customers as (
    select
        dims.value_segment,
        dims.derived_persona,
        health.health_score,
        health.previous_health_score,
        health.health_change,
        health.health_band
    from analytics.customer_health as health
    inner join analytics.customer_dimensions as dims on dims.customer_id = health.customer_id
    where {{ snippet_customer_in_view }}
),

by_value_segment as (
    select
        1 as dimension_order,
        'value_segment' as dimension,
        value_segment as dimension_value,
        case value_segment when 'High Value' then 1 when 'Medium Value' then 2 when 'Low Value' then 3 else 4 end
            as value_order,
        count(*) as customers,
        count(health_score) as scored_customers,
        avg(health_score) as avg_health_score,
        avg(previous_health_score) as avg_previous_health_score,
        avg(health_change) as avg_health_change,
        count(case when health_band = 'green' then 1 end) as green_customers,
        count(case when health_band = 'yellow' then 1 end) as yellow_customers,
        count(case when health_band = 'red' then 1 end) as red_customers
    from customers
    group by value_segment
),

by_persona as (
    select
        2 as dimension_order,
        'persona' as dimension,
        derived_persona as dimension_value,
        0 as value_order,
        count(*) as customers,
        count(health_score) as scored_customers,
        avg(health_score) as avg_health_score,
        avg(previous_health_score) as avg_previous_health_score,
        avg(health_change) as avg_health_change,
        count(case when health_band = 'green' then 1 end) as green_customers,
        count(case when health_band = 'yellow' then 1 end) as yellow_customers,
        count(case when health_band = 'red' then 1 end) as red_customers
    from customers
    group by derived_persona
),

combined as (
    select * from by_value_segment
    union all
    select * from by_persona
)

select
    dimension,
    dimension_value,
    customers,
    scored_customers,
    avg_health_score,
    avg_previous_health_score,
    avg_health_change,
    green_customers,
    yellow_customers,
    red_customers
from combined
order by dimension_order, value_order, dimension_value
