-- Support tickets in view per priority level (Critical / High / Medium / Low), with their average sentiment
-- (−1..1; tickets without a score are left out of the average and counted in scored_tickets).
-- Tickets in view: ticket_date within the global date range, customer kept by the global customer filters.
with tickets as (
    select
        tickets.priority_level,
        tickets.sentiment_score
    from analytics.fact_support_tickets as tickets
    inner join analytics.customer_dimensions as dims on dims.customer_id = tickets.customer_id
    where cast(tickets.ticket_date as date) between :date_from and :date_to
        and {{ snippet_customer_in_view }}
)

select
    coalesce(priority_level, 'Not classified') as priority_level,
    count(*) as tickets,
    avg(sentiment_score) as avg_sentiment,
    count(sentiment_score) as scored_tickets
from tickets
group by 1
order by tickets desc, priority_level
