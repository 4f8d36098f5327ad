-- Customers in view by churn risk (High / Medium / Low; rules in config/rules.toml).
select
    dims.churn_risk,
    count(*) as customers
from analytics.customer_dimensions as dims
where {{ snippet_customer_in_view }}
group by dims.churn_risk
order by customers desc
