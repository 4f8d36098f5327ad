-- Support tickets as loaded; priority_level here is only what the source stated (often absent).
select
    ticket_id,
    customer_id,
    ticket_date,
    lower(ticket_status) as ticket_status,
    ticket_category,
    ticket_subcategory,
    ticket_description,
    priority_level as source_priority_level,
    resolved_date
from raw_tickets
