-- The Overview KPI cards for one period: average sentiment of the records in view, interactions in view,
-- % of the customers active in the period who are at High churn risk, average review rating.
-- Run once for the period and once for the previous period of equal length (the delta).
with records as (
    {{ snippet_records_in_view }}
),

ratings as (
    select reviews.review_rating
    from {{ snippet_reviews_in_view }}
),

active_customers as (
    select distinct customer_id, churn_risk
    from records
)

select
    (select avg(sentiment_score) from records) as avg_sentiment,
    (select count(*) from records where source_type = 'interaction') as total_interactions,
    (select 100.0 * avg(case when churn_risk = 'High' then 1 else 0 end) from active_customers)
        as pct_high_churn_risk,
    (select avg(review_rating) from ratings) as avg_rating,
    (select count(*) from active_customers) as active_customers
