-- Every row of the Support tab's ticket table (support/ticket_page) for the Excel and CSV exports: the same tickets
-- in view (the same snippet: ticket_date within the global date range, customer kept by the global customer
-- filters), the same columns, in the table's default order (newest first, then by ticket id), without paging.
-- Not read by the dashboard: reports/exports.py maps the card "support-tickets" to this query.
with tickets as (
    select
        tickets.ticket_id,
        tickets.customer_id,
        tickets.ticket_date,
        tickets.ticket_status,
        tickets.ticket_category,
        tickets.ticket_description,
        tickets.priority_level,
        tickets.expected_resolution_timeframe,
        tickets.requested_remedy
    from {{ snippet_tickets_in_view }}
)

select
    ticket_id,
    ticket_date,
    customer_id,
    ticket_category,
    priority_level,
    ticket_status,
    ticket_description,
    expected_resolution_timeframe,
    requested_remedy
from tickets
order by ticket_date desc nulls last, ticket_id
