-- How concentrated the value of the customers in view is: one row. Value as in analytics.customer_rfm (net
-- revenue, else lifetime value, else usage events: value_basis). Rules (docs/segments.md):
-- - Only customers with value > 0 count (zero and negative net revenue, e.g. refunds exceeding orders, are left
--   out): n = customers_with_value, total_value = the sum of their values.
-- - Top p %: the k = ceil(p * n / 100) customers with the largest values (ties at the cut do not change the sum);
--   top_p_share = their value / total_value. In integers: the customer ranked i (1 = largest) is in the top p %
--   when 100 (i - 1) < p n. top_1pct_customers etc. are the k.
-- - Gini over the n values sorted ascending x_1 <= ... <= x_n: G = 2 * sum(i * x_i) / (n * sum(x_i)) - (n + 1) / n
--   (0 = everyone the same, towards 1 = one customer holds everything; 0 for a single customer).
-- - No customer with value > 0 in view: customers_with_value 0 and NULL total, shares and gini.
-- Customers in view: kept by the global customer filters; customers_in_view counts them all. The date range does
-- not apply (all time, as of the warehouse's as_of_date).
with customers as (
    select rfm.customer_id, cast(rfm.value as double) as value
    from {{ snippet_rfm_in_view }}
),

value_basis as (
    select min(value_basis) as value_basis from analytics.customer_rfm
),

in_view as (
    select count(*) as customers_in_view from customers
),

ranked as (
    select
        value,
        row_number() over (order by value desc, customer_id) as rank_desc,
        row_number() over (order by value, customer_id) as rank_asc,
        count(*) over () as n
    from customers
    where value > 0
),

totals as (
    select
        count(*) as customers_with_value,
        sum(value) as total_value,
        sum(rank_asc * value) as weighted_sum,
        sum(case when 100 * (rank_desc - 1) < 1 * n then value end) as top_1pct_value,
        sum(case when 100 * (rank_desc - 1) < 10 * n then value end) as top_10pct_value,
        sum(case when 100 * (rank_desc - 1) < 20 * n then value end) as top_20pct_value,
        count(case when 100 * (rank_desc - 1) < 1 * n then 1 end) as top_1pct_customers,
        count(case when 100 * (rank_desc - 1) < 10 * n then 1 end) as top_10pct_customers,
        count(case when 100 * (rank_desc - 1) < 20 * n then 1 end) as top_20pct_customers
    from ranked
)

select
    in_view.customers_in_view,
    totals.customers_with_value,
    totals.total_value,
    totals.top_1pct_customers,
    totals.top_1pct_value / totals.total_value as top_1pct_share,
    totals.top_10pct_customers,
    totals.top_10pct_value / totals.total_value as top_10pct_share,
    totals.top_20pct_customers,
    totals.top_20pct_value / totals.total_value as top_20pct_share,
    2 * totals.weighted_sum / (cast(totals.customers_with_value as double) * totals.total_value)
    - cast(totals.customers_with_value + 1 as double) / nullif(totals.customers_with_value, 0) as gini,
    value_basis.value_basis
from in_view
cross join totals
cross join value_basis
