-- One row per customer (team), every customer included: size, recent and lifetime usage, inactivity.
-- Activity here means product usage (analytics.mart_usage_daily); dates are calendar dates.
-- Rules (config/rules.toml [usage]), as_of_date from analytics.warehouse_as_of:
--   the last N days = days d with 0 <= as_of_date - d < N (N = active_window_days; as in mart_user_activity)
--   active_users_30d / super_users_30d = users flagged is_active / is_super_user in mart_user_activity
--   days_since_last_activity = as_of_date - last_activity_date (0 = used on as_of_date; NULL = never)
--   is_active_30d = days_since_last_activity < active_window_days
--   is_inactive_6m = never used, or days_since_last_activity > inactive_team_after_days (182 -> still active)
--   onboarded_date = earliest join_date of the team's users, else the customer's sign_up_date
with customers as (
    select customer_id, sign_up_date from analytics.customer_base
),

as_of as (
    select as_of_date from analytics.warehouse_as_of
),

users as (
    select
        customer_id,
        count(*) as team_size,
        count(case when is_active then 1 end) as active_users_30d,
        count(case when is_super_user then 1 end) as super_users_30d,
        min(join_date) as first_join_date
    from analytics.mart_user_activity
    group by customer_id
),

usage_daily as (
    select
        daily.*,
        date_diff('day', daily.activity_date, as_of.as_of_date) as days_before_as_of
    from analytics.mart_usage_daily as daily
    cross join as_of
),

team_usage as (
    select
        customer_id,
        min(activity_date) as first_activity_date,
        max(activity_date) as last_activity_date,
        cast(sum(
            case when days_before_as_of < {{ usage_active_window_days }} then events else 0 end
        ) as bigint) as events_30d
    from usage_daily
    group by customer_id
),

teams as (
    select
        customers.customer_id,
        coalesce(users.team_size, 0) as team_size,
        coalesce(users.active_users_30d, 0) as active_users_30d,
        coalesce(users.super_users_30d, 0) as super_users_30d,
        coalesce(team_usage.events_30d, 0) as events_30d,
        team_usage.first_activity_date,
        team_usage.last_activity_date,
        date_diff('day', team_usage.last_activity_date, as_of.as_of_date) as days_since_last_activity,
        coalesce(users.first_join_date, customers.sign_up_date) as onboarded_date
    from customers
    cross join as_of
    left join users on users.customer_id = customers.customer_id
    left join team_usage on team_usage.customer_id = customers.customer_id
)

select
    customer_id,
    team_size,
    active_users_30d,
    super_users_30d,
    events_30d,
    first_activity_date,
    last_activity_date,
    days_since_last_activity,
    coalesce(days_since_last_activity < {{ usage_active_window_days }}, false) as is_active_30d,
    coalesce(days_since_last_activity > {{ usage_inactive_team_after_days }}, true) as is_inactive_6m,
    onboarded_date
from teams
