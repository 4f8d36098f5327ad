-- Type-ahead search of the Customer tab: at most :limit customers whose id or name contains the typed text,
-- case-insensitive, over the whole warehouse (the customer filters do not apply: a CSM looks a customer up
-- whatever the sidebar says, and the tab then says when the customer is outside the filters).
-- :search is a LIKE pattern '%text%' and :prefix 'text%', both built and escaped by the caller (escape character
-- '!', so that a typed % or _ matches itself); :term is the lower-cased text itself, for the exact-id match.
-- Order: the exact id, then ids starting with the text, then names starting with it, then any other match;
-- within a group by name (name matches) and customer id.
with customers as (
    select customer_id, customer_name
    from analytics.customer_base
    where customer_id in ({{ snippet_customers_in_scope }})
),

matches as (
    select
        customer_id,
        customer_name,
        case
            when lower(customer_id) = :term then 0
            when lower(customer_id) like :prefix escape '!' then 1
            when lower(coalesce(customer_name, '')) like :prefix escape '!' then 2
            else 3
        end as match_rank
    from customers
    where lower(customer_id) like :search escape '!'
        or lower(coalesce(customer_name, '')) like :search escape '!'
)

select
    customer_id,
    customer_name,
    match_rank
from matches
order by
    match_rank,
    case when match_rank >= 2 then lower(customer_name) end,
    customer_id
limit :limit
