-- Reviews in view per review language (ISO code; NULL when it could not be detected): number of reviews,
-- average sentiment (-1 to 1) and average rating. Most reviewed language first.
with reviews as (
    select * from analytics.fact_product_reviews
),

reviews_in_view as (
    select
        reviews.review_language,
        reviews.review_rating,
        reviews.sentiment_score
    from reviews
    inner join analytics.customer_dimensions as dims on dims.customer_id = reviews.customer_id
    where cast(reviews.review_date as date) between :date_from and :date_to
        and (:review_languages is null or list_contains(:review_languages, reviews.review_language))
        and {{ snippet_customer_in_view }}
)

select
    review_language,
    count(*) as reviews,
    avg(sentiment_score) as avg_sentiment,
    avg(review_rating) as avg_rating
from reviews_in_view
group by review_language
order by reviews desc, review_language
