-- How many customers in view raised how many tickets in the date range: a histogram over fixed bins
-- (0, 1, 2, 3–5, 6–10, 11–20, 21–50, 51–100, 101+). Every bin is returned, empty ones with 0 customers.
-- Customers in view: kept by the global customer filters (with or without tickets); their tickets: ticket_date
-- within the global date range.
with customers as (
    select dims.customer_id
    from analytics.customer_dimensions as dims
    where {{ snippet_customer_in_view }}
),

tickets as (
    select tickets.customer_id
    from analytics.fact_support_tickets as tickets
    where cast(tickets.ticket_date as date) between :date_from and :date_to
),

bins as (
    select *
    from (
        values
            (1, 0, 0, '0'),
            (2, 1, 1, '1'),
            (3, 2, 2, '2'),
            (4, 3, 5, '3–5'),
            (5, 6, 10, '6–10'),
            (6, 11, 20, '11–20'),
            (7, 21, 50, '21–50'),
            (8, 51, 100, '51–100'),
            (9, 101, null, '101+')
    ) as bins (bin_order, min_tickets, max_tickets, bin_label)
),

ticket_counts as (
    select
        customers.customer_id,
        count(tickets.customer_id) as ticket_count
    from customers
    left join tickets on tickets.customer_id = customers.customer_id
    group by customers.customer_id
)

select
    bins.bin_order,
    bins.bin_label,
    bins.min_tickets,
    bins.max_tickets,
    count(ticket_counts.customer_id) as customers
from bins
left join ticket_counts
    on ticket_counts.ticket_count >= bins.min_tickets
    and (bins.max_tickets is null or ticket_counts.ticket_count <= bins.max_tickets)
group by bins.bin_order, bins.bin_label, bins.min_tickets, bins.max_tickets
order by bins.bin_order
