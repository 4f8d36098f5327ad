-- Support tickets in view per ticket category, with their average sentiment (−1..1), most tickets first.
-- Tickets in view: ticket_date within the global date range, customer kept by the global customer filters.
with tickets as (
    select
        tickets.ticket_category,
        tickets.sentiment_score
    from analytics.fact_support_tickets as tickets
    inner join analytics.customer_dimensions as dims on dims.customer_id = tickets.customer_id
    where cast(tickets.ticket_date as date) between :date_from and :date_to
        and {{ snippet_customer_in_view }}
)

select
    coalesce(ticket_category, 'Uncategorised') as ticket_category,
    count(*) as tickets,
    avg(sentiment_score) as avg_sentiment
from tickets
group by 1
order by tickets desc, ticket_category
