-- The feature mix of every team in view over the last :window_days days of analytics.warehouse_as_of.as_of_date
-- (the days d with as_of_date - d < :window_days; the date range does not apply): one row per team and feature the
-- team used in that window, with its events. The input of the team usage profiles (insight/team_profiles.py),
-- which divides by the team's events of every feature (usage/profile_teams.sql, window_events) to get the shares.
-- Teams without usage in the window have no row here. Long format (a row per team and feature) because the
-- features are data, not columns; the customer filters apply to the per-team-and-feature sums, not to the usage
-- rows (a join on a few hundred thousand rows instead of millions). Not ordered: the profiles pivot the rows to
-- one row per team and sort that (sorting here cost more than the rest of the query at scale M).
with team_features as (
    select customer_id, feature_name, sum(events) as events
    from analytics.mart_usage_daily
    -- a scalar subquery, not a join with warehouse_as_of, so that the window's start is a constant for the scan
    where activity_date > (select as_of_date from analytics.warehouse_as_of) - :window_days
    group by customer_id, feature_name
)

select
    team_features.customer_id,
    team_features.feature_name,
    cast(team_features.events as bigint) as events
from team_features
inner join analytics.customer_dimensions as dims on dims.customer_id = team_features.customer_id
where {{ snippet_customer_in_view }}
