-- One row per customer with the value segment (thresholds: config/rules.toml [value_segment]).
with customers as (
    select * from staging.stg_customers
)

select
    customer_id,
    persona,
    sign_up_date,
    products_owned,
    lifetime_value,
    customer_name,
    segment,
    country,
    csm_owner,
    case
        when lifetime_value >= {{ value_segment_high_min_ltv }} then 'High Value'
        when lifetime_value >= {{ value_segment_medium_min_ltv }} then 'Medium Value'
        else 'Low Value'
    end as value_segment
from customers
