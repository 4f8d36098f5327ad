-- Reviews in view per star rating: always the five rows 1-5 (0 where there are none), with each rating's
-- share of the reviews in view (NULL when there are no reviews at all).
with stars as (
    select * from (values (1), (2), (3), (4), (5)) as stars (review_rating)
),

reviews_in_view as (
    select reviews.review_rating
    from {{ snippet_reviews_in_view }}
),

rating_counts as (
    select
        review_rating,
        count(*) as reviews
    from reviews_in_view
    group by review_rating
),

distribution as (
    select
        stars.review_rating,
        coalesce(rating_counts.reviews, 0) as reviews
    from stars
    left join rating_counts on rating_counts.review_rating = stars.review_rating
)

select
    review_rating,
    reviews,
    reviews * 1.0 / nullif(sum(reviews) over (), 0) as share
from distribution
order by review_rating
