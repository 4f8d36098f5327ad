-- Retention by sign-up month: one row per cohort (customers who signed up in cohort_month) and calendar
-- month from the cohort's month up to the month of as_of_date (analytics.warehouse_as_of), months with no
-- active customer included with 0. months_since_signup: 0 = the sign-up month itself.
-- Rules: a customer is active in a month as analytics.mart_customer_active_months says (any interaction, product
-- usage event or order with amount > 0 dated in that month; reviews, tickets and refunds are not counted: a
-- complaint is not retention). Activity before the sign-up month is outside the grid and ignored.
-- retention_rate = active_customers / cohort_size (0..1).
with recursive customers as (
    select customer_id, cast(date_trunc('month', sign_up_date) as date) as cohort_month
    from analytics.customer_base
),

as_of as (
    select cast(date_trunc('month', as_of_date) as date) as as_of_month from analytics.warehouse_as_of
),

cohorts as (
    select cohort_month, count(*) as cohort_size from customers group by cohort_month
),

-- the month grid per cohort, by recursion (portable: no generate_series; Snowflake wants the column list);
-- month 0 always exists, even for a cohort that signed up after as_of_date
grid (cohort_month, activity_month, months_since_signup) as (
    select cohort_month, cohort_month as activity_month, 0 as months_since_signup from cohorts
    union all
    select grid.cohort_month, cast(grid.activity_month + interval '1 month' as date), grid.months_since_signup + 1
    from grid
    cross join as_of
    where grid.activity_month < as_of.as_of_month
),

active as (
    select cohort_month, activity_month, count(*) as active_customers
    from analytics.mart_customer_active_months
    where months_since_signup >= 0
    group by cohort_month, activity_month
)

select
    grid.cohort_month,
    grid.activity_month,
    grid.months_since_signup,
    cohorts.cohort_size,
    coalesce(active.active_customers, 0) as active_customers,
    cast(coalesce(active.active_customers, 0) as double) / cohorts.cohort_size as retention_rate
from grid
inner join cohorts on cohorts.cohort_month = grid.cohort_month
left join active on active.cohort_month = grid.cohort_month and active.activity_month = grid.activity_month
