-- Average sentiment of the records in view per week or month (:grain), with the number of records.
with records as (
    {{ snippet_records_in_view }}
)

select
    cast(date_trunc(:grain, record_date) as date) as period,
    avg(sentiment_score) as avg_sentiment,
    count(*) as records
from records
group by 1
order by 1
