-- How the sentiment scores in view are spread, per source: the number and share of a source's scored records
-- in each of 20 bins of width 0.1 over -1..1. Bin 0 is [-1.0, -0.9), ..., bin 19 is [0.9, 1.0] (a score of
-- exactly 1 counts in the last bin). Empty bins are not returned; source_records is the source's total.
with records as (
    {{ snippet_records_in_view }}
),

binned as (
    select
        source_type,
        least(cast(floor(sentiment_score * 10) as integer) + 10, 19) as bin
    from records
    where sentiment_score is not null
),

counted as (
    select source_type, bin, count(*) as records
    from binned
    group by source_type, bin
)

select
    source_type,
    bin,
    cast(-1.0 + 0.1 * bin as double) as bin_start,
    cast(-1.0 + 0.1 * (bin + 1) as double) as bin_end,
    records,
    sum(records) over (partition by source_type) as source_records,
    cast(records as double) / sum(records) over (partition by source_type) as share
from counted
order by source_type, bin
