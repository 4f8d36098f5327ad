-- Customers in view per churn risk × upsell opportunity: all nine cells (0 when empty), ordered High, Medium,
-- Low on both axes. Both labels are customer-level (whole history), so only the customer filters apply.
with levels as (
    select 'High' as level, 1 as level_order
    union all select 'Medium', 2
    union all select 'Low', 3
),

customers_in_view as (
    select dims.churn_risk, dims.upsell_opportunity
    from analytics.customer_dimensions as dims
    where {{ snippet_customer_in_view }}
),

counted as (
    select churn_risk, upsell_opportunity, count(*) as customers
    from customers_in_view
    group by churn_risk, upsell_opportunity
)

select
    risk.level as churn_risk,
    upsell.level as upsell_opportunity,
    coalesce(counted.customers, 0) as customers
from levels as risk
cross join levels as upsell
left join counted on counted.churn_risk = risk.level and counted.upsell_opportunity = upsell.level
order by risk.level_order, upsell.level_order
