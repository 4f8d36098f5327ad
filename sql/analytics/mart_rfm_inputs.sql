-- One row per customer (every customer): the recency, frequency and monetary inputs of an RFM score.
-- Basis, one for everyone so that scores are comparable: 'orders' when the warehouse holds any order row
-- at all, else 'usage' (a product without billing data).
--   orders: recency_days = as_of_date - last order date; frequency = order count; monetary = net revenue
--           (analytics.mart_customer_orders: refunds are not orders and are deducted from revenue)
--   usage:  recency_days = as_of_date - last usage day; frequency = days with usage (all time);
--           monetary = usage events (all time)
-- A customer with no activity on the basis: recency_days NULL, frequency 0, monetary 0.
-- as_of_date comes from analytics.warehouse_as_of (newest activity in the warehouse, not today).
with customers as (
    select customer_id from analytics.customer_base
),

as_of as (
    select as_of_date from analytics.warehouse_as_of
),

rfm_basis as (
    select case when count(*) > 0 then 'orders' else 'usage' end as basis
    from staging.stg_orders
),

orders as (
    select customer_id, last_order_date, order_count, net_revenue from analytics.mart_customer_orders
),

usage_totals as (
    select
        customer_id,
        max(activity_date) as last_activity_date,
        count(distinct activity_date) as active_days,
        cast(sum(events) as bigint) as events
    from analytics.mart_usage_daily
    group by customer_id
),

inputs as (
    select
        customers.customer_id,
        rfm_basis.basis,
        case when rfm_basis.basis = 'orders' then orders.last_order_date else usage_totals.last_activity_date end
            as last_activity_date,
        case when rfm_basis.basis = 'orders' then orders.order_count else usage_totals.active_days end as frequency,
        case when rfm_basis.basis = 'orders' then orders.net_revenue else usage_totals.events end as monetary
    from customers
    cross join rfm_basis
    left join orders on orders.customer_id = customers.customer_id
    left join usage_totals on usage_totals.customer_id = customers.customer_id
)

select
    inputs.customer_id,
    date_diff('day', inputs.last_activity_date, as_of.as_of_date) as recency_days,
    coalesce(inputs.frequency, 0) as frequency,
    coalesce(inputs.monetary, 0) as monetary,
    inputs.basis
from inputs
cross join as_of
