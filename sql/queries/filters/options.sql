-- Every value a global filter can take, from the warehouse's own data, with how many customers or
-- records carry it (shown next to the option).
-- Under an account scope (warehouse/scope.py) the values and counts are those of the user's accounts.
with dims as (
    select * from analytics.customer_dimensions
    where cast(:scope_csm_owner as varchar) is null or csm_owner = cast(:scope_csm_owner as varchar)
),

interactions as (
    select interaction_type from analytics.fact_customer_interactions
    where interaction_type is not null and customer_id in (select customer_id from dims)
),

reviews as (
    select review_language from analytics.fact_product_reviews
    where review_language is not null and customer_id in (select customer_id from dims)
)

select 'value_segment' as dimension, value_segment as value, count(*) as records from dims group by value_segment
union all
select 'derived_persona', derived_persona, count(*) from dims group by derived_persona
union all
select 'churn_risk', churn_risk, count(*) from dims group by churn_risk
union all
select 'upsell_opportunity', upsell_opportunity, count(*) from dims group by upsell_opportunity
union all
select 'interaction_type', interaction_type, count(*) from interactions group by interaction_type
union all
select 'review_language', review_language, count(*) from reviews group by review_language
order by dimension, value
