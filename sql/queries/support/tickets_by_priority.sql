-- Support tickets in view per priority level (Critical / High / Medium / Low), with their average sentiment
-- (−1..1; tickets without a score are left out of the average and counted in scored_tickets).
-- Tickets in view: ticket_date within the global date range, customer kept by the global customer filters.
with tickets as (
    select
        tickets.priority_level,
        tickets.sentiment_score
    from {{ snippet_tickets_in_view }}
)

select
    coalesce(priority_level, 'Not classified') as priority_level,
    count(*) as tickets,
    avg(sentiment_score) as avg_sentiment,
    count(sentiment_score) as scored_tickets
from tickets
group by 1
order by tickets desc, priority_level
