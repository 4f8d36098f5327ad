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
with cells as (
    {{ snippet_retention_cells }}
),

measured as (
    select cohort_month, months_since_signup, cohort_size, active_customers
    from cells
    where cell_status = 'measured'
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
