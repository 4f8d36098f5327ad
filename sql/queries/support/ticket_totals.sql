-- One row: the support tickets in view, the customers who raised them and their average sentiment (−1..1).
-- Tickets in view: ticket_date within the global date range, customer kept by the global customer filters.
with tickets as (
    select
        tickets.customer_id,
        tickets.sentiment_score
    from analytics.fact_support_tickets as tickets
    inner join analytics.customer_dimensions as dims on dims.customer_id = tickets.customer_id
    where cast(tickets.ticket_date as date) between :date_from and :date_to
        and {{ snippet_customer_in_view }}
)

select
    count(*) as tickets,
    count(distinct customer_id) as customers_with_tickets,
    avg(sentiment_score) as avg_sentiment
from tickets
