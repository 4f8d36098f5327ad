-- The teams in view onboarded most recently (customer filters only; the date range does not apply): :limit rows,
-- newest first, then by customer id. onboarded_date (analytics.mart_team_activity) = the earliest join_date of the
-- team's users, else the customer's sign_up_date. team_size = users of the team (users file plus users seen only
-- in usage events); active_users_30d = users with usage in the last active_window_days (30) days of as_of_date.
select
    activity.customer_id,
    base.customer_name,
    activity.onboarded_date,
    activity.team_size,
    activity.active_users_30d,
    activity.events_30d,
    activity.last_activity_date
from analytics.mart_team_activity as activity
inner join analytics.customer_dimensions as dims on dims.customer_id = activity.customer_id
inner join analytics.customer_base as base on base.customer_id = activity.customer_id
where {{ snippet_customer_in_view }}
order by activity.onboarded_date desc nulls last, activity.customer_id
limit :limit
