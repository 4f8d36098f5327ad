-- Per customer with reviews: how many and the average rating (1-5). One definition for every model
-- that shows a customer's rating.
select
    customer_id,
    count(*) as review_count,
    avg(review_rating) as avg_rating
from analytics.fact_product_reviews
group by customer_id
