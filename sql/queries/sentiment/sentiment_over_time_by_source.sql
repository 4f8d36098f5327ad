-- Average sentiment of the scored records in view per week or month (:grain) and per source
-- (interaction / review / ticket), for the sources chosen in the chart's selector (:source_types),
-- with the number of scored records behind each average.
with records as (
    {{ snippet_records_in_view }}
),

scored as (
    select record_date, sentiment_score, source_type
    from records
    where sentiment_score is not null
        and list_contains(:source_types, source_type)
)

select
    cast(date_trunc(:grain, record_date) as date) as period,
    source_type,
    avg(sentiment_score) as avg_sentiment,
    count(*) as records
from scored
group by 1, 2
order by 1, 2
