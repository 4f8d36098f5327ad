-- The first and last dates with activity (interactions, reviews, tickets, scored or not): "all time" for the
-- date filter, and the anchor of the presets (last 7/30/90 days, year to date are relative to the newest data).
with records as (
    select record_date from analytics.mart_scored_records
)

select
    cast(min(record_date) as date) as first_date,
    cast(max(record_date) as date) as last_date
from records
