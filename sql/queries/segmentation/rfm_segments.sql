-- Customers in view per RFM segment (analytics.customer_rfm; rules in docs/segments.md, thresholds in
-- config/rules.toml [rfm]). All eight segments are returned, in this fixed order (segment_order 1-8):
-- Champions, Loyal, Potential Loyalists, New, At Risk, Can't Lose, Hibernating, Lost; an empty segment has
-- customers 0, total_monetary 0 and NULL averages.
-- Customers in view: kept by the global customer filters. The date range does not apply: RFM is all time, as of
-- the warehouse's as_of_date.
-- share_of_customers = customers / customers in view (0 when nobody is in view).
-- customers_without_activity = customers with no activity on the basis (scored r = f = m = 1, always in Lost).
-- avg_recency_days is over the segment's customers with activity (recency is NULL without activity);
-- avg_frequency, avg_monetary and total_monetary are over all its customers (0 without activity).
-- basis: 'orders' (monetary = net revenue) or 'usage' (monetary = usage events), the same on every row.
with customers as (
    select rfm.*
    from {{ snippet_rfm_in_view }}
),

segments as (
    select *
    from (
        values
            (1, 'Champions'),
            (2, 'Loyal'),
            (3, 'Potential Loyalists'),
            (4, 'New'),
            (5, 'At Risk'),
            (6, 'Can''t Lose'),
            (7, 'Hibernating'),
            (8, 'Lost')
    ) as segments (segment_order, rfm_segment)
),

basis as (
    select min(basis) as basis from analytics.customer_rfm
),

in_view as (
    select count(*) as customers_in_view from customers
),

per_segment as (
    select
        rfm_segment,
        count(*) as customers,
        count(case when not has_activity then 1 end) as customers_without_activity,
        avg(cast(recency_days as double)) as avg_recency_days,
        avg(cast(frequency as double)) as avg_frequency,
        avg(cast(monetary as double)) as avg_monetary,
        sum(cast(monetary as double)) as total_monetary
    from customers
    group by rfm_segment
)

select
    segments.segment_order,
    segments.rfm_segment,
    coalesce(per_segment.customers, 0) as customers,
    case
        when in_view.customers_in_view > 0
            then cast(coalesce(per_segment.customers, 0) as double) / in_view.customers_in_view
        else 0.0
    end as share_of_customers,
    coalesce(per_segment.customers_without_activity, 0) as customers_without_activity,
    per_segment.avg_recency_days,
    per_segment.avg_frequency,
    per_segment.avg_monetary,
    coalesce(per_segment.total_monetary, 0.0) as total_monetary,
    basis.basis
from segments
cross join in_view
cross join basis
left join per_segment on per_segment.rfm_segment = segments.rfm_segment
order by segments.segment_order
