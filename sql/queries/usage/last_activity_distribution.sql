-- Teams in view per month of their last usage (analytics.mart_team_activity.last_activity_date, all time) and
-- activity status as of analytics.warehouse_as_of.as_of_date (customer filters only; the date range does not apply):
--   'active'   used in the last active_window_days (30) days (is_active_30d)
--   'inactive' last used more than inactive_team_after_days (182) days before as_of_date (is_inactive_6m)
--   'quiet'    in between
--   'never'    no usage at all: one row with last_activity_month NULL
-- A month can hold two statuses (the month where a window starts). Ordered by month, never-used teams last.
with teams as (
    select
        activity.last_activity_date,
        case
            when activity.last_activity_date is null then 'never'
            when activity.is_active_30d then 'active'
            when activity.is_inactive_6m then 'inactive'
            else 'quiet'
        end as activity_status
    from analytics.mart_team_activity as activity
    inner join analytics.customer_dimensions as dims on dims.customer_id = activity.customer_id
    where {{ snippet_customer_in_view }}
)

select
    cast(date_trunc('month', last_activity_date) as date) as last_activity_month,
    activity_status,
    count(*) as teams
from teams
group by 1, 2
order by 1 nulls last, 2
