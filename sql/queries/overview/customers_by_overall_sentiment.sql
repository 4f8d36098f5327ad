-- Customers in view by overall sentiment (Positive / Neutral / Negative; rule in config/rules.toml).
select
    dims.overall_sentiment,
    count(*) as customers
from analytics.customer_dimensions as dims
where {{ snippet_customer_in_view }}
group by dims.overall_sentiment
order by customers desc
