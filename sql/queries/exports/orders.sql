-- Raw records export (reports/exports.py, dataset "orders"): every order row (a negative amount is a refund or
-- cancellation) with its order date within :date_from..:date_to, of the customers the customer filters keep,
-- narrowed to the teams :team_ids (customer ids; NULL = every team). Orders have no user. The interaction type and
-- review language filters do not apply. Newest first, then by order id.
with customers as (
    select customer_id, customer_name from analytics.customer_base
),

orders as (
    select orders.*
    from staging.stg_orders as orders
    inner join analytics.customer_dimensions as dims on dims.customer_id = orders.customer_id
    where cast(orders.order_date as date) between :date_from and :date_to
        and {{ snippet_customer_in_view }}
        and (:team_ids is null or list_contains(:team_ids, orders.customer_id))
)

select
    orders.order_id,
    orders.order_date,
    orders.customer_id,
    customers.customer_name,
    orders.product_id,
    orders.quantity,
    orders.amount
from orders
left join customers on customers.customer_id = orders.customer_id
order by orders.order_date desc, orders.order_id
