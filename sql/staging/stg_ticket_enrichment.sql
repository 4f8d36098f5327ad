-- Offline enrichment of tickets: language, sentiment, priority, timeframe and requested remedy.
select
    ticket_id,
    language,
    sentiment_score,
    priority_level,
    expected_resolution_timeframe,
    requested_remedy
from enriched_tickets
