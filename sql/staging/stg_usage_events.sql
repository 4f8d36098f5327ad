-- Product usage events: one row per user, feature and time as loaded (customer_id is the team/account).
select
    user_id,
    customer_id,
    event_date,
    feature_name,
    events_count
from raw_usage_events
