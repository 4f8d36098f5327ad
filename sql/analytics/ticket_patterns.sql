-- Per customer with tickets: how many, when, and the categories and priorities in date order.
with tickets as (
    select * from analytics.fact_support_tickets
)

select
    customer_id,
    count(*) as ticket_count,
    min(ticket_date) as first_ticket_date,
    max(ticket_date) as most_recent_ticket_date,
    array_agg(ticket_category order by ticket_date, ticket_id) as ticket_categories,
    array_agg(priority_level order by ticket_date, ticket_id) as ticket_priorities
from tickets
group by customer_id
