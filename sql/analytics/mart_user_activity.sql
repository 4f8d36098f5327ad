-- One row per user (and team): activity over all time and in the window of the last N days.
-- Window: a day d is "in the last N days" when 0 <= as_of_date - d < N, i.e. d in (as_of_date - N, as_of_date]:
-- N calendar days including as_of_date; a day exactly N days before as_of_date is outside.
-- as_of_date comes from analytics.warehouse_as_of (newest activity in the warehouse, not today).
-- Rules (config/rules.toml [usage]):
--   actions_last_30d = events in the last super_user_window_days days;
--   is_super_user = actions_last_30d >= super_user_min_actions;
--   active_days_last_30d, is_active, favourite_feature use the last active_window_days days;
--   favourite_feature = the feature with most events in that window, ties -> alphabetically first; NULL if none.
-- Users are those of the users file plus any user seen only in usage events (join_date NULL then);
-- users without events get 0 actions and are not active.
with as_of as (
    select as_of_date from analytics.warehouse_as_of
),

usage_daily as (
    select
        daily.*,
        date_diff('day', daily.activity_date, as_of.as_of_date) as days_before_as_of
    from analytics.mart_usage_daily as daily
    cross join as_of
),

users as (
    select customer_id, user_id, min(join_date) as join_date
    from (
        select customer_id, user_id, join_date from staging.stg_users
        union all
        select distinct customer_id, user_id, cast(null as date) as join_date from usage_daily
    ) as known_users
    group by customer_id, user_id
),

activity as (
    select
        customer_id,
        user_id,
        min(activity_date) as first_activity_date,
        max(activity_date) as last_activity_date,
        cast(sum(
            case when days_before_as_of < {{ usage_super_user_window_days }} then events else 0 end
        ) as bigint) as actions_last_30d,
        count(distinct case when days_before_as_of < {{ usage_active_window_days }} then activity_date end)
            as active_days_last_30d
    from usage_daily
    group by customer_id, user_id
),

feature_ranks as (
    select
        customer_id,
        user_id,
        feature_name,
        row_number() over (
            partition by customer_id, user_id order by sum(events) desc, feature_name asc
        ) as feature_rank
    from usage_daily
    where days_before_as_of < {{ usage_active_window_days }}
    group by customer_id, user_id, feature_name
)

select
    users.customer_id,
    users.user_id,
    users.join_date,
    activity.first_activity_date,
    activity.last_activity_date,
    coalesce(activity.actions_last_30d, 0) as actions_last_30d,
    coalesce(activity.active_days_last_30d, 0) as active_days_last_30d,
    coalesce(activity.active_days_last_30d, 0) > 0 as is_active,
    coalesce(activity.actions_last_30d, 0) >= {{ usage_super_user_min_actions }} as is_super_user,
    feature_ranks.feature_name as favourite_feature
from users
left join activity on activity.customer_id = users.customer_id and activity.user_id = users.user_id
left join feature_ranks
    on feature_ranks.customer_id = users.customer_id and feature_ranks.user_id = users.user_id
    and feature_ranks.feature_rank = 1
