-- Teams and users in view counted per bit mask of the features of :features they used in the date range (bit
-- k-1 = the k-th feature), as a query body: with mask_counts as ({{ snippet_usage_feature_mask_counts }}) ...
-- Columns: level ('teams' / 'users'), feature_mask, entities. One pass over the usage mart gives each user a
-- mask; a team's mask is the OR of its users' masks; the customer filters apply to the per-user rows, not to
-- the millions of usage rows. Shared by feature_adoption.sql and feature_correlation.sql.
with user_masks as (
    select
        customer_id,
        user_id,
        coalesce(bit_or(cast(1 as bigint) << (array_position(:features, feature_name) - 1)), 0) as feature_mask
    from analytics.mart_usage_daily
    where activity_date between :date_from and :date_to
    group by customer_id, user_id
),

users_in_view as (
    select user_masks.customer_id, user_masks.feature_mask
    from user_masks
    inner join analytics.customer_dimensions as dims on dims.customer_id = user_masks.customer_id
    where {{ snippet_customer_in_view }}
),

team_masks as (
    select customer_id, bit_or(feature_mask) as feature_mask
    from users_in_view
    group by customer_id
),

mask_counts as (
    select 'teams' as level, feature_mask, count(*) as entities
    from team_masks
    group by feature_mask
    union all
    select 'users' as level, feature_mask, count(*) as entities
    from users_in_view
    group by feature_mask
)

select level, feature_mask, entities from mask_counts
