-- One row: the SLA breach rate of the tickets in view, as a percentage (NULL when no ticket is measured).
--
-- SLA = hours to resolve a ticket of its priority, config/rules.toml [support] sla_hours_* (Critical 4,
-- High 24, Medium 72, Low 168); deadline = ticket_date + SLA hours. A ticket breaches its SLA when
--   - it is resolved (status in [support] resolved_statuses) and its resolved_date is later than the deadline
--     (resolved exactly at the deadline is within the SLA; one second later is a breach);
--   - it is unresolved (any other status) and the deadline has passed by the end of the warehouse's as-of
--     date, i.e. the deadline is before analytics.warehouse_as_of.as_of_date + 1 day (midnight after the
--     newest data), never the wall clock. A deadline exactly at that midnight is not (yet) a breach.
-- Not measured, and left out of the rate: tickets without a priority level, resolved tickets without a
-- resolved_date. sla_breach_rate_pct = breached_tickets / measured_tickets * 100.
-- Tickets in view: ticket_date within the global date range, customer kept by the global customer filters.
with tickets as (
    select
        tickets.ticket_date,
        tickets.ticket_status,
        tickets.priority_level,
        tickets.resolved_date
    from {{ snippet_tickets_in_view }}
),

sla_targets as (
    select 'Critical' as priority_level, {{ support_sla_hours_critical }} as sla_hours
    union all
    select 'High', {{ support_sla_hours_high }}
    union all
    select 'Medium', {{ support_sla_hours_medium }}
    union all
    select 'Low', {{ support_sla_hours_low }}
),

as_of as (
    select cast(as_of_date + interval '1 day' as timestamp) as end_of_as_of_date
    from analytics.warehouse_as_of
),

deadlines as (
    select
        coalesce(tickets.ticket_status in {{ support_resolved_statuses }}, false) as is_resolved,
        tickets.resolved_date,
        tickets.ticket_date + sla_targets.sla_hours * interval '1 hour' as sla_deadline,
        as_of.end_of_as_of_date
    from tickets
    left join sla_targets on sla_targets.priority_level = tickets.priority_level
    cross join as_of
),

outcomes as (
    select
        is_resolved,
        case when is_resolved then resolved_date else end_of_as_of_date end as measured_at,
        sla_deadline
    from deadlines
),

flagged as (
    select
        is_resolved,
        sla_deadline is not null and measured_at is not null as is_measured,
        coalesce(measured_at > sla_deadline, false) as is_breached
    from outcomes
)

select
    count(*) as tickets,
    count(case when is_measured then 1 end) as measured_tickets,
    count(case when is_breached then 1 end) as breached_tickets,
    count(case when not is_resolved then 1 end) as unresolved_tickets,
    count(case when is_breached and not is_resolved then 1 end) as breached_unresolved_tickets,
    100.0 * count(case when is_breached then 1 end) / nullif(count(case when is_measured then 1 end), 0)
        as sla_breach_rate_pct
from flagged
