-- The Pareto (cumulative value) curve of the customers in view: customers with value > 0 (value as in
-- analytics.customer_rfm; value_basis says which) sorted by value descending (ties by customer_id), point i = the
-- top i customers: customer_share = i / n (x), value_share = their value / the total value (y). Point 0 is the
-- origin (0, 0), point n is (1, 1). Zero and negative values are left out, as in revenue_concentration.
-- Downsampled to at most :max_points points (:max_points >= 2) with the first and last always kept: all n + 1
-- points when n + 1 <= :max_points; else the points i = ceil(j * n / (:max_points - 1)), j = 0 .. :max_points - 1,
-- i.e. exactly :max_points points evenly spaced in customers. In integers: i is kept when
-- mod(i * (:max_points - 1), n) < :max_points - 1.
-- Customers in view: kept by the global customer filters; the date range does not apply (all time, as of the
-- warehouse's as_of_date). No customer with value > 0 in view: no rows.
with customers as (
    select rfm.customer_id, cast(rfm.value as double) as value
    from {{ snippet_rfm_in_view }}
),

value_basis as (
    select min(value_basis) as value_basis from analytics.customer_rfm
),

curve as (
    select
        row_number() over (order by value desc, customer_id) as point_index,
        sum(value) over (order by value desc, customer_id rows between unbounded preceding and current row)
            as cumulative_value,
        count(*) over () as customers_with_value,
        sum(value) over () as total_value
    from customers
    where value > 0
),

points as (
    select point_index, cumulative_value, customers_with_value, total_value from curve
    union all
    select 0, 0.0, max(customers_with_value), max(total_value) from curve having count(*) > 0
)

select
    points.point_index,
    cast(points.point_index as double) / points.customers_with_value as customer_share,
    case
        when points.point_index = points.customers_with_value then 1.0
        else points.cumulative_value / points.total_value
    end as value_share,
    points.customers_with_value,
    points.total_value,
    value_basis.value_basis
from points
cross join value_basis
where
    points.customers_with_value + 1 <= :max_points
    or points.point_index = 0
    or points.point_index = points.customers_with_value
    or (points.point_index * (:max_points - 1)) % points.customers_with_value < :max_points - 1
order by points.point_index
