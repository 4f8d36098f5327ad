-- Per customer: the ordered sentiment history and its summary statistics.
-- volatility = max - min; trend = last - first (0 with a single record). Ties on the date are ordered by
-- source type and record id so that first/last are deterministic.
with scored as (
    select
        customer_id,
        interaction_date,
        sentiment_score,
        row_number() over (
            partition by customer_id order by interaction_date asc, source_type asc, record_id asc
        ) as position_from_first,
        row_number() over (
            partition by customer_id order by interaction_date desc, source_type desc, record_id desc
        ) as position_from_last
    from analytics.sentiment_analysis
),

firsts as (
    select customer_id, sentiment_score as first_sentiment from scored where position_from_first = 1
),

lasts as (
    select customer_id, sentiment_score as last_sentiment from scored where position_from_last = 1
),

stats as (
    select
        customer_id,
        array_agg(sentiment_score order by position_from_first) as sentiment_history,
        avg(sentiment_score) as avg_sentiment,
        min(sentiment_score) as min_sentiment,
        max(sentiment_score) as max_sentiment,
        count(*) as sentiment_count
    from scored
    group by customer_id
)

select
    stats.customer_id,
    stats.sentiment_history,
    stats.avg_sentiment,
    stats.min_sentiment,
    stats.max_sentiment,
    stats.max_sentiment - stats.min_sentiment as sentiment_volatility,
    lasts.last_sentiment - firsts.first_sentiment as sentiment_trend,
    stats.sentiment_count
from stats
inner join firsts on firsts.customer_id = stats.customer_id
inner join lasts on lasts.customer_id = stats.customer_id
