-- One page of the reviews in view, newest first (ties by review id): :page_size reviews from row :offset,
-- with the customer's name, the original and the English text (NULL = not translated), and total_reviews,
-- the number of reviews in view over all pages (for the pager).
with reviews as (
    select * from analytics.fact_product_reviews
),

customers as (
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
    from reviews
    inner join analytics.customer_dimensions as dims on dims.customer_id = reviews.customer_id
    where cast(reviews.review_date as date) between :date_from and :date_to
        and (:review_languages is null or list_contains(:review_languages, reviews.review_language))
        and {{ snippet_customer_in_view }}
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
