-- Churn model features and label at a cutoff date (insight/churn.py; rules in docs/churn.md).
-- Parameters: :cutoff (DATE), :horizon_days (N, config/rules.toml [churn_model] horizon_days).
-- Grain: one row per customer of analytics.customer_base who signed up on or before :cutoff.
-- Activity = an interaction, a product usage day (mart_usage_daily) or an order with amount > 0: the retention
-- definition of mart_customer_active_months (reviews, tickets and refunds are not activity).
-- "The last W days" of the cutoff are the days d with 0 <= cutoff - d < W (W calendar days including the cutoff).
--   in_population            active in the last N days (not yet churned by the label's own definition): the
--                            customers the model is trained on, evaluated on and applied to
--   label                    1 = no activity on any day d with 1 <= d - cutoff <= N (activity on cutoff + N
--                            counts, activity on the cutoff itself does not); 0 = some; NULL when cutoff + N is
--                            after the warehouse's as_of_date (the future is unknown)
-- Every feature reads records dated on or before the cutoff only (days_before >= 0):
--   days_since_last_activity cutoff - last activity day (NULL: never active)
--   active_days_30d/90d      distinct activity days in the last 30/90 days ([churn_model] windows)
--   interactions/reviews/tickets_90d, high_priority_tickets_90d (Critical or High)
--   avg_sentiment_90d        mean sentiment_score of the scored interactions, reviews and tickets of the window
--   sentiment_change_90d     avg_sentiment_90d - the mean of the 90 days before (NULL unless both exist)
--   avg_rating_90d           mean review_rating of the window
--   usage_events_30d, usage_events_prev_30d (the 30 days before), usage_trend_30d = ln((30d + 1) / (prev + 1))
--   orders_90d (amount > 0), net_revenue_90d (sum of amounts, refunds negative)
--   tenure_days              cutoff - sign_up_date
-- lifetime_value and value_segment are the customer's current attributes (not as of the cutoff): they choose the
-- recommended action, the model does not use them (they would leak revenue earned after the cutoff).
with params as (
    select
        cast(:cutoff as date) as cutoff_date,
        cast(:horizon_days as integer) as horizon_days
),

as_of as (
    select as_of_date from analytics.warehouse_as_of
),

customers as (
    select
        customer_base.customer_id,
        customer_base.sign_up_date,
        customer_base.lifetime_value,
        customer_base.value_segment
    from analytics.customer_base
    cross join params
    where customer_base.sign_up_date <= params.cutoff_date
),

interactions as (
    select customer_id, cast(interaction_date as date) as activity_date
    from analytics.fact_customer_interactions
),

usage_days as (
    select customer_id, activity_date, events
    from analytics.mart_usage_daily
),

orders as (
    select customer_id, cast(order_date as date) as order_date, amount
    from staging.stg_orders
),

records as (
    select customer_id, record_date, source_type, sentiment_score
    from analytics.mart_scored_records
),

tickets as (
    select customer_id, cast(ticket_date as date) as ticket_date, priority_level
    from analytics.fact_support_tickets
),

reviews as (
    select customer_id, cast(review_date as date) as review_date, review_rating
    from analytics.fact_product_reviews
),

activity as (
    select customer_id, activity_date from interactions
    union all
    select customer_id, activity_date from usage_days
    union all
    select customer_id, order_date as activity_date from orders where amount > 0
),

activity_dated as (
    select
        activity.customer_id,
        activity.activity_date,
        date_diff('day', activity.activity_date, params.cutoff_date) as days_before,
        params.horizon_days
    from activity
    cross join params
    where date_diff('day', activity.activity_date, params.cutoff_date) >= -params.horizon_days
),

activity_per_customer as (
    select
        customer_id,
        max(case when days_before >= 0 then activity_date end) as last_activity_date,
        count(distinct case when days_before >= 0 and days_before < {{ churn_model_short_window_days }}
            then activity_date end) as active_days_30d,
        count(distinct case when days_before >= 0 and days_before < {{ churn_model_long_window_days }}
            then activity_date end) as active_days_90d,
        max(case when days_before >= 0 and days_before < horizon_days then 1 else 0 end) as active_before,
        max(case when days_before < 0 then 1 else 0 end) as active_after
    from activity_dated
    group by customer_id
),

sentiment_per_customer as (
    -- the last 90 days and the 90 days before them
    select
        records.customer_id,
        avg(case when date_diff('day', records.record_date, params.cutoff_date) < {{ churn_model_long_window_days }}
            then records.sentiment_score end) as avg_sentiment_90d,
        avg(case when date_diff('day', records.record_date, params.cutoff_date) >= {{ churn_model_long_window_days }}
            then records.sentiment_score end) as avg_sentiment_prev_90d
    from records
    cross join params
    where date_diff('day', records.record_date, params.cutoff_date) >= 0
        and date_diff('day', records.record_date, params.cutoff_date) < 2 * {{ churn_model_long_window_days }}
    group by records.customer_id
),

record_counts as (
    select
        records.customer_id,
        count(case when records.source_type = 'interaction' then 1 end) as interactions_90d,
        count(case when records.source_type = 'review' then 1 end) as reviews_90d,
        count(case when records.source_type = 'ticket' then 1 end) as tickets_90d
    from records
    cross join params
    where date_diff('day', records.record_date, params.cutoff_date) >= 0
        and date_diff('day', records.record_date, params.cutoff_date) < {{ churn_model_long_window_days }}
    group by records.customer_id
),

tickets_per_customer as (
    select
        tickets.customer_id,
        count(case when tickets.priority_level in ('Critical', 'High') then 1 end) as high_priority_tickets_90d
    from tickets
    cross join params
    where date_diff('day', tickets.ticket_date, params.cutoff_date) >= 0
        and date_diff('day', tickets.ticket_date, params.cutoff_date) < {{ churn_model_long_window_days }}
    group by tickets.customer_id
),

reviews_per_customer as (
    select
        reviews.customer_id,
        avg(cast(reviews.review_rating as double)) as avg_rating_90d
    from reviews
    cross join params
    where date_diff('day', reviews.review_date, params.cutoff_date) >= 0
        and date_diff('day', reviews.review_date, params.cutoff_date) < {{ churn_model_long_window_days }}
    group by reviews.customer_id
),

usage_per_customer as (
    select
        usage_days.customer_id,
        sum(case when date_diff('day', usage_days.activity_date, params.cutoff_date)
            < {{ churn_model_short_window_days }} then usage_days.events else 0 end) as usage_events_30d,
        sum(case when date_diff('day', usage_days.activity_date, params.cutoff_date)
            >= {{ churn_model_short_window_days }} then usage_days.events else 0 end) as usage_events_prev_30d
    from usage_days
    cross join params
    where date_diff('day', usage_days.activity_date, params.cutoff_date) >= 0
        and date_diff('day', usage_days.activity_date, params.cutoff_date) < 2 * {{ churn_model_short_window_days }}
    group by usage_days.customer_id
),

orders_per_customer as (
    select
        orders.customer_id,
        count(case when orders.amount > 0 then 1 end) as orders_90d,
        sum(orders.amount) as net_revenue_90d
    from orders
    cross join params
    where date_diff('day', orders.order_date, params.cutoff_date) >= 0
        and date_diff('day', orders.order_date, params.cutoff_date) < {{ churn_model_long_window_days }}
    group by orders.customer_id
)

select
    customers.customer_id,
    params.cutoff_date,
    customers.value_segment,
    customers.lifetime_value,
    coalesce(activity_per_customer.active_before, 0) = 1 as in_population,
    case
        when as_of.as_of_date is null
            or date_diff('day', params.cutoff_date, as_of.as_of_date) < params.horizon_days then null
        when coalesce(activity_per_customer.active_after, 0) = 1 then 0
        else 1
    end as label,
    date_diff('day', activity_per_customer.last_activity_date, params.cutoff_date) as days_since_last_activity,
    coalesce(activity_per_customer.active_days_30d, 0) as active_days_30d,
    coalesce(activity_per_customer.active_days_90d, 0) as active_days_90d,
    coalesce(record_counts.interactions_90d, 0) as interactions_90d,
    coalesce(record_counts.reviews_90d, 0) as reviews_90d,
    coalesce(record_counts.tickets_90d, 0) as tickets_90d,
    coalesce(tickets_per_customer.high_priority_tickets_90d, 0) as high_priority_tickets_90d,
    sentiment_per_customer.avg_sentiment_90d,
    sentiment_per_customer.avg_sentiment_90d - sentiment_per_customer.avg_sentiment_prev_90d as sentiment_change_90d,
    reviews_per_customer.avg_rating_90d,
    coalesce(usage_per_customer.usage_events_30d, 0) as usage_events_30d,
    coalesce(usage_per_customer.usage_events_prev_30d, 0) as usage_events_prev_30d,
    ln(cast(coalesce(usage_per_customer.usage_events_30d, 0) + 1 as double)
        / cast(coalesce(usage_per_customer.usage_events_prev_30d, 0) + 1 as double)) as usage_trend_30d,
    coalesce(orders_per_customer.orders_90d, 0) as orders_90d,
    coalesce(orders_per_customer.net_revenue_90d, 0) as net_revenue_90d,
    date_diff('day', customers.sign_up_date, params.cutoff_date) as tenure_days
from customers
cross join params
cross join as_of
left join activity_per_customer on activity_per_customer.customer_id = customers.customer_id
left join sentiment_per_customer on sentiment_per_customer.customer_id = customers.customer_id
left join record_counts on record_counts.customer_id = customers.customer_id
left join tickets_per_customer on tickets_per_customer.customer_id = customers.customer_id
left join reviews_per_customer on reviews_per_customer.customer_id = customers.customer_id
left join usage_per_customer on usage_per_customer.customer_id = customers.customer_id
left join orders_per_customer on orders_per_customer.customer_id = customers.customer_id
order by customers.customer_id
