-- One row per customer with the candidate features of the customer clustering (insight/clustering.py;
-- docs/segments.md#clustering), for every customer: every feature is all time or a window ending at the warehouse's
-- as_of_date (analytics.warehouse_as_of), so no filter of the dashboard changes them and they are computed once per
-- load (the query sql/queries/segmentation/cluster_features.sql keeps the customers in view).
-- Feature groups (the clustering picks columns by group):
--   RFM (analytics.customer_rfm): recency_days, frequency, monetary (orders basis: orders and net revenue, can be
--     negative; usage basis: days with usage and usage events).
--   sentiment (analytics.customer_persona_signals): avg_sentiment, sentiment_trend (last - first), avg_rating.
--   tickets: ticket_count (all time), tickets_90d (ticket_date in the last 90 days).
--   usage (analytics.mart_usage_daily): events_30d, active_days_30d, events_90d, active_days_90d; a day d is in the
--     last N days when as_of_date - d < N (as in the usage marts); an active day = a calendar day with any usage.
-- NULL handling, decided here where the absence means something:
--   recency_days: a customer without activity on the RFM basis (has_activity false) gets the largest recency of
--     any customer in the warehouse + 1 ("longer ago than anyone"; over all customers, not only those in view, so
--     a customer's features never depend on the filters); frequency and monetary are already 0 for them.
--   ticket_count, tickets_90d, usage columns: no ticket / no usage = 0.
--   avg_sentiment, sentiment_trend (no scored text) and avg_rating (no review) stay NULL: unknown, not neutral.
--     The clustering fills them with the median of its fitting sample (insight/clustering.py).
-- has_activity, basis ('orders' or 'usage', what monetary means) and rfm_segment are kept for the charts and the
-- segment comparison (not clustered on).
with customers as (
    select customer_id from analytics.customer_base
),

rfm as (
    select customer_id, recency_days, frequency, monetary, has_activity, rfm_segment, basis
    from analytics.customer_rfm
),

signals as (
    select customer_id, avg_sentiment, sentiment_trend, avg_rating, ticket_count
    from analytics.customer_persona_signals
),

tickets as (
    select customer_id, cast(ticket_date as date) as ticket_day
    from analytics.fact_support_tickets
),

usage_daily as (
    select customer_id, activity_date, events
    from analytics.mart_usage_daily
),

as_of as (
    select as_of_date from analytics.warehouse_as_of
),

recency_fill as (
    select coalesce(max(recency_days), 0) + 1 as no_activity_recency_days
    from rfm
),

recent_tickets as (
    select tickets.customer_id, count(*) as tickets_90d
    from tickets
    cross join as_of
    where date_diff('day', tickets.ticket_day, as_of.as_of_date) < 90
    group by tickets.customer_id
),

usage_days as (
    -- one row per customer and day with usage in the last 90 days (as_of_date - d < 90 <=> d > as_of_date - 90;
    -- written as a comparison of the bare column so the engine can skip older data)
    select usage_daily.customer_id, usage_daily.activity_date, sum(usage_daily.events) as events
    from usage_daily
    where usage_daily.activity_date > (select as_of_date - 90 from as_of)
    group by usage_daily.customer_id, usage_daily.activity_date
),

usage_windows as (
    select
        usage_days.customer_id,
        sum(case when date_diff('day', usage_days.activity_date, as_of.as_of_date) < 30 then usage_days.events
            else 0 end) as events_30d,
        count(case when date_diff('day', usage_days.activity_date, as_of.as_of_date) < 30 then 1 end)
            as active_days_30d,
        sum(usage_days.events) as events_90d,
        count(*) as active_days_90d
    from usage_days
    cross join as_of
    group by usage_days.customer_id
)

select
    customers.customer_id,
    cast(coalesce(rfm.recency_days, recency_fill.no_activity_recency_days) as double) as recency_days,
    cast(coalesce(rfm.frequency, 0) as double) as frequency,
    cast(coalesce(rfm.monetary, 0) as double) as monetary,
    cast(signals.avg_sentiment as double) as avg_sentiment,
    cast(signals.sentiment_trend as double) as sentiment_trend,
    cast(signals.avg_rating as double) as avg_rating,
    cast(coalesce(signals.ticket_count, 0) as double) as ticket_count,
    cast(coalesce(recent_tickets.tickets_90d, 0) as double) as tickets_90d,
    cast(coalesce(usage_windows.events_30d, 0) as double) as events_30d,
    cast(coalesce(usage_windows.active_days_30d, 0) as double) as active_days_30d,
    cast(coalesce(usage_windows.events_90d, 0) as double) as events_90d,
    cast(coalesce(usage_windows.active_days_90d, 0) as double) as active_days_90d,
    coalesce(rfm.has_activity, false) as has_activity,
    rfm.basis,
    rfm.rfm_segment
from customers
cross join recency_fill
left join rfm on rfm.customer_id = customers.customer_id
left join signals on signals.customer_id = customers.customer_id
left join recent_tickets on recent_tickets.customer_id = customers.customer_id
left join usage_windows on usage_windows.customer_id = customers.customer_id
