-- Customers in view per churn band of the churn model (analytics.churn_scores; docs/churn.md), with their share of
-- the customers in view and their average churn probability. Every band is present (0 when empty), in the order
-- High, Medium, Low (churn_probability >= [churn_model] band_high_min / band_medium_min / below), Inactive (no
-- activity in the last horizon_days days before the as-of date: churned by the label's own definition, not
-- modelled), Not scored (no row in churn_scores: no model was fitted, see churn_evaluation, or the customer signed
-- up after the as-of date). share is NULL when no customer is in view.
-- Customer filters only: the model scores customers as of the warehouse's as_of_date; the date range does not apply.
with bands as (
    select 'High' as churn_band, 1 as band_order
    union all select 'Medium', 2
    union all select 'Low', 3
    union all select 'Inactive', 4
    union all select 'Not scored', 5
),

customers_in_view as (
    select dims.customer_id
    from analytics.customer_dimensions as dims
    where {{ snippet_customer_in_view }}
),

scores as (
    select customer_id, churn_band, churn_probability from analytics.churn_scores
),

banded as (
    select
        coalesce(scores.churn_band, 'Not scored') as churn_band,
        scores.churn_probability
    from customers_in_view
    left join scores on scores.customer_id = customers_in_view.customer_id
),

counted as (
    select churn_band, count(*) as customers, avg(churn_probability) as avg_probability
    from banded
    group by churn_band
),

total as (
    select count(*) as customers from customers_in_view
)

select
    bands.churn_band,
    coalesce(counted.customers, 0) as customers,
    case
        when total.customers > 0 then cast(coalesce(counted.customers, 0) as double) / total.customers
    end as share,
    counted.avg_probability
from bands
cross join total
left join counted on counted.churn_band = bands.churn_band
order by bands.band_order
