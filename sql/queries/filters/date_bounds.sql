-- The first and last dates with activity (interactions, reviews, tickets): "all time" for the date filter,
-- and the anchor of the presets (last 7/30/90 days, year to date are relative to the newest data).
with activity as (
    select interaction_date as activity_date from analytics.sentiment_analysis
)

select
    cast(min(activity_date) as date) as first_date,
    cast(max(activity_date) as date) as last_date
from activity
