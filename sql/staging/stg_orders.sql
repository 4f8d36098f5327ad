-- Orders; a negative amount is a refund or cancellation.
select
    order_id,
    customer_id,
    order_date,
    amount,
    quantity,
    product_id
from raw_orders
