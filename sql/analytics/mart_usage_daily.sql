-- Product usage per team (customer_id), user, feature and calendar day: the base of every usage mart.
-- Rules:
--   events = sum(events_count); a missing events_count counts as 1 (the source contract's default).
--   Rows recording 0 events are not activity and are left out, so a row here always means "used that day".
--   activity_date is the event's calendar date (the time of day is dropped).
with usage_events as (
    select
        customer_id,
        user_id,
        feature_name,
        cast(event_date as date) as activity_date,
        coalesce(events_count, 1) as events_count
    from staging.stg_usage_events
)

select
    customer_id,
    user_id,
    feature_name,
    activity_date,
    cast(sum(events_count) as bigint) as events
from usage_events
where events_count > 0
group by customer_id, user_id, feature_name, activity_date
