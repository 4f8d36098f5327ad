-- Product reviews as loaded; review_language is the source's value (a name or code), normalised in enrichment.
select
    review_id,
    customer_id,
    product_id,
    review_date,
    review_rating,
    review_text,
    review_language as source_review_language
from raw_reviews
