-- Tickets with sentiment, priority (stated by the source, else classified from the text), the expected
-- resolution timeframe of that priority and the remedy the customer asks for.
with tickets as (
    select * from staging.stg_tickets
),

enrichment as (
    select * from staging.stg_ticket_enrichment
)

select
    tickets.ticket_id,
    tickets.customer_id,
    tickets.ticket_date,
    tickets.ticket_status,
    tickets.ticket_category,
    tickets.ticket_subcategory,
    tickets.ticket_description,
    enrichment.sentiment_score,
    enrichment.priority_level,
    enrichment.expected_resolution_timeframe,
    enrichment.requested_remedy,
    tickets.resolved_date,
    enrichment.language
from tickets
left join enrichment on enrichment.ticket_id = tickets.ticket_id
