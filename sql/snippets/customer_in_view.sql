-- The global filters on customers, as a boolean expression over analytics.customer_dimensions (aliased
-- `dims`). Every tab's query includes it as {{ snippet_customer_in_view }}. A NULL list means "no filter".
-- The last line is the signed-in user's account scope (warehouse/scope.py), not a filter the user chooses.
(:value_segments is null or list_contains(:value_segments, dims.value_segment))
and (:personas is null or list_contains(:personas, dims.derived_persona))
and (:churn_risks is null or list_contains(:churn_risks, dims.churn_risk))
and (:upsell_opportunities is null or list_contains(:upsell_opportunities, dims.upsell_opportunity))
and (cast(:scope_csm_owner as varchar) is null or dims.csm_owner = cast(:scope_csm_owner as varchar))
