-- One page of the ticket table: the tickets in view sorted by :sort_column in :sort_direction ('asc' or
-- 'desc'), then newest first and by ticket id; :page_size rows from row :offset, each with tickets_in_view
-- (the count of all tickets in view, for the pager). Empty values sort last in both directions; priority and
-- expected timeframe sort by urgency (Critical first when ascending).
-- :sort_column and :sort_direction are bound values picked from a whitelist in dashapp/tabs/support.py; they
-- choose a CASE branch below and never become SQL text.
-- Tickets in view: ticket_date within the global date range, customer kept by the global customer filters.
with tickets_in_view as (
    -- the keys only: the texts are read for the rows of the page alone (this CTE is read twice, for the page and
    -- the count, so it is materialised: with every description in view it was most of the query's time)
    select
        tickets.ticket_id,
        tickets.ticket_date,
        case :sort_column
            when 'ticket_id' then cast(tickets.ticket_id as varchar)
            when 'customer_id' then cast(tickets.customer_id as varchar)
            when 'ticket_category' then lower(tickets.ticket_category)
            when 'ticket_status' then lower(tickets.ticket_status)
            when 'ticket_description' then lower(tickets.ticket_description)
            when 'requested_remedy' then lower(tickets.requested_remedy)
        end as text_key,
        case
            when :sort_column not in ('priority_level', 'expected_resolution_timeframe') then null
            when tickets.priority_level = 'Critical' then 1
            when tickets.priority_level = 'High' then 2
            when tickets.priority_level = 'Medium' then 3
            when tickets.priority_level = 'Low' then 4
        end as urgency_key,
        case when :sort_column = 'ticket_date' then tickets.ticket_date end as date_key
    from {{ snippet_tickets_in_view }}
),

page as (
    select *
    from tickets_in_view
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
),

details as (
    select
        ticket_id,
        customer_id,
        ticket_category,
        priority_level,
        ticket_status,
        ticket_description,
        expected_resolution_timeframe,
        requested_remedy
    from analytics.fact_support_tickets
)

select
    page.ticket_id,
    page.ticket_date,
    details.customer_id,
    details.ticket_category,
    details.priority_level,
    details.ticket_status,
    details.ticket_description,
    details.expected_resolution_timeframe,
    details.requested_remedy,
    (select count(*) from tickets_in_view) as tickets_in_view
from page
inner join details on details.ticket_id = page.ticket_id
order by
    case when :sort_direction = 'asc' then page.text_key end asc nulls last,
    case when :sort_direction = 'desc' then page.text_key end desc nulls last,
    case when :sort_direction = 'asc' then page.urgency_key end asc nulls last,
    case when :sort_direction = 'desc' then page.urgency_key end desc nulls last,
    case when :sort_direction = 'asc' then page.date_key end asc nulls last,
    case when :sort_direction = 'desc' then page.date_key end desc nulls last,
    page.ticket_date desc,
    page.ticket_id
