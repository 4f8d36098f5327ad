-- The teams in view that used one feature (:feature, a usage events' feature_name) most over the days of the date
-- range: :limit rows, most events first, then by customer id.
--   events      = the team's events of the feature in the range
--   users       = the team's distinct users who used it in the range
--   active_days = distinct days on which the team used it
--   team_share  = events / the team's events of every feature in the range (how much of its use this feature is)
-- Two passes, for speed at scale: the teams are ranked on the sum alone (distinct counts over every team cost
-- several times more), the customer filters apply to those per-team sums (one row per team, not millions of
-- usage rows), and the distinct counts and totals are computed for the :limit teams kept. The usage mart is read
-- twice rather than through one CTE: DuckDB materialises a CTE used twice, which costs more than the second scan.
with feature_teams as (
    select customer_id, sum(events) as events
    from analytics.mart_usage_daily
    where feature_name = :feature and activity_date between :date_from and :date_to
    group by customer_id
),

top_teams as (
    select feature_teams.customer_id, feature_teams.events
    from feature_teams
    inner join analytics.customer_dimensions as dims on dims.customer_id = feature_teams.customer_id
    where {{ snippet_customer_in_view }}
    order by feature_teams.events desc, feature_teams.customer_id
    limit :limit
),

details as (
    select
        usage.customer_id,
        count(distinct case when usage.feature_name = :feature then usage.user_id end) as users,
        count(distinct case when usage.feature_name = :feature then usage.activity_date end) as active_days,
        sum(usage.events) as all_events
    from analytics.mart_usage_daily as usage
    inner join top_teams on top_teams.customer_id = usage.customer_id
    where usage.activity_date between :date_from and :date_to
    group by usage.customer_id
)

select
    top_teams.customer_id,
    base.customer_name,
    cast(top_teams.events as bigint) as events,
    details.users,
    details.active_days,
    cast(top_teams.events as double) / details.all_events as team_share
from top_teams
inner join details on details.customer_id = top_teams.customer_id
inner join analytics.customer_base as base on base.customer_id = top_teams.customer_id
order by top_teams.events desc, top_teams.customer_id
