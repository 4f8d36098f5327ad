-- One row per customer in view with the RFM inputs, scores, segment and value tier (analytics.customer_rfm; rules
-- in docs/segments.md), for a 3-D RFM scatter. At most :max_points customers are returned, a fixed sample
-- (ordered by the md5 of the customer id, so the same filters always give the same points); customers_in_view is
-- the count before sampling. Customers without activity on the basis are included (has_activity false, scores
-- 1, 1, 1, recency_days NULL).
-- Customers in view: kept by the global customer filters; the date range does not apply (all time, as of the
-- warehouse's as_of_date).
with customers as (
    select rfm.*
    from {{ snippet_rfm_in_view }}
)

select
    customer_id,
    recency_days,
    frequency,
    monetary,
    r_score,
    f_score,
    m_score,
    rfm_segment,
    value,
    value_tier,
    has_activity,
    basis,
    count(*) over () as customers_in_view
from customers
order by md5(customer_id), customer_id
limit :max_points
