-- Customers in view per recommended action of the churn model (analytics.churn_scores; rules: config/rules.toml
-- [churn_model] actions, first match of churn band and value segment; docs/churn.md), most urgent first (fewest
-- action_due_days; no deadline last), then most customers. high_value_customers = those in the High Value segment.
-- Customers without a score or without a matching rule have no action and are not counted.
-- Customer filters only (scores are as of the warehouse's as_of_date).
with customers_in_view as (
    select dims.customer_id, dims.value_segment
    from analytics.customer_dimensions as dims
    where {{ snippet_customer_in_view }}
),

scores as (
    select customer_id, recommended_action, action_due_days
    from analytics.churn_scores
    where recommended_action is not null
)

select
    scores.recommended_action,
    scores.action_due_days,
    count(*) as customers,
    count(case when customers_in_view.value_segment = 'High Value' then 1 end) as high_value_customers
from scores
inner join customers_in_view on customers_in_view.customer_id = scores.customer_id
group by scores.recommended_action, scores.action_due_days
order by
    case when scores.action_due_days is null then 1 else 0 end,
    scores.action_due_days,
    count(*) desc,
    scores.recommended_action
