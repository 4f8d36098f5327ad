-- One row per customer in view with the candidate features of the customer clustering (insight/clustering.py;
-- docs/segments.md#clustering), ordered by customer_id: analytics.customer_cluster_features (computed once per load,
-- where the features and their NULL handling are described) for the customers the customer filters keep, with
-- their derived persona. Customer filters only: every feature is all time or a window ending at the warehouse's
-- as_of_date, so the date range does not apply.
with features as (
    select * from analytics.customer_cluster_features
)

select features.*, dims.derived_persona
from features
inner join analytics.customer_dimensions as dims on dims.customer_id = features.customer_id
where {{ snippet_customer_in_view }}
order by features.customer_id
