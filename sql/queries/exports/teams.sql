-- The teams (customer accounts) among the ids :team_ids, with their names: the export dialog's labels for the
-- chosen teams, and the check that every team id given to an export exists.
select
    customer_id,
    customer_name
from analytics.customer_base
where list_contains(:team_ids, customer_id)
    and customer_id in ({{ snippet_customers_in_scope }})
order by customer_id
