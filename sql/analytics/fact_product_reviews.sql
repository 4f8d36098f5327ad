-- Reviews with sentiment, language (ISO code) and the English text (NULL = "not translated").
with reviews as (
    select * from staging.stg_reviews
),

enrichment as (
    select * from staging.stg_review_enrichment
)

select
    reviews.review_id,
    reviews.customer_id,
    reviews.product_id,
    reviews.review_date,
    reviews.review_rating,
    reviews.review_text,
    enrichment.review_language,
    enrichment.review_text_english,
    enrichment.sentiment_score
from reviews
left join enrichment on enrichment.review_id = reviews.review_id
