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
with cells as (
    {{ snippet_retention_cells }}
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
