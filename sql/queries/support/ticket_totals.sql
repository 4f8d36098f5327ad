-- One row: the support tickets in view, the customers who raised them and their average sentiment (−1..1).
-- Tickets in view: ticket_date within the global date range, customer kept by the global customer filters.
with tickets as (
    select
        tickets.customer_id,
        tickets.sentiment_score
    from {{ snippet_tickets_in_view }}
)

select
    count(*) as tickets,
    count(distinct customer_id) as customers_with_tickets,
    avg(sentiment_score) as avg_sentiment
from tickets
