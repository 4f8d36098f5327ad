-- The support tickets the global filters keep, as a FROM clause: `from {{ snippet_tickets_in_view }}`.
-- Ticket date within the date range, customer kept by the customer filters (interaction type and review
-- language do not apply to tickets). Columns: tickets.* and dims.*.
analytics.fact_support_tickets as tickets
inner join analytics.customer_dimensions as dims on dims.customer_id = tickets.customer_id
where cast(tickets.ticket_date as date) between :date_from and :date_to
    and {{ snippet_customer_in_view }}
