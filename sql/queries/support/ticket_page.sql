-- One page of the ticket table: the tickets in view sorted by :sort_column in :sort_direction ('asc' or
-- 'desc'), then newest first and by ticket id; :page_size rows from row :offset, each with tickets_in_view
-- (the count of all tickets in view, for the pager). Empty values sort last in both directions; priority and
-- expected timeframe sort by urgency (Critical first when ascending).
-- :sort_column and :sort_direction are bound values picked from a whitelist in dashapp/tabs/support.py; they
-- choose a CASE branch below and never become SQL text.
-- Tickets in view: ticket_date within the global date range, customer kept by the global customer filters.
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
),

sort_keys as (
    select
        tickets.*,
        case :sort_column
            when 'ticket_id' then cast(ticket_id as varchar)
            when 'customer_id' then cast(customer_id as varchar)
            when 'ticket_category' then lower(ticket_category)
            when 'ticket_status' then lower(ticket_status)
            when 'ticket_description' then lower(ticket_description)
            when 'requested_remedy' then lower(requested_remedy)
        end as text_key,
        case
            when :sort_column not in ('priority_level', 'expected_resolution_timeframe') then null
            when priority_level = 'Critical' then 1
            when priority_level = 'High' then 2
            when priority_level = 'Medium' then 3
            when priority_level = 'Low' then 4
        end as urgency_key,
        case when :sort_column = 'ticket_date' then ticket_date end as date_key
    from tickets
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
    requested_remedy,
    -- a scalar count, not count(*) over (): the window would hold every row in view, texts included
    (select count(*) from tickets) as tickets_in_view
from sort_keys
order by
    case when :sort_direction = 'asc' then text_key end asc nulls last,
    case when :sort_direction = 'desc' then text_key end desc nulls last,
    case when :sort_direction = 'asc' then urgency_key end asc nulls last,
    case when :sort_direction = 'desc' then urgency_key end desc nulls last,
    case when :sort_direction = 'asc' then date_key end asc nulls last,
    case when :sort_direction = 'desc' then date_key end desc nulls last,
    ticket_date desc,
    ticket_id
limit :page_size offset :offset
