-- The users of the account :customer_id (analytics.mart_user_activity, with name, role and last login from the
-- users file), at most :limit, most actions in the last 30 days first, then by user id. As of the newest data
-- (analytics.warehouse_as_of); the date range does not apply. Per user: join date, last login, first and last
-- usage day and the days since it, actions (events) and active days in the last 30 days, is_super_user (>= 20
-- actions in 30 days), is_active (any usage in 30 days), favourite feature (most events in the 30 days, ties to
-- the alphabetically first; NULL without usage in the window). Rules: docs/marts.md, config/rules.toml [usage].
-- Users seen only in usage events have no name, role or join date. users_total: all users of the account.
with activity as (
    select * from analytics.mart_user_activity
    where customer_id = :customer_id and customer_id in ({{ snippet_customers_in_scope }})
),

users as (
    select user_id, user_name, role, last_login_date
    from staging.stg_users
    where customer_id = :customer_id
),

as_of as (
    select as_of_date from analytics.warehouse_as_of
)

select
    activity.user_id,
    users.user_name,
    users.role,
    activity.join_date,
    users.last_login_date,
    activity.first_activity_date,
    activity.last_activity_date,
    date_diff('day', activity.last_activity_date, as_of.as_of_date) as days_since_last_activity,
    activity.actions_last_30d,
    activity.active_days_last_30d,
    activity.is_super_user,
    activity.is_active,
    activity.favourite_feature,
    (select count(*) from activity) as users_total
from activity
cross join as_of
left join users on users.user_id = activity.user_id
order by activity.actions_last_30d desc, activity.user_id
limit :limit
