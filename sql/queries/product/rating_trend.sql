-- Average review rating (1-5) per week or month (:grain), with the number of reviews, for the reviews in
-- view: date range, review language and the customer filters (interaction type does not apply to reviews).
with reviews as (
    select * from analytics.fact_product_reviews
),

reviews_in_view as (
    select
        reviews.review_date,
        reviews.review_rating
    from reviews
    inner join analytics.customer_dimensions as dims on dims.customer_id = reviews.customer_id
    where cast(reviews.review_date as date) between :date_from and :date_to
        and (:review_languages is null or list_contains(:review_languages, reviews.review_language))
        and {{ snippet_customer_in_view }}
)

select
    cast(date_trunc(:grain, review_date) as date) as period,
    avg(review_rating) as avg_rating,
    count(*) as reviews
from reviews_in_view
group by 1
order by 1
