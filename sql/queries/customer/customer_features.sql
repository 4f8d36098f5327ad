-- Feature usage of the account :customer_id (analytics.mart_usage_daily), one row per feature it ever used: events
-- and distinct users in the last 30 days (config/rules.toml [usage] active_window_days) and in the last
-- :long_window_days days, events over all time and the last day used. "The last N days" are the days d with
-- 0 <= as_of_date - d < N (docs/marts.md), as_of_date from analytics.warehouse_as_of: the date range does not apply.
-- Most events in 30 days first, then in the long window, then all time, then by name.
with as_of as (
    select as_of_date from analytics.warehouse_as_of
),

usage as (
    select
        daily.feature_name,
        daily.user_id,
        daily.activity_date,
        daily.events,
        date_diff('day', daily.activity_date, as_of.as_of_date) as days_before_as_of
    from analytics.mart_usage_daily as daily
    cross join as_of
    where daily.customer_id = :customer_id
        and :customer_id in ({{ snippet_customers_in_scope }})
)

select
    feature_name,
    cast(sum(case when days_before_as_of < {{ usage_active_window_days }} then events else 0 end) as bigint)
        as events_30d,
    count(distinct case when days_before_as_of < {{ usage_active_window_days }} then user_id end) as users_30d,
    cast(sum(case when days_before_as_of < :long_window_days then events else 0 end) as bigint) as events_long,
    count(distinct case when days_before_as_of < :long_window_days then user_id end) as users_long,
    cast(sum(events) as bigint) as events_all_time,
    max(activity_date) as last_used_date
from usage
group by feature_name
order by events_30d desc, events_long desc, events_all_time desc, feature_name
