-- Customers in view per value tier (analytics.customer_rfm: Platinum / Gold / Silver / Bronze by the quantiles of
-- config/rules.toml [rfm] tier_*_top_pct over all customers; rules in docs/segments.md). All four tiers are
-- returned, in this fixed order (tier_order 1-4): Platinum, Gold, Silver, Bronze; an empty tier has customers 0,
-- total_value 0 and NULL min/max.
-- Customers in view: kept by the global customer filters. The date range does not apply: value is all time, as
-- of the warehouse's as_of_date.
-- value: net revenue (value_basis 'net_revenue'), else lifetime value ('lifetime_value'), else usage events
-- ('usage_events'); the same value_basis on every row. Net revenue can be negative (refunds > orders).
-- share_of_customers = customers / customers in view (0 when nobody is in view).
-- share_of_value = total_value / the total value of all customers in view (the four shares add up to 1; NULL
-- when that total is 0).
with customers as (
    select rfm.customer_id, rfm.value, rfm.value_tier
    from {{ snippet_rfm_in_view }}
),

tiers as (
    select *
    from (
        values
            (1, 'Platinum'),
            (2, 'Gold'),
            (3, 'Silver'),
            (4, 'Bronze')
    ) as tiers (tier_order, value_tier)
),

value_basis as (
    select min(value_basis) as value_basis from analytics.customer_rfm
),

in_view as (
    select
        count(*) as customers_in_view,
        sum(cast(value as double)) as value_in_view
    from customers
),

per_tier as (
    select
        value_tier,
        count(*) as customers,
        sum(cast(value as double)) as total_value,
        min(value) as min_value,
        max(value) as max_value
    from customers
    group by value_tier
)

select
    tiers.tier_order,
    tiers.value_tier,
    coalesce(per_tier.customers, 0) as customers,
    case
        when in_view.customers_in_view > 0
            then cast(coalesce(per_tier.customers, 0) as double) / in_view.customers_in_view
        else 0.0
    end as share_of_customers,
    coalesce(per_tier.total_value, 0.0) as total_value,
    coalesce(per_tier.total_value, 0.0) / nullif(in_view.value_in_view, 0) as share_of_value,
    per_tier.min_value,
    per_tier.max_value,
    value_basis.value_basis
from tiers
cross join in_view
cross join value_basis
left join per_tier on per_tier.value_tier = tiers.value_tier
order by tiers.tier_order
