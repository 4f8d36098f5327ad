-- Raw records export (reports/exports.py, dataset "tickets"): every support ticket in view (the Support tab's
-- snippet: ticket date within :date_from..:date_to, customer kept by the customer filters) of the teams :team_ids
-- (customer ids; NULL = every team), with all its columns. Newest first, then by ticket id.
with customers as (
    select customer_id, customer_name from analytics.customer_base
),

tickets as (
    select tickets.*
    from {{ snippet_tickets_in_view }}
        and (:team_ids is null or list_contains(:team_ids, tickets.customer_id))
)

select
    tickets.ticket_id,
    tickets.ticket_date,
    tickets.customer_id,
    customers.customer_name,
    tickets.ticket_status,
    tickets.ticket_category,
    tickets.ticket_subcategory,
    tickets.priority_level,
    tickets.expected_resolution_timeframe,
    tickets.requested_remedy,
    tickets.resolved_date,
    tickets.ticket_description,
    tickets.sentiment_score,
    tickets.language
from tickets
left join customers on customers.customer_id = tickets.customer_id
order by tickets.ticket_date desc, tickets.ticket_id
