-- Where to start when no customer is selected: the :limit customers in view (customer filters) most at risk.
-- Highest churn-model probability first (analytics.churn_scores; customers without a score after those with one),
-- then the rule-based churn risk (High, Medium, Low), then the highest lifetime value, then customer id, so that a
-- warehouse without a churn model (too little history) still suggests its High-risk customers.
with customers_in_view as (
    select dims.customer_id, dims.churn_risk, dims.value_segment
    from analytics.customer_dimensions as dims
    where {{ snippet_customer_in_view }}
),

base as (
    select customer_id, customer_name, lifetime_value from analytics.customer_base
),

churn as (
    select customer_id, churn_probability from analytics.churn_scores
)

select
    customers_in_view.customer_id,
    base.customer_name,
    customers_in_view.value_segment,
    customers_in_view.churn_risk,
    churn.churn_probability,
    base.lifetime_value
from customers_in_view
inner join base on base.customer_id = customers_in_view.customer_id
left join churn on churn.customer_id = customers_in_view.customer_id
order by
    churn.churn_probability desc nulls last,
    case customers_in_view.churn_risk when 'High' then 1 when 'Medium' then 2 when 'Low' then 3 else 4 end,
    base.lifetime_value desc nulls last,
    customers_in_view.customer_id
limit :limit
