-- Every value a global filter can take, from the warehouse's own data, with how many customers or
-- records carry it (shown next to the option).
select 'value_segment' as dimension, value_segment as value, count(*) as records
from analytics.customer_dimensions group by value_segment
union all
select 'derived_persona', derived_persona, count(*) from analytics.customer_dimensions group by derived_persona
union all
select 'churn_risk', churn_risk, count(*) from analytics.customer_dimensions group by churn_risk
union all
select 'upsell_opportunity', upsell_opportunity, count(*)
from analytics.customer_dimensions group by upsell_opportunity
union all
select 'interaction_type', interaction_type, count(*)
from analytics.fact_customer_interactions where interaction_type is not null group by interaction_type
union all
select 'review_language', review_language, count(*)
from analytics.fact_product_reviews where review_language is not null group by review_language
order by dimension, value
