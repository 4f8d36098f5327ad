-- Every team in view (customer filters only; the date range does not apply) with its activity over the last
-- :window_days days of analytics.warehouse_as_of.as_of_date (the days d with as_of_date - d < :window_days): the
-- teams of the team usage profiles (insight/team_profiles.py) and of their table. One row per team, by customer id.
--   window_events       = the team's usage events of every feature in the window (0 without usage)
--   team_size           = users of the team (users file plus users seen only in usage; analytics.mart_team_activity)
--   last_activity_date, days_since_last_activity: the team's last usage, all time (NULL: never used)
with window_events as (
    select customer_id, sum(events) as window_events
    from analytics.mart_usage_daily
    -- a scalar subquery, not a join with warehouse_as_of, so that the window's start is a constant for the scan
    where activity_date > (select as_of_date from analytics.warehouse_as_of) - :window_days
    group by customer_id
)

select
    activity.customer_id,
    base.customer_name,
    activity.team_size,
    cast(coalesce(window_events.window_events, 0) as bigint) as window_events,
    activity.last_activity_date,
    activity.days_since_last_activity
from analytics.mart_team_activity as activity
inner join analytics.customer_dimensions as dims on dims.customer_id = activity.customer_id
inner join analytics.customer_base as base on base.customer_id = activity.customer_id
left join window_events on window_events.customer_id = activity.customer_id
where {{ snippet_customer_in_view }}
order by activity.customer_id
