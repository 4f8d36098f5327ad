-- Which features are used together, over the days of the date range, for the teams in view: for every ordered pair
-- of features (a, b) of :features (feature names, most used first; the caller passes at most 12, a readable
-- matrix), at two levels: 'teams' and 'users' (a user is a user_id within a team). Entities = the teams / users
-- with any usage event in the range (of any feature).
--   entities         = n, the active teams or users
--   using_a, using_b = how many of them used a / b at least once in the range
--   using_both       = how many used both
--   phi              = the correlation of "used a" with "used b" over the entities (Pearson's r on 0/1 values,
--                      the phi coefficient): (n * both - using_a * using_b)
--                      / sqrt(using_a * (n - using_a) * using_b * (n - using_b)); -1..1, 1 on the diagonal;
--                      NULL when a or b was used by everyone or by no one (no variation to correlate)
--   share_of_a_using_b = using_both / using_a: of those who used a, the share who also used b (NULL if none)
-- How, for speed at scale: one pass over the usage mart gives each user a bit mask of the listed features they used
-- (bit k-1 = the k-th feature of :features); a team's mask is the OR of its users' masks; the entities are counted
-- per distinct mask (at most 2^12) and every pair's counts are read from the masks' bits. The customer filters
-- apply to the per-user rows.
with mask_counts as (
    {{ snippet_usage_feature_mask_counts }}
),

features as (
    select feature_name, position
    from unnest(:features) with ordinality as listed (feature_name, position)
),

pairs as (
    select
        levels.level,
        a.feature_name as feature_a,
        a.position as position_a,
        b.feature_name as feature_b,
        b.position as position_b
    from features as a
    cross join features as b
    cross join (select 'teams' as level union all select 'users' as level) as levels
),

counts as (
    select
        pairs.level,
        pairs.feature_a,
        pairs.position_a,
        pairs.feature_b,
        pairs.position_b,
        cast(coalesce(sum(mask_counts.entities), 0) as bigint) as entities,
        cast(coalesce(sum(case when (mask_counts.feature_mask >> (pairs.position_a - 1)) & 1 = 1
            then mask_counts.entities else 0 end), 0) as bigint) as using_a,
        cast(coalesce(sum(case when (mask_counts.feature_mask >> (pairs.position_b - 1)) & 1 = 1
            then mask_counts.entities else 0 end), 0) as bigint) as using_b,
        cast(coalesce(sum(case when (mask_counts.feature_mask >> (pairs.position_a - 1)) & 1 = 1
            and (mask_counts.feature_mask >> (pairs.position_b - 1)) & 1 = 1
            then mask_counts.entities else 0 end), 0) as bigint) as using_both
    from pairs
    left join mask_counts on mask_counts.level = pairs.level
    group by pairs.level, pairs.feature_a, pairs.position_a, pairs.feature_b, pairs.position_b
)

select
    level,
    feature_a,
    feature_b,
    entities,
    using_a,
    using_b,
    using_both,
    (cast(entities as double) * using_both - cast(using_a as double) * using_b)
        / nullif(sqrt(cast(using_a as double) * (entities - using_a) * using_b * (entities - using_b)), 0) as phi,
    cast(using_both as double) / nullif(using_a, 0) as share_of_a_using_b
from counts
order by level, position_a, position_b
