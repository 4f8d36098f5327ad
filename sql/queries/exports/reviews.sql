-- Raw records export (reports/exports.py, dataset "reviews"): every product review in view (the Product tab's
-- snippet: review date within :date_from..:date_to, the review language filter, customer kept by the customer
-- filters) of the teams :team_ids (customer ids; NULL = every team). Newest first, then by review id.
with customers as (
    select customer_id, customer_name from analytics.customer_base
),

reviews as (
    select reviews.*
    from {{ snippet_reviews_in_view }}
        and (:team_ids is null or list_contains(:team_ids, reviews.customer_id))
)

select
    reviews.review_id,
    reviews.review_date,
    reviews.customer_id,
    customers.customer_name,
    reviews.product_id,
    reviews.review_rating,
    reviews.review_language,
    reviews.review_text,
    reviews.review_text_english,
    reviews.sentiment_score
from reviews
left join customers on customers.customer_id = reviews.customer_id
order by reviews.review_date desc, reviews.review_id
