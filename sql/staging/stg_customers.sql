-- Customers as loaded: one row per customer (validated and de-duplicated by the ETL).
select
    customer_id,
    persona,
    cast(sign_up_date as date) as sign_up_date,
    products_owned,
    lifetime_value,
    customer_name,
    segment,
    country,
    csm_owner
from raw_customers
