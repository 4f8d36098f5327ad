-- Customers in view per health band (analytics.customer_health; rules in docs/health.md, thresholds in
-- config/rules.toml [health]). All three bands are returned, in this fixed order (band_order 1-3): green, yellow,
-- red; an empty band has customers 0 and a NULL average.
-- Customers in view: kept by the global customer filters. The date range does not apply: the score is as of the
-- warehouse's as_of_date (and previous_* as of trend_days before it).
-- min_score / max_score: the band's score range, min_score <= score < max_score (green: up to 100 included).
-- share_of_customers = customers / customers in view with a score (0 when there are none); customers without a
-- score (not signed up by the date, or no measure computable) are in customers_in_view only.
-- previous_customers / previous_share_of_customers: the same customers by their band as of the previous date
-- (customers without a previous score, e.g. signed up since, are not counted); customers_change = customers -
-- previous_customers.
with customers as (
    select health.health_score, health.health_band, health.previous_health_band
    from analytics.customer_health as health
    inner join analytics.customer_dimensions as dims on dims.customer_id = health.customer_id
    where {{ snippet_customer_in_view }}
),

bands as (
    select *
    from (
        values
            (1, 'green', {{ health_green_min_score }}, 100),
            (2, 'yellow', {{ health_yellow_min_score }}, {{ health_green_min_score }}),
            (3, 'red', 0, {{ health_yellow_min_score }})
    ) as bands (band_order, health_band, min_score, max_score)
),

in_view as (
    select
        count(*) as customers_in_view,
        count(health_band) as scored_customers,
        count(previous_health_band) as previous_scored_customers
    from customers
),

current_bands as (
    select health_band, count(*) as customers, avg(health_score) as avg_health_score
    from customers
    where health_band is not null
    group by health_band
),

previous_bands as (
    select previous_health_band as health_band, count(*) as customers
    from customers
    where previous_health_band is not null
    group by previous_health_band
)

select
    bands.band_order,
    bands.health_band,
    bands.min_score,
    bands.max_score,
    coalesce(current_bands.customers, 0) as customers,
    case
        when in_view.scored_customers > 0
            then cast(coalesce(current_bands.customers, 0) as double) / in_view.scored_customers
        else 0.0
    end as share_of_customers,
    current_bands.avg_health_score,
    coalesce(previous_bands.customers, 0) as previous_customers,
    case
        when in_view.previous_scored_customers > 0
            then cast(coalesce(previous_bands.customers, 0) as double) / in_view.previous_scored_customers
        else 0.0
    end as previous_share_of_customers,
    coalesce(current_bands.customers, 0) - coalesce(previous_bands.customers, 0) as customers_change,
    in_view.customers_in_view
from bands
cross join in_view
left join current_bands on current_bands.health_band = bands.health_band
left join previous_bands on previous_bands.health_band = bands.health_band
order by bands.band_order
