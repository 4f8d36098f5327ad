-- The RFM rows (analytics.customer_rfm, docs/segments.md) of the customers the global customer filters keep, as a
-- FROM clause: `from {{ snippet_rfm_in_view }}`. Columns: rfm.* and dims.*. The date range does not apply (RFM is
-- all time, as of the warehouse's as_of_date).
analytics.customer_rfm as rfm
inner join analytics.customer_dimensions as dims on dims.customer_id = rfm.customer_id
where {{ snippet_customer_in_view }}
