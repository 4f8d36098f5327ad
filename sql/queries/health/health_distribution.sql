-- Customers in view per 10-point health score bin (analytics.customer_health; docs/health.md). All ten bins are
-- returned, score_bin 0-9 in order: bin k holds the scores 10k <= score < 10(k + 1), and bin 9 also holds 100
-- (bin_start / bin_end give the range). Empty bins have customers 0.
-- Customers in view: kept by the global customer filters, with a score. The date range does not apply: the score
-- is as of the warehouse's as_of_date.
-- share_of_customers = customers / customers in view with a score (0 when there are none).
-- previous_customers: the same customers binned by their previous score (trend_days earlier), for an overlay.
with customers as (
    select health.health_score, health.previous_health_score
    from analytics.customer_health as health
    inner join analytics.customer_dimensions as dims on dims.customer_id = health.customer_id
    where {{ snippet_customer_in_view }}
),

bins as (
    select *
    from (values (0), (1), (2), (3), (4), (5), (6), (7), (8), (9)) as bins (score_bin)
),

binned as (
    select
        case when health_score >= 90 then 9 else cast(floor(health_score / 10) as integer) end as score_bin,
        case
            when previous_health_score >= 90 then 9 else cast(floor(previous_health_score / 10) as integer)
        end as previous_score_bin
    from customers
),

current_bins as (
    select score_bin, count(*) as customers from binned where score_bin is not null group by score_bin
),

previous_bins as (
    select previous_score_bin as score_bin, count(*) as customers
    from binned
    where previous_score_bin is not null
    group by previous_score_bin
),

in_view as (
    select count(score_bin) as scored_customers from binned
)

select
    bins.score_bin,
    10 * bins.score_bin as bin_start,
    10 * bins.score_bin + 10 as bin_end,
    coalesce(current_bins.customers, 0) as customers,
    case
        when in_view.scored_customers > 0
            then cast(coalesce(current_bins.customers, 0) as double) / in_view.scored_customers
        else 0.0
    end as share_of_customers,
    coalesce(previous_bins.customers, 0) as previous_customers
from bins
cross join in_view
left join current_bins on current_bins.score_bin = bins.score_bin
left join previous_bins on previous_bins.score_bin = bins.score_bin
order by bins.score_bin
