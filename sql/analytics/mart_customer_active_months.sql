-- Retention activity per customer and calendar month: one row per customer of analytics.customer_base and
-- month in which the customer was active (activity_month = the month's first day, DATE).
-- Rules (the one definition of "active" for retention; mart_cohort_retention and sql/queries/retention/ read it):
--   active in a month = any interaction, product usage event (a mart_usage_daily row) or order with amount > 0
--   dated in that month. Reviews, tickets and refunds are not activity: a complaint or a cancellation is not
--   retention.
-- cohort_month = the month of sign_up_date; months_since_signup = calendar months from cohort_month to
-- activity_month (0 = the sign-up month). Months before the sign-up month are kept with a negative
-- months_since_signup so that the earliest activity_month here is where the warehouse's activity data starts;
-- every retention figure ignores them.
with customers as (
    select
        customer_id,
        cast(date_trunc('month', sign_up_date) as date) as cohort_month
    from analytics.customer_base
),

interactions as (
    select customer_id, cast(interaction_date as date) as activity_date
    from analytics.fact_customer_interactions
),

usage_days as (
    select customer_id, activity_date
    from analytics.mart_usage_daily
),

orders as (
    select customer_id, cast(order_date as date) as activity_date
    from staging.stg_orders
    where amount > 0
),

activity as (
    select customer_id, activity_date from interactions
    union all
    select customer_id, activity_date from usage_days
    union all
    select customer_id, activity_date from orders
),

active_months as (
    select distinct
        customer_id,
        cast(date_trunc('month', activity_date) as date) as activity_month
    from activity
)

select
    customers.customer_id,
    customers.cohort_month,
    active_months.activity_month,
    -- year/month arithmetic rather than date_diff('month', ...): the same result in every dialect
    cast(
        (extract(year from active_months.activity_month) - extract(year from customers.cohort_month)) * 12
        + extract(month from active_months.activity_month) - extract(month from customers.cohort_month)
        as integer
    ) as months_since_signup
from active_months
inner join customers on customers.customer_id = active_months.customer_id
-- stored by cohort: the dashboard's queries select whole cohorts, so DuckDB can skip the other blocks
order by customers.cohort_month, customers.customer_id, active_months.activity_month
