-- Every cell of the cohort grid in view, as a query body: with cells as ({{ snippet_retention_cells }}) ...
-- One row per cohort in view and month since sign-up: cohort_month, months_since_signup, activity_month,
-- cohort_size, active_customers, cell_status ('measured' / 'in_progress' / 'no_data'). The rules (cohorts in
-- view, activity, cell status) are in sql/queries/retention/cohort_retention.sql and docs/retention.md.
-- Shared by the heatmap (cohort_retention.sql) and the average curve (retention_curve.sql).
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

select * from cells
