-- One page of the segment explorer: the customers in view (customer filters; attributes over each customer's
-- whole history), sorted by :sort_column in :sort_direction ('asc' / 'desc'), then by customer id; :page_size
-- rows from row :offset, each with customers_in_view (the count over all pages).
-- :search (NULL = no search) is a LIKE pattern ('%term%', built and escaped by the caller) matched against the
-- lower-cased customer id and name.
-- :sort_column and :sort_direction are bound values picked from a whitelist in dashapp/tabs/segmentation.py;
-- they choose a CASE branch below and never become SQL text. Churn risk and upsell sort by level (High first
-- when descending); empty values sort last in both directions.
with signals as (
    select * from analytics.customer_persona_signals
),

customers as (
    select
        base.customer_id,
        base.customer_name,
        base.lifetime_value,
        dims.value_segment,
        dims.derived_persona,
        dims.churn_risk,
        dims.upsell_opportunity,
        dims.overall_sentiment,
        signals.avg_sentiment,
        signals.sentiment_trend,
        coalesce(signals.ticket_count, 0) as ticket_count,
        signals.avg_rating,
        signals.customer_summary
    from analytics.customer_dimensions as dims
    inner join analytics.customer_base as base on base.customer_id = dims.customer_id
    inner join signals on signals.customer_id = dims.customer_id
    where {{ snippet_customer_in_view }}
        and (:search is null
            or lower(base.customer_id) like :search escape '!'
            or lower(coalesce(base.customer_name, '')) like :search escape '!')
),

sort_keys as (
    select
        customers.*,
        case :sort_column
            when 'customer_id' then lower(customer_id)
            when 'customer_name' then lower(customer_name)
            when 'value_segment' then value_segment
            when 'derived_persona' then derived_persona
            when 'overall_sentiment' then overall_sentiment
        end as text_key,
        case :sort_column
            when 'lifetime_value' then cast(lifetime_value as double)
            when 'avg_sentiment' then cast(avg_sentiment as double)
            when 'sentiment_trend' then cast(sentiment_trend as double)
            when 'ticket_count' then cast(ticket_count as double)
            when 'avg_rating' then cast(avg_rating as double)
            when 'churn_risk' then
                case churn_risk when 'High' then 3 when 'Medium' then 2 when 'Low' then 1 end
            when 'upsell_opportunity' then
                case upsell_opportunity when 'High' then 3 when 'Medium' then 2 when 'Low' then 1 end
        end as number_key
    from customers
),

page as (
    select *
    from sort_keys
    order by
        case when :sort_direction = 'asc' then text_key end asc nulls last,
        case when :sort_direction = 'desc' then text_key end desc nulls last,
        case when :sort_direction = 'asc' then number_key end asc nulls last,
        case when :sort_direction = 'desc' then number_key end desc nulls last,
        customer_id
    limit :page_size offset :offset
)

select
    customer_id,
    customer_name,
    value_segment,
    lifetime_value,
    derived_persona,
    churn_risk,
    upsell_opportunity,
    overall_sentiment,
    avg_sentiment,
    sentiment_trend,
    ticket_count,
    avg_rating,
    customer_summary,
    (select count(*) from customers) as customers_in_view
from page
order by
    case when :sort_direction = 'asc' then text_key end asc nulls last,
    case when :sort_direction = 'desc' then text_key end desc nulls last,
    case when :sort_direction = 'asc' then number_key end asc nulls last,
    case when :sort_direction = 'desc' then number_key end desc nulls last,
    customer_id
