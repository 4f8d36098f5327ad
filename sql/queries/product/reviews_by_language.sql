-- Reviews in view per review language (ISO code; NULL when it could not be detected): number of reviews,
-- average sentiment (-1 to 1) and average rating. Most reviewed language first.
with reviews_in_view as (
    select
        reviews.review_language,
        reviews.review_rating,
        reviews.sentiment_score
    from {{ snippet_reviews_in_view }}
)

select
    review_language,
    count(*) as reviews,
    avg(sentiment_score) as avg_sentiment,
    avg(review_rating) as avg_rating
from reviews_in_view
group by review_language
order by reviews desc, review_language
