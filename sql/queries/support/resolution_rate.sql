-- One row: the resolution rate of the tickets in view = tickets whose status is one of
-- config/rules.toml [support] resolved_statuses (resolved, closed; statuses are lower-cased) / all tickets
-- in view, as a percentage (NULL without tickets), with both counts.
-- Tickets in view: ticket_date within the global date range, customer kept by the global customer filters.
with tickets as (
    select tickets.ticket_status
    from {{ snippet_tickets_in_view }}
),

flagged as (
    select coalesce(ticket_status in {{ support_resolved_statuses }}, false) as is_resolved
    from tickets
)

select
    count(*) as tickets,
    count(case when is_resolved then 1 end) as resolved_tickets,
    100.0 * count(case when is_resolved then 1 end) / nullif(count(*), 0) as resolution_rate_pct
from flagged
