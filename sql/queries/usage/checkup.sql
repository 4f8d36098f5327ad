-- The Usage tab's check-up cards: one row over the teams in view (customer filters only; the date range does not
-- apply). Team = customer account. Every window counts back from analytics.warehouse_as_of.as_of_date (the newest
-- data), using the flags of analytics.mart_team_activity (config/rules.toml [usage], docs/marts.md):
--   active_teams_30d   = teams with usage on a day d with as_of_date - d < active_window_days (30)
--   inactive_teams_6m  = teams never used, or last used more than inactive_team_after_days (182) days before
--   never_used_teams   = teams without any usage event (counted in inactive_teams_6m too)
--   users, active_users_30d, super_users_30d = sums of the teams' team_size / active / super users
--     (super user: >= super_user_min_actions (20) actions in the last super_user_window_days (30) days)
--   most_recent_*      = the team used last; among teams used on that same day the one with the most events in
--     the last 30 days, then the smallest id; most_recent_ties = the other teams used that day.
--   usage_rows         = rows of analytics.mart_usage_daily in the whole warehouse (0: no usage data was loaded).
with teams as (
    select
        activity.customer_id,
        activity.team_size,
        activity.active_users_30d,
        activity.super_users_30d,
        activity.events_30d,
        activity.last_activity_date,
        activity.is_active_30d,
        activity.is_inactive_6m
    from analytics.mart_team_activity as activity
    inner join analytics.customer_dimensions as dims on dims.customer_id = activity.customer_id
    where {{ snippet_customer_in_view }}
),

most_recent as (
    select customer_id, last_activity_date
    from teams
    where last_activity_date is not null
    order by last_activity_date desc, events_30d desc, customer_id
    limit 1
),

as_of as (
    select as_of_date from analytics.warehouse_as_of
)

select
    count(*) as teams,
    count(case when teams.team_size > 0 then 1 end) as teams_with_users,
    count(case when teams.is_active_30d then 1 end) as active_teams_30d,
    count(case when teams.is_inactive_6m then 1 end) as inactive_teams_6m,
    count(case when teams.last_activity_date is null then 1 end) as never_used_teams,
    cast(coalesce(sum(teams.team_size), 0) as bigint) as users,
    cast(coalesce(sum(teams.active_users_30d), 0) as bigint) as active_users_30d,
    cast(coalesce(sum(teams.super_users_30d), 0) as bigint) as super_users_30d,
    (select customer_id from most_recent) as most_recent_team,
    (select base.customer_name from analytics.customer_base as base
        where base.customer_id = (select customer_id from most_recent)) as most_recent_team_name,
    (select last_activity_date from most_recent) as most_recent_date,
    greatest(count(case when teams.last_activity_date = (select last_activity_date from most_recent) then 1 end) - 1,
        0) as most_recent_ties,
    (select as_of_date from as_of) as as_of_date,
    (select count(*) from analytics.mart_usage_daily) as usage_rows
from teams
