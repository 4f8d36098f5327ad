-- One row for the account (team) :customer_id, as of the newest data (analytics.warehouse_as_of; the date range
-- does not apply): team size, onboarding (join) date, first and last product usage, days since the last usage,
-- active, inactive and super users of the last 30 days, events of the last 30 days, the latest login of any user.
-- Rules (docs/marts.md, config/rules.toml [usage]): users = the users file plus users seen only in usage events;
-- a user is active with usage on a day d with 0 <= as_of_date - d < active_window_days (30) and a super user with
-- at least super_user_min_actions (20) events in the last super_user_window_days (30) days; inactive users =
-- team_size - active users. has_usage tells "no product usage data" apart from "no usage recently".
-- No row when the customer is unknown.
with team as (
    select * from analytics.mart_team_activity
    where customer_id = :customer_id and customer_id in ({{ snippet_customers_in_scope }})
),

logins as (
    select max(last_login_date) as last_login_date
    from staging.stg_users
    where customer_id = :customer_id
),

as_of as (
    select as_of_date from analytics.warehouse_as_of
)

select
    team.customer_id,
    team.team_size,
    team.onboarded_date,
    team.first_activity_date,
    team.last_activity_date,
    team.days_since_last_activity,
    team.active_users_30d,
    team.team_size - team.active_users_30d as inactive_users_30d,
    team.super_users_30d,
    team.events_30d,
    team.is_active_30d,
    team.is_inactive_6m,
    team.first_activity_date is not null as has_usage,
    logins.last_login_date,
    as_of.as_of_date
from team
cross join logins
cross join as_of
