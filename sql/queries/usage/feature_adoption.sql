-- Feature adoption over the days of the date range, for the teams in view: per feature of :features (feature
-- names, most used first; the caller passes at most 20), the share of the active teams and of the active users who
-- used it.
--   active_teams / active_users = teams / users (a user is a user_id within a team) with any usage event in the
--                                 range, of any feature (listed or not)
--   teams_using / users_using   = those who used the feature at least once in the range
--   team_adoption = teams_using / active_teams; user_adoption = users_using / active_users (NULL with nobody active)
-- How, for speed at scale: one pass over the usage mart gives each user a bit mask of the listed features they used
-- (bit k-1 = the k-th feature of :features); team masks are the OR of their users' masks; users and teams are then
-- counted per distinct mask (a few thousand at most) and every feature's count is read from the masks' bits. The
-- customer filters apply to the per-user rows, not to the millions of usage rows.
with mask_counts as (
    {{ snippet_usage_feature_mask_counts }}
),

features as (
    select feature_name, position
    from unnest(:features) with ordinality as listed (feature_name, position)
),

counts as (
    select
        features.feature_name,
        features.position,
        sum(case when mask_counts.level = 'teams' then mask_counts.entities else 0 end) as active_teams,
        sum(case when mask_counts.level = 'users' then mask_counts.entities else 0 end) as active_users,
        sum(case when mask_counts.level = 'teams' and (mask_counts.feature_mask >> (features.position - 1)) & 1 = 1
            then mask_counts.entities else 0 end) as teams_using,
        sum(case when mask_counts.level = 'users' and (mask_counts.feature_mask >> (features.position - 1)) & 1 = 1
            then mask_counts.entities else 0 end) as users_using
    from features
    cross join mask_counts
    group by features.feature_name, features.position
)

select
    features.feature_name,
    cast(coalesce(counts.active_teams, 0) as bigint) as active_teams,
    cast(coalesce(counts.teams_using, 0) as bigint) as teams_using,
    cast(counts.teams_using as double) / nullif(counts.active_teams, 0) as team_adoption,
    cast(coalesce(counts.active_users, 0) as bigint) as active_users,
    cast(coalesce(counts.users_using, 0) as bigint) as users_using,
    cast(counts.users_using as double) / nullif(counts.active_users, 0) as user_adoption
from features
left join counts on counts.feature_name = features.feature_name and counts.position = features.position
order by features.position
