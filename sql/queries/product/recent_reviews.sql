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
),

-- the page first, then the names of its customers only (the join no longer runs for every review in view)
page as (
    select *
    from reviews_in_view
    order by review_date desc, review_id desc
    limit :page_size offset :offset
)

select
    page.review_id,
    page.review_date,
    page.customer_id,
    customers.customer_name,
    page.product_id,
    page.review_rating,
    page.review_language,
    page.review_text,
    page.review_text_english,
    page.sentiment_score,
    -- a scalar count, not count(*) over (): the window would hold every row in view, texts included
    (select count(*) from reviews_in_view) as total_reviews
from page
left join customers on customers.customer_id = page.customer_id
order by page.review_date desc, page.review_id desc
