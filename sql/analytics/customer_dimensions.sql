-- The attributes the global filters select customers by, one row per customer (one join for every query).
with customers as (
    select * from analytics.customer_base
),

signals as (
    select * from analytics.customer_persona_signals
)

select
    customers.customer_id,
    customers.sign_up_date,
    customers.value_segment,
    customers.csm_owner,
    signals.derived_persona,
    signals.churn_risk,
    signals.upsell_opportunity,
    signals.overall_sentiment
from customers
inner join signals on signals.customer_id = customers.customer_id
