-- One page of the reviews in view, newest first (ties by review id): :page_size reviews from row :offset,
-- with the customer's name, the original and the English text (NULL = not translated), and total_reviews,
-- the number of reviews in view over all pages (for the pager).
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
    reviews_in_view.sentiment_score,
    count(*) over () as total_reviews
from reviews_in_view
left join customers on customers.customer_id = reviews_in_view.customer_id
order by reviews_in_view.review_date desc, reviews_in_view.review_id desc
limit :page_size offset :offset
