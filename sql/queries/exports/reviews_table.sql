-- Every row of the Product tab's recent reviews (product/recent_reviews) for the Excel and CSV exports: the same
-- reviews in view (the same snippet: review date within the global date range, review language filter, customer
-- kept by the global customer filters), the same columns, newest first (ties by review id), without paging.
-- Not read by the dashboard: reports/exports.py maps the card "product-reviews" to this query.
with customers as (
    select * from analytics.customer_base
),

reviews_in_view as (
    select
        reviews.review_id,
        reviews.review_date,
        reviews.customer_id,
        reviews.product_id,
        reviews.review_rating,
        reviews.review_language,
        reviews.review_text,
        reviews.review_text_english,
        reviews.sentiment_score
    from {{ snippet_reviews_in_view }}
)

select
    reviews_in_view.review_id,
    reviews_in_view.review_date,
    reviews_in_view.customer_id,
    customers.customer_name,
    reviews_in_view.product_id,
    reviews_in_view.review_rating,
    reviews_in_view.review_language,
    reviews_in_view.review_text,
    reviews_in_view.review_text_english,
    reviews_in_view.sentiment_score
from reviews_in_view
left join customers on customers.customer_id = reviews_in_view.customer_id
order by reviews_in_view.review_date desc, reviews_in_view.review_id desc
