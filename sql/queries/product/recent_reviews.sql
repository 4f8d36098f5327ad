-- One page of the reviews in view, newest first (ties by review id): :page_size reviews from row :offset,
-- with the customer's name, the original and the English text (NULL = not translated), and total_reviews,
-- the number of reviews in view over all pages (for the pager).
-- the page first, then the names of its customers only (the join no longer runs for every review in view)
with customers as (
    select customer_id, customer_name from analytics.customer_base
),

reviews_in_view as (
    -- the keys only: the texts are read for the rows of the page alone (a CTE read twice is materialised, and
    -- with every text of every review in view it was most of this query's time)
    select reviews.review_id, reviews.review_date
    from {{ snippet_reviews_in_view }}
),

page as (
    select review_id, review_date
    from reviews_in_view
    order by review_date desc, review_id desc
    limit :page_size offset :offset
),

details as (
    select
        review_id,
        customer_id,
        product_id,
        review_rating,
        review_language,
        review_text,
        review_text_english,
        sentiment_score
    from analytics.fact_product_reviews
)

select
    page.review_id,
    page.review_date,
    details.customer_id,
    customers.customer_name,
    details.product_id,
    details.review_rating,
    details.review_language,
    details.review_text,
    details.review_text_english,
    details.sentiment_score,
    (select count(*) from reviews_in_view) as total_reviews
from page
inner join details on details.review_id = page.review_id
left join customers on customers.customer_id = details.customer_id
order by page.review_date desc, page.review_id desc
