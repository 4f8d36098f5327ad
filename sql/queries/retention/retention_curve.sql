-- The average retention curve of the cohorts in view, weighted by cohort size, and its drop-offs: one row per
-- month since sign-up that at least one cohort in view has measured. The Retention tab's bold curve, its
-- drop-off marks and its KPI cards.
-- Cohorts, activity and cell status exactly as in retention/cohort_retention.sql (whole cohorts whose sign-up
-- month overlaps the date range, every earlier cohort too when the range starts on :data_start, customers
-- kept by the customer filters, activity from analytics.mart_customer_active_months). Only 'measured' months
-- count here: the as-of month while it is in progress and months before the activity data starts would read
-- as false falls.
--   cohorts, customers  = the cohorts that measured month k and their customers;
--   retention_pct       = 100 * their active customers in month k / customers (the weighted average);
--   step_customers      = customers of the cohorts that measured both month k-1 and month k;
--   change_pp           = like-for-like change from month k-1 to month k in percentage points, over those
--                         same cohorts: 100 * (active in k - active in k-1) / step_customers. Comparing the
--                         same cohorts keeps a change in which cohorts are counted from looking like a fall.
--                         NULL for month 0 and when no cohort measured both months;
--   is_drop_off         = change_pp <= -[retention] drop_off_min_pp and step_customers >=
--                         [retention] drop_off_min_customers (smaller steps are noise, never drop-offs);
--   is_largest_fall     = the step with the most negative change_pp among those with enough customers
--                         (the earliest month on a tie); false everywhere when no such step falls.
with cohort_range as (
    -- sign-up months in view: those that overlap the date range; a range that starts on :data_start, the first
    -- day of the data ("All time"), has no first cohort, so customers who signed up before the activity data
    -- begins are in view too
    select
        case when :date_from = :data_start then null
            else cast(date_trunc('month', cast(:date_from as date)) as date) end as first_cohort_month,
        cast(:date_to as date) as last_day
),

customers as (
    select
        dims.customer_id,
        cast(date_trunc('month', dims.sign_up_date) as date) as cohort_month
    from analytics.customer_dimensions as dims
    cross join cohort_range
    where cast(date_trunc('month', dims.sign_up_date) as date) <= cohort_range.last_day
        and (cohort_range.first_cohort_month is null
            or cast(date_trunc('month', dims.sign_up_date) as date) >= cohort_range.first_cohort_month)
        and {{ snippet_customer_in_view }}
),

active_months as (
    select
        active.customer_id,
        active.months_since_signup
    from analytics.mart_customer_active_months as active
    cross join cohort_range
    -- the cohort condition again, so that DuckDB skips the other cohorts' blocks before the join
    where active.cohort_month <= cohort_range.last_day
        and (cohort_range.first_cohort_month is null or active.cohort_month >= cohort_range.first_cohort_month)
        and active.months_since_signup >= 0
),

grid as (
    select cohort_month, activity_month, months_since_signup
    from analytics.mart_cohort_retention
),

coverage as (
    select min(activity_month) as first_month
    from analytics.mart_customer_active_months
),

as_of as (
    select
        cast(date_trunc('month', as_of_date) as date) as as_of_month,
        extract(day from as_of_date + interval '1 day') = 1 as as_of_is_month_end
    from analytics.warehouse_as_of
),

cohorts as (
    select cohort_month, count(*) as cohort_size
    from customers
    group by cohort_month
),

active as (
    select
        customers.cohort_month,
        active_months.months_since_signup,
        count(*) as active_customers
    from active_months
    inner join customers on customers.customer_id = active_months.customer_id
    group by customers.cohort_month, active_months.months_since_signup
),

measured as (
    select
        grid.cohort_month,
        grid.months_since_signup,
        cohorts.cohort_size,
        coalesce(active.active_customers, 0) as active_customers
    from grid
    inner join cohorts on cohorts.cohort_month = grid.cohort_month
    cross join coverage
    cross join as_of
    left join active
        on active.cohort_month = grid.cohort_month and active.months_since_signup = grid.months_since_signup
    where grid.activity_month >= coverage.first_month
        and (grid.activity_month < as_of.as_of_month
            or (grid.activity_month = as_of.as_of_month and as_of.as_of_is_month_end))
),

steps as (
    select
        measured.months_since_signup,
        measured.cohort_size,
        measured.active_customers,
        previous.active_customers as previous_active_customers
    from measured
    left join measured as previous
        on previous.cohort_month = measured.cohort_month
        and previous.months_since_signup = measured.months_since_signup - 1
),

curve as (
    select
        months_since_signup,
        count(*) as cohorts,
        sum(cohort_size) as customers,
        sum(active_customers) as active_customers,
        100.0 * sum(active_customers) / sum(cohort_size) as retention_pct,
        sum(case when previous_active_customers is not null then cohort_size end) as step_customers,
        100.0 * sum(case when previous_active_customers is not null
                         then active_customers - previous_active_customers end)
            / sum(case when previous_active_customers is not null then cohort_size end) as change_pp
    from steps
    group by months_since_signup
),

judged as (
    select months_since_signup, change_pp
    from curve
    where step_customers >= {{ retention_drop_off_min_customers }}
),

largest_fall as (
    select min(months_since_signup) as months_since_signup
    from judged
    where change_pp < 0 and change_pp = (select min(change_pp) from judged)
)

select
    curve.months_since_signup,
    curve.cohorts,
    curve.customers,
    curve.active_customers,
    curve.retention_pct,
    coalesce(curve.step_customers, 0) as step_customers,
    curve.change_pp,
    coalesce(curve.change_pp <= -{{ retention_drop_off_min_pp }}
        and curve.step_customers >= {{ retention_drop_off_min_customers }}, false) as is_drop_off,
    coalesce(curve.months_since_signup = largest_fall.months_since_signup, false) as is_largest_fall
from curve
cross join largest_fall
order by curve.months_since_signup
