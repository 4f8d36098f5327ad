-- One short summary per customer (<= 100 words): who they are, what they did, how they feel, and the
-- most telling sentence of their own texts. A provider-written summary, when configured, takes precedence.
with customers as (
    select * from analytics.customer_base
),

trends as (
    select * from analytics.sentiment_trends
),

interaction_counts as (
    select customer_id, count(*) as interaction_count
    from analytics.fact_customer_interactions
    group by customer_id
),

review_stats as (
    select * from analytics.customer_review_stats
),

latest_tickets as (
    select
        customer_id,
        ticket_category,
        count(*) over (partition by customer_id) as ticket_count,
        row_number() over (partition by customer_id order by ticket_date desc, ticket_id desc) as recency
    from analytics.fact_support_tickets
),

quotes as (
    select * from staging.stg_customer_quotes
),

facts as (
    select
        customers.customer_id,
        customers.sign_up_date,
        coalesce(customers.products_owned, 0) as products_owned,
        coalesce(interaction_counts.interaction_count, 0) as interaction_count,
        coalesce(review_stats.review_count, 0) as review_count,
        coalesce(latest_tickets.ticket_count, 0) as ticket_count,
        latest_tickets.ticket_category as latest_ticket_category,
        -- The shown figures, rounded half away from zero in DOUBLE arithmetic, written out: round() and casts
        -- from DOUBLE to DECIMAL round differently on PostgreSQL (docs/postgres.md); this is DuckDB's rounding
        -- and gives the same digits on every engine.
        sign(customers.lifetime_value) * floor(abs(customers.lifetime_value) + 0.5) as lifetime_value_0dp,
        sign(review_stats.avg_rating) * floor(abs(review_stats.avg_rating) * 10 + 0.5) / 10 as avg_rating_1dp,
        sign(trends.avg_sentiment) * floor(abs(trends.avg_sentiment) * 100 + 0.5) / 100 as avg_sentiment_2dp,
        sign(trends.sentiment_trend) * floor(abs(trends.sentiment_trend) * 100 + 0.5) / 100 as sentiment_trend_2dp,
        quotes.key_quote,
        quotes.provider_summary
    from customers
    left join interaction_counts on interaction_counts.customer_id = customers.customer_id
    left join review_stats on review_stats.customer_id = customers.customer_id
    left join latest_tickets on latest_tickets.customer_id = customers.customer_id and latest_tickets.recency = 1
    left join trends on trends.customer_id = customers.customer_id
    left join quotes on quotes.customer_id = customers.customer_id
),

written as (
    select
        customer_id,
        provider_summary,
        'Customer since ' || coalesce(cast(sign_up_date as varchar), 'an unknown date')
        || ' with ' || cast(products_owned as varchar)
        || case when products_owned = 1 then ' product' else ' products' end
        || coalesce(' (lifetime value ' || cast(cast(lifetime_value_0dp as bigint) as varchar) || ')', '')
        || '. ' || cast(interaction_count as varchar)
        || case when interaction_count = 1 then ' interaction, ' else ' interactions, ' end
        || cast(review_count as varchar) || case when review_count = 1 then ' review' else ' reviews' end
        || coalesce(' (average rating ' || cast(cast(avg_rating_1dp as decimal(4, 1)) as varchar) || ')', '')
        || ', ' || cast(ticket_count as varchar) || case when ticket_count = 1 then ' ticket' else ' tickets' end
        || coalesce(' (latest: ' || latest_ticket_category || ')', '')
        || '.'
        || coalesce(
            ' Average sentiment ' || cast(cast(avg_sentiment_2dp as decimal(4, 2)) as varchar)
            || ', trend ' || cast(cast(sentiment_trend_2dp as decimal(4, 2)) as varchar) || '.',
            ' No scored texts yet.'
        )
        || coalesce(' In their words: "' || key_quote || '"', '') as signal_summary
    from facts
)

select
    customer_id,
    coalesce(provider_summary, signal_summary) as customer_summary
from written
