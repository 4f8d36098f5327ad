-- The product reviews the global filters keep, as a FROM clause: `from {{ snippet_reviews_in_view }}`.
-- Review date within the date range, review language in the language filter, customer kept by the customer
-- filters (interaction type does not apply to reviews). Columns: reviews.* and dims.*.
analytics.fact_product_reviews as reviews
inner join analytics.customer_dimensions as dims on dims.customer_id = reviews.customer_id
where cast(reviews.review_date as date) between :date_from and :date_to
    and (:review_languages is null or list_contains(:review_languages, reviews.review_language))
    and {{ snippet_customer_in_view }}
