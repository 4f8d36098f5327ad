-- Support tickets in view per ticket category, with their average sentiment (−1..1), most tickets first.
-- Tickets in view: ticket_date within the global date range, customer kept by the global customer filters.
with tickets as (
    select
        tickets.ticket_category,
        tickets.sentiment_score
    from {{ snippet_tickets_in_view }}
)

select
    coalesce(ticket_category, 'Uncategorised') as ticket_category,
    count(*) as tickets,
    avg(sentiment_score) as avg_sentiment
from tickets
group by 1
order by tickets desc, ticket_category
