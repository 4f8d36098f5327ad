-- Support tickets in view per week or month (:grain) and priority level: the ticket volume chart.
-- Tickets in view (every support query): ticket_date within the global date range and the customer kept by
-- the global customer filters. The interaction type and review language filters do not apply to tickets.
with tickets as (
    select
        tickets.ticket_date,
        tickets.priority_level
    from {{ snippet_tickets_in_view }}
)

select
    cast(date_trunc(:grain, ticket_date) as date) as period,
    coalesce(priority_level, 'Not classified') as priority_level,
    count(*) as tickets
from tickets
group by 1, 2
order by 1, 2
