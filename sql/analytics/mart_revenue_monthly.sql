-- Revenue per calendar month, from the month of the first order row to the month of as_of_date
-- (analytics.warehouse_as_of), months without orders included with zeros so that a chart shows the gap.
-- Rules (as in mart_customer_orders): amount > 0 is an order, amount < 0 a refund, amount = 0 neither;
-- refunds = the refunded amounts as a positive number; net_revenue = gross_revenue - refunds;
-- paying_customers = distinct customers with at least one order (amount > 0) in the month.
-- A refund counts in the month it happened, not in the month of the order it refunds.
with recursive orders as (
    select
        customer_id,
        cast(date_trunc('month', cast(order_date as date)) as date) as revenue_month,
        amount
    from staging.stg_orders
),

as_of as (
    select cast(date_trunc('month', as_of_date) as date) as as_of_month from analytics.warehouse_as_of
),

-- the month grid, built by recursion (portable: no generate_series; Snowflake wants the column list)
months (revenue_month) as (
    select min(revenue_month) as revenue_month from orders having count(*) > 0
    union all
    select cast(months.revenue_month + interval '1 month' as date)
    from months
    cross join as_of
    where months.revenue_month < as_of.as_of_month
),

per_month as (
    select
        revenue_month,
        sum(case when amount > 0 then amount else 0 end) as gross_revenue,
        sum(case when amount < 0 then -amount else 0 end) as refunds,
        count(case when amount > 0 then 1 end) as order_count,
        count(case when amount < 0 then 1 end) as refund_count,
        count(distinct case when amount > 0 then customer_id end) as paying_customers
    from orders
    group by revenue_month
)

select
    months.revenue_month,
    coalesce(per_month.gross_revenue, 0) as gross_revenue,
    coalesce(per_month.refunds, 0) as refunds,
    coalesce(per_month.gross_revenue, 0) - coalesce(per_month.refunds, 0) as net_revenue,
    coalesce(per_month.order_count, 0) as order_count,
    coalesce(per_month.refund_count, 0) as refund_count,
    coalesce(per_month.paying_customers, 0) as paying_customers
from months
left join per_month on per_month.revenue_month = months.revenue_month
