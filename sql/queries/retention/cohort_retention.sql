-- Monthly cohort retention of the customers in view: the heatmap of the Retention tab. One row per cohort
-- (cohort_month = the month the customers signed up) and month since sign-up (0 = the sign-up month), from
-- month 0 to the month of analytics.warehouse_as_of.as_of_date; months with nobody active are included with 0.
-- Cohorts in view: whole cohorts whose sign-up month overlaps the global date range (a range from 15 March
-- takes the whole March cohort), counting only the customers kept by the global customer filters. A range
-- starting on :data_start (the first day of the data, where "All time" starts: WarehouseReader.date_bounds)
-- also takes every earlier cohort. The date range picks cohorts, not activity: every cohort is followed up to
-- the as-of month. The interaction type and review language filters do not apply.
-- Activity: analytics.mart_customer_active_months (any interaction, usage event or order with amount > 0 in
-- the month; activity before the sign-up month is ignored).
-- cell_status:
--   'measured'     the activity data covers the whole month;
--   'in_progress'  the as-of month when as_of_date is not its last day (the rate is still rising);
--   'no_data'      a month before the first month with any activity in the warehouse (the data does not
--                  reach back that far, so 0 would be a false reading): active_customers and retention_pct NULL.
-- retention_pct = 100 * active_customers / cohort_size.
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
    -- every cohort's months from its sign-up month to the as-of month (the grid of all customers' cohorts)
    select cohort_month, activity_month, months_since_signup
    from analytics.mart_cohort_retention
),

coverage as (
    -- where the activity data starts: the first month with any retention activity, of any customer
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

cells as (
    select
        grid.cohort_month,
        grid.months_since_signup,
        grid.activity_month,
        cohorts.cohort_size,
        coalesce(active.active_customers, 0) as active_customers,
        case
            when coverage.first_month is null or grid.activity_month < coverage.first_month
                or grid.activity_month > as_of.as_of_month then 'no_data'
            when grid.activity_month = as_of.as_of_month and not as_of.as_of_is_month_end then 'in_progress'
            else 'measured'
        end as cell_status
    from grid
    inner join cohorts on cohorts.cohort_month = grid.cohort_month
    cross join coverage
    cross join as_of
    left join active
        on active.cohort_month = grid.cohort_month and active.months_since_signup = grid.months_since_signup
)

select
    cohort_month,
    months_since_signup,
    activity_month,
    cohort_size,
    cell_status,
    case when cell_status <> 'no_data' then active_customers end as active_customers,
    case when cell_status <> 'no_data' then 100.0 * active_customers / cohort_size end as retention_pct
from cells
order by cohort_month, months_since_signup
