-- One row per customer (every customer; zeros and NULL dates without orders): orders, refunds, revenue.
-- Rules: an order row with amount > 0 is an order, amount < 0 a refund/cancellation, amount = 0 neither
-- (counted in no column). refunds is the sum of the negative amounts as a positive number;
-- net_revenue = gross_revenue - refunds = sum(amount). first/last_order_date are calendar dates of orders
-- (refunds excluded: a refund is not a purchase).
with customers as (
    select customer_id from analytics.customer_base
),

orders as (
    select customer_id, cast(order_date as date) as order_date, amount from staging.stg_orders
),

per_customer as (
    select
        customer_id,
        count(case when amount > 0 then 1 end) as order_count,
        count(case when amount < 0 then 1 end) as refund_count,
        sum(case when amount > 0 then amount else 0 end) as gross_revenue,
        sum(case when amount < 0 then -amount else 0 end) as refunds,
        min(case when amount > 0 then order_date end) as first_order_date,
        max(case when amount > 0 then order_date end) as last_order_date
    from orders
    group by customer_id
)

select
    customers.customer_id,
    coalesce(per_customer.order_count, 0) as order_count,
    coalesce(per_customer.refund_count, 0) as refund_count,
    coalesce(per_customer.gross_revenue, 0) as gross_revenue,
    coalesce(per_customer.refunds, 0) as refunds,
    coalesce(per_customer.gross_revenue, 0) - coalesce(per_customer.refunds, 0) as net_revenue,
    per_customer.first_order_date,
    per_customer.last_order_date
from customers
left join per_customer on per_customer.customer_id = customers.customer_id
