-- One row: as_of_date = the newest activity date anywhere in the warehouse (interactions, reviews, tickets,
-- usage events, orders), as a DATE. Every "last N days" of the marts counts back from this date, never from
-- the wall clock, so that a warehouse built from last year's files gives the same answer today and next
-- month. Sign-up and join dates are not activity. An empty warehouse gives one row with a NULL date.
with interactions as (
    select max(cast(interaction_date as date)) as activity_date from analytics.fact_customer_interactions
),

reviews as (
    select max(cast(review_date as date)) as activity_date from analytics.fact_product_reviews
),

tickets as (
    select max(cast(ticket_date as date)) as activity_date from analytics.fact_support_tickets
),

usage_events as (
    select max(cast(event_date as date)) as activity_date from staging.stg_usage_events
),

orders as (
    select max(cast(order_date as date)) as activity_date from staging.stg_orders
),

unioned as (
    select activity_date from interactions
    union all
    select activity_date from reviews
    union all
    select activity_date from tickets
    union all
    select activity_date from usage_events
    union all
    select activity_date from orders
)

-- max() ignores the NULLs of empty sources and returns NULL when all of them are empty
select max(activity_date) as as_of_date
from unioned
