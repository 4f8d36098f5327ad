-- The first and last dates with any activity — interactions, reviews, tickets (scored or not), product usage and
-- orders: "all time" for the date filter, and the anchor of the presets (last 7/30/90 days, year to date are
-- relative to the newest data, not today). Usage and orders count so that "all time" covers the Usage tab and
-- the customer timeline too.
with records as (
    select min(record_date) as first_date, max(record_date) as last_date
    from analytics.mart_scored_records
),

usage as (
    select min(activity_date) as first_date, max(activity_date) as last_date
    from analytics.mart_usage_daily
),

orders as (
    select min(cast(order_date as date)) as first_date, max(cast(order_date as date)) as last_date
    from staging.stg_orders
),

bounds as (
    select first_date, last_date from records
    union all
    select first_date, last_date from usage
    union all
    select first_date, last_date from orders
)

select
    cast(min(first_date) as date) as first_date,
    cast(max(last_date) as date) as last_date
from bounds
