-- The :limit teams in view with the most usage events in the last active_window_days (30) days of
-- analytics.warehouse_as_of.as_of_date (analytics.mart_team_activity.events_30d; customer filters only, the date
-- range does not apply), most first, then by customer id. Teams without events in the window are left out.
-- active_users_30d / super_users_30d: users with any usage / with >= super_user_min_actions (20) actions in the
-- window (analytics.mart_user_activity).
select
    activity.customer_id,
    base.customer_name,
    activity.events_30d,
    activity.active_users_30d,
    activity.super_users_30d,
    activity.team_size,
    activity.last_activity_date
from analytics.mart_team_activity as activity
inner join analytics.customer_dimensions as dims on dims.customer_id = activity.customer_id
inner join analytics.customer_base as base on base.customer_id = activity.customer_id
where {{ snippet_customer_in_view }}
    and activity.events_30d > 0
order by activity.events_30d desc, activity.customer_id
limit :limit
