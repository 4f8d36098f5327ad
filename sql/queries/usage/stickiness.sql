-- Stickiness (DAU/MAU) per feature of :features (feature names, most used first; the caller passes at most 20) and
-- over all features, for the teams in view, measured over the last active_window_days (30) days of the date range:
-- the days from max(:date_from, :date_to - 29) to :date_to (the whole range when it is shorter). A user is a user_id
-- within a team; "active" = at least one usage event.
--   window_days = the number of days in that window (30, or fewer for a shorter range)
--   dau         = average daily active users over the window's days: the sum over its days of the users active
--                 that day / window_days (days without use count as 0)
--   mau         = users active on at least one day of the window
--   stickiness  = dau / mau (0..1; NULL with nobody active): the average share of the window's days on which an
--                 active user came back. 1 = every active user used it every day.
-- Per feature, "active" means used that feature; the row with is_overall = true counts any feature, listed or not
-- (a user active on a day with two features is one daily user there). Rows: the overall row, then the features by
-- stickiness.
-- How, for speed at scale: one pass over the window's usage gives each user a bit mask of the features used (bit
-- k-1 = the k-th feature of :features) and one of the days used (bit i = the day i days before the window's last
-- day); users are counted per distinct mask and the counts read from the bits (a user's active days = the set bits
-- of the day mask). A feature's user-days are its rows of analytics.mart_usage_daily, which has one row per team,
-- user, feature and day. The window needs at most 62 days (the bits of a BIGINT; tested against config).
with recursive window_offsets (day_offset) as (
    select 0
    union all
    select day_offset + 1 from window_offsets where day_offset + 1 < {{ usage_active_window_days }}
),

window_bounds as (
    select
        greatest(cast(:date_from as date), cast(:date_to as date) - ({{ usage_active_window_days }} - 1)) as first_day,
        cast(:date_to as date) as last_day
),

user_masks as (
    select
        customer_id,
        user_id,
        coalesce(bit_or(cast(1 as bigint) << (array_position(:features, feature_name) - 1)), 0) as feature_mask,
        bit_or(cast(1 as bigint) << date_diff('day', activity_date, cast(:date_to as date))) as day_mask
    from analytics.mart_usage_daily
    -- the window's bounds written out (not joined from window_bounds): constant bounds are pushed into the scan
    where activity_date
        between greatest(cast(:date_from as date), cast(:date_to as date) - ({{ usage_active_window_days }} - 1))
        and cast(:date_to as date)
    group by customer_id, user_id
),

users_in_view as (
    select user_masks.feature_mask, user_masks.day_mask
    from user_masks
    inner join analytics.customer_dimensions as dims on dims.customer_id = user_masks.customer_id
    where {{ snippet_customer_in_view }}
),

feature_user_days as (
    select usage.feature_name, count(*) as user_days
    from analytics.mart_usage_daily as usage
    inner join analytics.customer_dimensions as dims on dims.customer_id = usage.customer_id
    where usage.activity_date
        between greatest(cast(:date_from as date), cast(:date_to as date) - ({{ usage_active_window_days }} - 1))
        and cast(:date_to as date)
        and {{ snippet_customer_in_view }}
    group by usage.feature_name
),

feature_masks as (
    select feature_mask, count(*) as users
    from users_in_view
    group by feature_mask
),

day_masks as (
    select day_mask, count(*) as users
    from users_in_view
    group by day_mask
),

overall as (
    select
        true as is_overall,
        'All features' as feature_name,
        0 as position,
        (select coalesce(sum(day_masks.users), 0) from day_masks cross join window_offsets
            where (day_masks.day_mask >> window_offsets.day_offset) & 1 = 1) as user_days,
        (select coalesce(sum(users), 0) from day_masks) as mau
),

features as (
    select
        false as is_overall,
        listed.feature_name,
        listed.position,
        coalesce(max(feature_user_days.user_days), 0) as user_days,
        coalesce(sum(case when (feature_masks.feature_mask >> (listed.position - 1)) & 1 = 1
            then feature_masks.users else 0 end), 0) as mau
    from unnest(:features) with ordinality as listed (feature_name, position)
    cross join feature_masks
    left join feature_user_days on feature_user_days.feature_name = listed.feature_name
    group by listed.feature_name, listed.position
),

measures as (
    select * from overall
    union all
    select * from features
)

select
    measures.is_overall,
    measures.feature_name,
    window_bounds.first_day as window_first_day,
    window_bounds.last_day as window_last_day,
    date_diff('day', window_bounds.first_day, window_bounds.last_day) + 1 as window_days,
    cast(measures.user_days as double) / (date_diff('day', window_bounds.first_day, window_bounds.last_day) + 1)
        as dau,
    cast(measures.mau as bigint) as mau,
    cast(measures.user_days as double)
        / (date_diff('day', window_bounds.first_day, window_bounds.last_day) + 1) / nullif(measures.mau, 0)
        as stickiness
from measures
cross join window_bounds
order by measures.is_overall desc, stickiness desc nulls last, measures.position
