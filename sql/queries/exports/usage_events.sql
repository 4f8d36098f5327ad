-- Raw records export (reports/exports.py, dataset "usage"): the product usage events as loaded, one row per event
-- row of the source, of the teams the customer filters keep (the Usage tab's rule: the customer filters choose the
-- teams), with the event's calendar date within :date_from..:date_to, narrowed to the teams :team_ids (customer
-- ids) and the users :user_ids (NULL = all). events_count is the source's, 1 when it was missing (the source
-- contract's default, as in analytics.mart_usage_daily); rows with 0 events are kept: they are records too, the
-- marts leave them out of the activity. The interaction type and review language filters do not apply.
-- Newest first, then by team, user and feature.
with customers as (
    select customer_id, customer_name from analytics.customer_base
),

-- one name per user of a team: a users file may list a user twice
users as (
    select customer_id, user_id, min(user_name) as user_name
    from staging.stg_users
    group by customer_id, user_id
),

events as (
    select events.*
    from staging.stg_usage_events as events
    inner join analytics.customer_dimensions as dims on dims.customer_id = events.customer_id
    where cast(events.event_date as date) between :date_from and :date_to
        and {{ snippet_customer_in_view }}
        and (:team_ids is null or list_contains(:team_ids, events.customer_id))
        and (:user_ids is null or list_contains(:user_ids, events.user_id))
)

select
    events.event_date,
    events.customer_id,
    customers.customer_name,
    events.user_id,
    users.user_name,
    events.feature_name,
    coalesce(events.events_count, 1) as events_count
from events
left join customers on customers.customer_id = events.customer_id
left join users on users.customer_id = events.customer_id and users.user_id = events.user_id
order by events.event_date desc, events.customer_id, events.user_id, events.feature_name
