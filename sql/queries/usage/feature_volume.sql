-- Usage events per feature (usage events' feature_name) and week or month (:grain), over the days of the date range,
-- for the teams in view: the feature volume and trend charts. One row per feature and period with events; periods
-- are date_trunc(:grain) of the day (weeks start on Monday; the first and last period can be cut by the range).
--   feature_events = the feature's events over the whole date range; feature_share = feature_events / all events;
--   feature_rank   = 1 for the most used feature (ties by name).
-- Why two sources: with no customer filter every team is in view and analytics.mart_feature_usage_daily (one row
-- per feature and day) gives the same sums as analytics.mart_usage_daily (one row per team, user, feature and day)
-- in a few milliseconds instead of a scan of the whole usage mart; with a customer filter the team-level mart is
-- needed. Exactly one branch returns rows.
with scope as (
    select
        :value_segments is null and :personas is null and :churn_risks is null
        and :upsell_opportunities is null and cast(:scope_csm_owner as varchar) is null as all_teams
),

teams as (
    select dims.customer_id
    from analytics.customer_dimensions as dims
    where {{ snippet_customer_in_view }}
),

daily as (
    select features.feature_name, features.activity_date, features.events
    from analytics.mart_feature_usage_daily as features
    cross join scope
    where scope.all_teams and features.activity_date between :date_from and :date_to
    union all
    select usage.feature_name, usage.activity_date, usage.events
    from analytics.mart_usage_daily as usage
    inner join teams on teams.customer_id = usage.customer_id
    cross join scope
    where not scope.all_teams and usage.activity_date between :date_from and :date_to
),

periods as (
    select
        feature_name,
        cast(date_trunc(:grain, activity_date) as date) as period,
        cast(sum(events) as bigint) as events
    from daily
    group by 1, 2
),

features as (
    select feature_name, sum(events) as feature_events
    from periods
    group by feature_name
),

ranked as (
    select
        feature_name,
        feature_events,
        cast(feature_events as double) / sum(feature_events) over () as feature_share,
        row_number() over (order by feature_events desc, feature_name) as feature_rank
    from features
)

select
    periods.feature_name,
    periods.period,
    periods.events,
    cast(ranked.feature_events as bigint) as feature_events,
    ranked.feature_share,
    ranked.feature_rank
from periods
inner join ranked on ranked.feature_name = periods.feature_name
order by ranked.feature_rank, periods.period
