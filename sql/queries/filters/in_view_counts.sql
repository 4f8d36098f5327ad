-- How many customers and records the global filters keep (always shown above the tabs).
with records as (
    {{ snippet_records_in_view }}
)

select
    (select count(*) from analytics.customer_dimensions as dims where {{ snippet_customer_in_view }})
        as customers,
    (select count(*) from records) as records
