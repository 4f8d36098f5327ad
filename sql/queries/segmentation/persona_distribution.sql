-- Customers in view per derived persona (DESIGN.md §3), every persona present (0 when nobody has it) in the
-- order of the persona rules, with the share of the customers in view. Personas are computed over each
-- customer's whole history, so only the customer filters apply (not the date range).
with personas as (
    select 'Satisfied' as derived_persona, 1 as persona_order
    union all select 'Frustrated', 2
    union all select 'Mixed', 3
    union all select 'Improving', 4
    union all select 'Deteriorating', 5
    union all select 'Neutral', 6
),

customers_in_view as (
    select dims.derived_persona
    from analytics.customer_dimensions as dims
    where {{ snippet_customer_in_view }}
),

counted as (
    select derived_persona, count(*) as customers
    from customers_in_view
    group by derived_persona
)

select
    personas.derived_persona,
    coalesce(counted.customers, 0) as customers,
    coalesce(cast(counted.customers as double) / nullif((select count(*) from customers_in_view), 0), 0)
        as share
from personas
left join counted on counted.derived_persona = personas.derived_persona
order by personas.persona_order
