-- The Usage tab's "Inactive for over 6 months" count (usage/checkup: inactive_teams_6m) as it stood
-- [executive] usage_change_days days before the newest data: what the executive summary compares today's count
-- with. One row over the teams in view (customer filters only; the date range does not apply, as on the Usage tab).
-- Team = customer account. As in analytics.mart_team_activity, with earlier_date = as_of_date -
-- usage_change_days in place of the as-of date and only the usage up to that day:
--   earlier_teams             = teams whose customer had signed up by earlier_date
--   earlier_inactive_teams_6m = those of them without any usage up to earlier_date, or whose last usage day was
--                               more than [usage] inactive_team_after_days days before it
--   usage_rows                = rows of analytics.mart_usage_daily (0: no usage data was loaded)
with as_of as (
    select
        as_of_date,
        cast(as_of_date - {{ executive_usage_change_days }} * interval '1 day' as date) as earlier_date
    from analytics.warehouse_as_of
),

teams as (
    select dims.customer_id
    from analytics.customer_dimensions as dims
    cross join as_of
    where dims.sign_up_date <= as_of.earlier_date
        and {{ snippet_customer_in_view }}
),

earlier_usage as (
    select daily.customer_id, max(daily.activity_date) as last_activity_date
    from analytics.mart_usage_daily as daily
    cross join as_of
    where daily.activity_date <= as_of.earlier_date
    group by daily.customer_id
),

flagged as (
    select
        coalesce(
            date_diff('day', earlier_usage.last_activity_date, as_of.earlier_date)
            > {{ usage_inactive_team_after_days }},
            true
        ) as was_inactive_6m
    from teams
    cross join as_of
    left join earlier_usage on earlier_usage.customer_id = teams.customer_id
)

select
    (select earlier_date from as_of) as earlier_date,
    count(*) as earlier_teams,
    count(case when was_inactive_6m then 1 end) as earlier_inactive_teams_6m,
    (select count(*) from analytics.mart_usage_daily) as usage_rows
from flagged
