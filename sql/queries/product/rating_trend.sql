-- Average review rating (1-5) per week or month (:grain), with the number of reviews, for the reviews in
-- view: date range, review language and the customer filters (interaction type does not apply to reviews).
with reviews_in_view as (
    select
        reviews.review_date,
        reviews.review_rating
    from {{ snippet_reviews_in_view }}
)

select
    cast(date_trunc(:grain, review_date) as date) as period,
    avg(review_rating) as avg_rating,
    count(*) as reviews
from reviews_in_view
group by 1
order by 1
