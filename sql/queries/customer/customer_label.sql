-- One customer's id and name, or no row when the id is not in the warehouse: checks the `customer` key of a
-- link (dashapp/state.py) and labels the selected customer in the search box.
select
    customer_id,
    customer_name
from analytics.customer_base
where customer_id = :customer_id
    and customer_id in ({{ snippet_customers_in_scope }})
