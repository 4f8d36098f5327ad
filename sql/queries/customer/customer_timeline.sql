-- The Customer tab's timeline: every record of the customer :customer_id, from every source, as one list.
--   interaction  one row per interaction (kind = interaction type, body = the notes)
--   review       one row per review (kind = product id, body = the text, body_english = its English text, rating)
--   ticket       one row per ticket (kind = category / subcategory, body = the description, status, priority,
--                requested remedy; is_open_ticket when the status is not one of config/rules.toml [support]
--                resolved_statuses, a NULL status counting as open as on the Support tab)
--   order        one row per order row (kind = 'order', or 'refund' when amount < 0; amount)
--   usage        one row per calendar day with product usage (analytics.mart_usage_daily): events and distinct
--                users of the day, body = the day's events per feature, most used first ("search 12, export 3").
--                Usage is aggregated per day (and per feature inside the day's text) because an account's raw
--                events would bury every other record.
-- sentiment_score is the record's own score (interactions, reviews, tickets; NULL when the text was not scored,
-- and for orders and usage, which have no text).
-- In view: the record's calendar date within :date_from..:date_to, the interaction type filter on interactions and
-- the review language filter on reviews (as everywhere else); the customer filters do not apply (one customer).
-- :sources (NULL = all) narrows the list to some sources. Order: open tickets first, then newest first.
-- :page_size rows from row :offset. Each row carries records_total (all the customer's records, every source and
-- date), records_in_view (those in view, every source) and rows_matching (in view and of the chosen sources: the
-- count to page through); an empty page is one row with those counts and NULL record columns (source_type NULL).
-- orders: product id in body, amount and quantity; usage: events and users.
with interactions as (
    select
        'interaction' as source_type,
        interaction_id as record_id,
        cast(interaction_date as timestamp) as record_time,
        interaction_type as kind,
        interaction_notes as body,
        cast(null as varchar) as body_english,
        sentiment_score,
        cast(null as varchar) as status,
        cast(null as varchar) as priority_level,
        cast(null as varchar) as requested_remedy,
        cast(null as bigint) as rating,
        cast(null as double) as amount,
        cast(null as bigint) as quantity,
        cast(null as bigint) as events,
        cast(null as bigint) as users,
        false as is_open_ticket,
        (:interaction_types is null or list_contains(:interaction_types, interaction_type)) as passes_record_filters
    from analytics.fact_customer_interactions
    where customer_id = :customer_id
),

reviews as (
    select
        'review' as source_type,
        review_id as record_id,
        cast(review_date as timestamp) as record_time,
        product_id as kind,
        review_text as body,
        review_text_english as body_english,
        sentiment_score,
        cast(null as varchar) as status,
        cast(null as varchar) as priority_level,
        cast(null as varchar) as requested_remedy,
        cast(review_rating as bigint) as rating,
        cast(null as double) as amount,
        cast(null as bigint) as quantity,
        cast(null as bigint) as events,
        cast(null as bigint) as users,
        false as is_open_ticket,
        (:review_languages is null or list_contains(:review_languages, review_language)) as passes_record_filters
    from analytics.fact_product_reviews
    where customer_id = :customer_id
),

tickets as (
    select
        'ticket' as source_type,
        ticket_id as record_id,
        cast(ticket_date as timestamp) as record_time,
        ticket_category || coalesce(' / ' || ticket_subcategory, '') as kind,
        ticket_description as body,
        cast(null as varchar) as body_english,
        sentiment_score,
        ticket_status as status,
        priority_level,
        requested_remedy,
        cast(null as bigint) as rating,
        cast(null as double) as amount,
        cast(null as bigint) as quantity,
        cast(null as bigint) as events,
        cast(null as bigint) as users,
        not coalesce(ticket_status in {{ support_resolved_statuses }}, false) as is_open_ticket,
        true as passes_record_filters
    from analytics.fact_support_tickets
    where customer_id = :customer_id
),

orders as (
    select
        'order' as source_type,
        order_id as record_id,
        cast(order_date as timestamp) as record_time,
        case when amount < 0 then 'refund' else 'order' end as kind,
        product_id as body,
        cast(null as varchar) as body_english,
        cast(null as double) as sentiment_score,
        cast(null as varchar) as status,
        cast(null as varchar) as priority_level,
        cast(null as varchar) as requested_remedy,
        cast(null as bigint) as rating,
        cast(amount as double) as amount,
        cast(quantity as bigint) as quantity,
        cast(null as bigint) as events,
        cast(null as bigint) as users,
        false as is_open_ticket,
        true as passes_record_filters
    from staging.stg_orders
    where customer_id = :customer_id
),

usage_features as (
    select
        activity_date,
        feature_name,
        sum(events) as events
    from analytics.mart_usage_daily
    where customer_id = :customer_id
    group by activity_date, feature_name
),

usage_days as (
    select
        activity_date,
        cast(sum(events) as bigint) as events,
        string_agg(feature_name || ' ' || cast(events as varchar), ', ' order by events desc, feature_name) as body
    from usage_features
    group by activity_date
),

usage_users as (
    select
        activity_date,
        count(distinct user_id) as users
    from analytics.mart_usage_daily
    where customer_id = :customer_id
    group by activity_date
),

usage as (
    select
        'usage' as source_type,
        cast(usage_days.activity_date as varchar) as record_id,
        cast(usage_days.activity_date as timestamp) as record_time,
        'product usage' as kind,
        usage_days.body,
        cast(null as varchar) as body_english,
        cast(null as double) as sentiment_score,
        cast(null as varchar) as status,
        cast(null as varchar) as priority_level,
        cast(null as varchar) as requested_remedy,
        cast(null as bigint) as rating,
        cast(null as double) as amount,
        cast(null as bigint) as quantity,
        usage_days.events,
        cast(usage_users.users as bigint) as users,
        false as is_open_ticket,
        true as passes_record_filters
    from usage_days
    inner join usage_users on usage_users.activity_date = usage_days.activity_date
),

every_record as (
    select * from interactions
    union all
    select * from reviews
    union all
    select * from tickets
    union all
    select * from orders
    union all
    select * from usage
),

-- nothing of an account outside the signed-in user's scope (warehouse/scope.py)
records as (
    select * from every_record
    where :customer_id in ({{ snippet_customers_in_scope }})
),

in_view as (
    select *
    from records
    where cast(record_time as date) between :date_from and :date_to
        and passes_record_filters
),

matching as (
    select *
    from in_view
    where :sources is null or list_contains(:sources, source_type)
),

page as (
    select *
    from matching
    order by case when is_open_ticket then 0 else 1 end, record_time desc, source_type, record_id
    limit :page_size offset :offset
),

counts as (
    select
        (select count(*) from records) as records_total,
        (select count(*) from in_view) as records_in_view,
        (select count(*) from matching) as rows_matching
)

select
    source_type,
    record_id,
    record_time,
    cast(record_time as date) as record_date,
    kind,
    body,
    body_english,
    sentiment_score,
    status,
    priority_level,
    requested_remedy,
    rating,
    amount,
    quantity,
    events,
    users,
    is_open_ticket,
    counts.records_total,
    counts.records_in_view,
    counts.rows_matching
from counts
left join page on true
order by case when is_open_ticket then 0 else 1 end, record_time desc, source_type, record_id
