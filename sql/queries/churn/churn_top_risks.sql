-- The customers in view with the highest churn probability (analytics.churn_scores; docs/churn.md): the top :limit,
-- highest first (ties by customer_id), with the model's reasons in words and the recommended action of
-- config/rules.toml [churn_model] actions. Only modelled customers (a probability); the Inactive band is counted in
-- churn_summary and churn_actions. Customer filters only (scores are as of the warehouse's as_of_date).
with customers_in_view as (
    select dims.customer_id, dims.value_segment
    from analytics.customer_dimensions as dims
    where {{ snippet_customer_in_view }}
),

customers as (
    select customer_id, customer_name, csm_owner from analytics.customer_base
),

scores as (
    select * from analytics.churn_scores where churn_probability is not null
)

select
    scores.customer_id,
    customers.customer_name,
    customers.csm_owner,
    customers_in_view.value_segment,
    scores.churn_probability,
    scores.churn_band,
    scores.days_since_last_activity,
    scores.reason_1,
    scores.reason_2,
    scores.reason_3,
    scores.recommended_action,
    scores.action_due_days
from scores
inner join customers_in_view on customers_in_view.customer_id = scores.customer_id
inner join customers on customers.customer_id = scores.customer_id
order by scores.churn_probability desc, scores.customer_id
limit :limit
