-- Usage per feature and calendar day: events, and how many teams and users used the feature that day.
-- The base for adoption (active teams of a feature / active teams) and stickiness (daily / monthly users).
-- Only days on which the feature was used have a row (from analytics.mart_usage_daily: events > 0).
with usage_daily as (
    select * from analytics.mart_usage_daily
)

select
    feature_name,
    activity_date,
    cast(sum(events) as bigint) as events,
    count(distinct customer_id) as active_teams,
    count(distinct user_id) as active_users
from usage_daily
group by feature_name, activity_date
