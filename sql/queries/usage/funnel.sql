-- A funnel over an ordered list of features (:funnel_features, 1 to 6 feature names, in the user's order; no
-- repeats), over the days of the date range, for the teams in view. The actors are users (a user_id within a team).
--   step 1 is reached on the first day in the range the user used feature 1;
--   step k (k > 1) on the first day, on or after the day step k-1 was reached, on which the user used feature k.
-- Read from analytics.mart_usage_feature_days (the same rows, sorted by feature and day, users numbered).
-- "After" is by calendar day and includes the same day: usage is stored per day (analytics.mart_usage_daily), so
-- the order of two features used on one day is unknown and both orders count. There is no time limit between
-- steps other than the range. Taking the earliest day at every step is what finds a user who did the features in
-- this order at any point in the range.
--   users          = users who reached the step
--   teams          = teams with at least one such user
--   share_of_first = users / users of step 1; share_of_previous = users / users of the previous step (NULL when
--                    the earlier step has nobody)
--   median_days_from_previous = the median of the days between reaching step k-1 and step k (NULL for step 1)
-- One row per step of the list, steps nobody reached included (0 users). Steps are written out (at most 6) rather
-- than recursive: an aggregate in a recursive CTE is not portable (PostgreSQL rejects it).
with step_1 as (
    select usage.user_key, min(usage.customer_id) as customer_id, min(usage.activity_date) as reached,
        cast(null as integer) as days
    from analytics.mart_usage_feature_days as usage
    inner join analytics.customer_dimensions as dims on dims.customer_id = usage.customer_id
    where usage.feature_name = :funnel_features[1]
        and usage.activity_date between :date_from and :date_to
        and {{ snippet_customer_in_view }}
    group by usage.user_key
),

step_2 as (
    select usage.user_key, min(usage.customer_id) as customer_id, min(usage.activity_date) as reached,
        date_diff('day', min(previous.reached), min(usage.activity_date)) as days
    from analytics.mart_usage_feature_days as usage
    inner join step_1 as previous
        on previous.user_key = usage.user_key and usage.activity_date >= previous.reached
    where usage.feature_name = :funnel_features[2]
        and usage.activity_date between :date_from and :date_to
    group by usage.user_key
),

step_3 as (
    select usage.user_key, min(usage.customer_id) as customer_id, min(usage.activity_date) as reached,
        date_diff('day', min(previous.reached), min(usage.activity_date)) as days
    from analytics.mart_usage_feature_days as usage
    inner join step_2 as previous
        on previous.user_key = usage.user_key and usage.activity_date >= previous.reached
    where usage.feature_name = :funnel_features[3]
        and usage.activity_date between :date_from and :date_to
    group by usage.user_key
),

step_4 as (
    select usage.user_key, min(usage.customer_id) as customer_id, min(usage.activity_date) as reached,
        date_diff('day', min(previous.reached), min(usage.activity_date)) as days
    from analytics.mart_usage_feature_days as usage
    inner join step_3 as previous
        on previous.user_key = usage.user_key and usage.activity_date >= previous.reached
    where usage.feature_name = :funnel_features[4]
        and usage.activity_date between :date_from and :date_to
    group by usage.user_key
),

step_5 as (
    select usage.user_key, min(usage.customer_id) as customer_id, min(usage.activity_date) as reached,
        date_diff('day', min(previous.reached), min(usage.activity_date)) as days
    from analytics.mart_usage_feature_days as usage
    inner join step_4 as previous
        on previous.user_key = usage.user_key and usage.activity_date >= previous.reached
    where usage.feature_name = :funnel_features[5]
        and usage.activity_date between :date_from and :date_to
    group by usage.user_key
),

step_6 as (
    select usage.user_key, min(usage.customer_id) as customer_id, min(usage.activity_date) as reached,
        date_diff('day', min(previous.reached), min(usage.activity_date)) as days
    from analytics.mart_usage_feature_days as usage
    inner join step_5 as previous
        on previous.user_key = usage.user_key and usage.activity_date >= previous.reached
    where usage.feature_name = :funnel_features[6]
        and usage.activity_date between :date_from and :date_to
    group by usage.user_key
),

reached as (
    select 1 as step, customer_id, days from step_1
    union all
    select 2 as step, customer_id, days from step_2
    union all
    select 3 as step, customer_id, days from step_3
    union all
    select 4 as step, customer_id, days from step_4
    union all
    select 5 as step, customer_id, days from step_5
    union all
    select 6 as step, customer_id, days from step_6
),

counts as (
    select
        step,
        count(*) as users,
        count(distinct customer_id) as teams,
        median(days) as median_days_from_previous
    from reached
    group by step
),

steps as (
    select feature_name, step
    from unnest(:funnel_features) with ordinality as listed (feature_name, step)
),

measured as (
    select
        steps.step,
        steps.feature_name,
        coalesce(counts.users, 0) as users,
        coalesce(counts.teams, 0) as teams,
        counts.median_days_from_previous
    from steps
    left join counts on counts.step = steps.step
)

select
    step,
    feature_name,
    users,
    teams,
    cast(users as double) / nullif(first_value(users) over (order by step), 0) as share_of_first,
    cast(users as double) / nullif(lag(users) over (order by step), 0) as share_of_previous,
    median_days_from_previous
from measured
order by step
