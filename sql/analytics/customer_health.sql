-- One row per customer (every customer of analytics.customer_base): the health score 0-100, its band, its
-- seven sub-scores, the score trend_days earlier and the measure that costs the most points. Rules in
-- docs/health.md; weights, windows, scaling constants and thresholds in config/rules.toml [health].
-- Reference dates: 'current' = as_of_date (analytics.warehouse_as_of) and 'previous' = as_of_date - trend_days.
-- Every measure is computed per (customer, reference date) by the same SQL, from data dated on or before that
-- date only. Dates are calendar dates; "the last N days" of a reference date r are the days d with
-- 0 <= r - d < N (as in the other marts). Days are counted as days before as_of_date, so a reference date is an
-- offset (0 or trend_days) and a window of it is offset <= days_before_as_of < offset + N.
-- Sub-scores (0-100, clamped; NULL = the measure cannot be computed):
--   sentiment_level_score = 50 * (avg + 1), avg = mean sentiment_score of the customer's interactions, reviews
--     and tickets of the last sentiment_window_days days (unscored texts ignored); NULL without a scored record.
--   sentiment_trend_score = 50 + 50 * (avg - avg of the sentiment_window_days days before) /
--     sentiment_trend_full_change; NULL unless both windows hold a scored record.
--   ticket_score = 100 * (1 - load / ticket_load_zero_score), load = sum of the priority weights of the tickets
--     opened in the last ticket_window_days days (ticket_weight_*; a ticket without priority: _unclassified);
--     no ticket = 100. NULL when the warehouse holds no ticket dated on or before the reference date.
--   rating_score = 25 * (avg rating - 1), over reviews with a rating in the last rating_window_days days.
--   usage_recency_score = 100 * (1 - days since the team's last usage / usage_recency_zero_days); never used = 0.
--   usage_frequency_score = 100 * days with usage in the last usage_frequency_window_days days /
--     usage_frequency_full_days. Both usage scores are NULL when the warehouse holds no usage on or before the
--     reference date (no usage data: not "nobody uses the product").
--   adoption_score = 100 * products_owned / adoption_full_products (NULL products_owned -> NULL). products_owned
--     has no history: the previous score uses today's value.
-- health_score = sum(weight * sub-score) / sum(weight), over the sub-scores that are not NULL (a missing
-- measure's weight is shared out in proportion to the others'), rounded to one decimal; NULL when no measure can
-- be computed or the customer had not signed up by the reference date (sign_up_date > reference date).
-- health_band on the rounded score: >= green_min_score 'green', >= yellow_min_score 'yellow', else 'red'.
-- health_change = health_score - previous_health_score (NULL when either is NULL).
-- weakest_measure: the measure with the most points lost, weight * (100 - sub-score) / sum(weight) (the points
-- between its contribution and a perfect one); ties (to 1e-6) go to the first in config order; NULL when no
-- measure loses points. weakest_measure_points_lost is rounded to one decimal.
with as_of as (
    select as_of_date from analytics.warehouse_as_of
),

customers as (
    select customer_id, cast(sign_up_date as date) as sign_up_date, products_owned from analytics.customer_base
),

scored_records as (
    select customer_id, record_date, sentiment_score
    from analytics.mart_scored_records
    where sentiment_score is not null
),

tickets as (
    select customer_id, cast(ticket_date as date) as ticket_date, priority_level from analytics.fact_support_tickets
),

reviews as (
    select customer_id, cast(review_date as date) as review_date, review_rating
    from analytics.fact_product_reviews
    where review_rating is not null
),

usage_daily as (
    select customer_id, activity_date from analytics.mart_usage_daily
),

weights as (
    select
        cast({{ health_weight_sentiment_level }} as double) as sentiment_level,
        cast({{ health_weight_sentiment_trend }} as double) as sentiment_trend,
        cast({{ health_weight_tickets }} as double) as tickets,
        cast({{ health_weight_rating }} as double) as rating,
        cast({{ health_weight_usage_recency }} as double) as usage_recency,
        cast({{ health_weight_usage_frequency }} as double) as usage_frequency,
        cast({{ health_weight_adoption }} as double) as adoption
),

record_days as (
    select
        scored_records.customer_id,
        cast(scored_records.sentiment_score as double) as sentiment_score,
        date_diff('day', scored_records.record_date, as_of.as_of_date) as days_before_as_of
    from scored_records
    cross join as_of
),

ticket_days as (
    select
        tickets.customer_id,
        cast(case tickets.priority_level
            when 'Critical' then {{ health_ticket_weight_critical }}
            when 'High' then {{ health_ticket_weight_high }}
            when 'Medium' then {{ health_ticket_weight_medium }}
            when 'Low' then {{ health_ticket_weight_low }}
            else {{ health_ticket_weight_unclassified }}
        end as double) as priority_weight,
        date_diff('day', tickets.ticket_date, as_of.as_of_date) as days_before_as_of
    from tickets
    cross join as_of
),

review_days as (
    select
        reviews.customer_id,
        cast(reviews.review_rating as double) as review_rating,
        date_diff('day', reviews.review_date, as_of.as_of_date) as days_before_as_of
    from reviews
    cross join as_of
),

usage_rows as (
    select
        usage_daily.customer_id,
        date_diff('day', usage_daily.activity_date, as_of.as_of_date) as days_before_as_of
    from usage_daily
    cross join as_of
),

reference_dates as (
    select
        refs.score_period,
        refs.offset_days,
        as_of.as_of_date - refs.offset_days as reference_date,
        -- a source "has data" at a reference date when it holds a row dated on or before it
        coalesce((select max(days_before_as_of) from ticket_days) >= refs.offset_days, false) as has_ticket_data,
        coalesce((select max(days_before_as_of) from usage_rows) >= refs.offset_days, false) as has_usage_data
    from (values ('current', 0), ('previous', {{ health_trend_days }})) as refs (score_period, offset_days)
    cross join as_of
),

sentiment_by_reference as (
    select
        refs.score_period,
        record_days.customer_id,
        avg(case
            when record_days.days_before_as_of < refs.offset_days + {{ health_sentiment_window_days }}
                then record_days.sentiment_score
        end) as avg_sentiment,
        avg(case
            when record_days.days_before_as_of >= refs.offset_days + {{ health_sentiment_window_days }}
                then record_days.sentiment_score
        end) as avg_sentiment_before
    from record_days
    inner join reference_dates as refs
        on record_days.days_before_as_of >= refs.offset_days
        and record_days.days_before_as_of < refs.offset_days + 2 * {{ health_sentiment_window_days }}
    group by refs.score_period, record_days.customer_id
),

tickets_by_reference as (
    select
        refs.score_period,
        ticket_days.customer_id,
        sum(ticket_days.priority_weight) as ticket_load
    from ticket_days
    inner join reference_dates as refs
        on ticket_days.days_before_as_of >= refs.offset_days
        and ticket_days.days_before_as_of < refs.offset_days + {{ health_ticket_window_days }}
    group by refs.score_period, ticket_days.customer_id
),

ratings_by_reference as (
    select
        refs.score_period,
        review_days.customer_id,
        avg(review_days.review_rating) as avg_rating
    from review_days
    inner join reference_dates as refs
        on review_days.days_before_as_of >= refs.offset_days
        and review_days.days_before_as_of < refs.offset_days + {{ health_rating_window_days }}
    group by refs.score_period, review_days.customer_id
),

last_usage_by_reference as (
    select
        refs.score_period,
        usage_rows.customer_id,
        min(usage_rows.days_before_as_of) - refs.offset_days as days_since_last_usage
    from usage_rows
    inner join reference_dates as refs on usage_rows.days_before_as_of >= refs.offset_days
    group by refs.score_period, refs.offset_days, usage_rows.customer_id
),

-- distinct days, counted within the window only (a distinct over all usage history costs twice as much at scale M)
usage_days_by_reference as (
    select
        refs.score_period,
        usage_rows.customer_id,
        count(distinct usage_rows.days_before_as_of) as usage_days
    from usage_rows
    inner join reference_dates as refs
        on usage_rows.days_before_as_of >= refs.offset_days
        and usage_rows.days_before_as_of < refs.offset_days + {{ health_usage_frequency_window_days }}
    group by refs.score_period, usage_rows.customer_id
),

inputs as (
    select
        refs.score_period,
        refs.reference_date,
        customers.customer_id,
        refs.reference_date is not null
        and (customers.sign_up_date is null or customers.sign_up_date <= refs.reference_date) as is_scored,
        sentiment.avg_sentiment,
        sentiment.avg_sentiment - sentiment.avg_sentiment_before as sentiment_change,
        case when refs.has_ticket_data then coalesce(ticket_loads.ticket_load, 0) end as ticket_load,
        ratings.avg_rating,
        refs.has_usage_data,
        last_usage.days_since_last_usage,
        case when refs.has_usage_data then coalesce(usage_days.usage_days, 0) end as usage_days,
        customers.products_owned
    from customers
    cross join reference_dates as refs
    left join sentiment_by_reference as sentiment
        on sentiment.score_period = refs.score_period and sentiment.customer_id = customers.customer_id
    left join tickets_by_reference as ticket_loads
        on ticket_loads.score_period = refs.score_period and ticket_loads.customer_id = customers.customer_id
    left join ratings_by_reference as ratings
        on ratings.score_period = refs.score_period and ratings.customer_id = customers.customer_id
    left join last_usage_by_reference as last_usage
        on last_usage.score_period = refs.score_period and last_usage.customer_id = customers.customer_id
    left join usage_days_by_reference as usage_days
        on usage_days.score_period = refs.score_period and usage_days.customer_id = customers.customer_id
),

raw_scores as (
    select
        inputs.*,
        case when is_scored then 50 * (avg_sentiment + 1) end as sentiment_level_raw,
        case
            when is_scored then 50 + 50 * sentiment_change / cast({{ health_sentiment_trend_full_change }} as double)
        end as sentiment_trend_raw,
        case when is_scored then 100 * (1 - ticket_load / cast({{ health_ticket_load_zero_score }} as double)) end
            as ticket_raw,
        case when is_scored then 25 * (avg_rating - 1) end as rating_raw,
        case
            when is_scored and has_usage_data then 100 * (1 - cast(coalesce(
                days_since_last_usage, {{ health_usage_recency_zero_days }}
            ) as double) / {{ health_usage_recency_zero_days }})
        end as usage_recency_raw,
        case when is_scored then 100 * cast(usage_days as double) / {{ health_usage_frequency_full_days }} end
            as usage_frequency_raw,
        case when is_scored then 100 * cast(products_owned as double) / {{ health_adoption_full_products }} end
            as adoption_raw
    from inputs
),

sub_scores as (
    select
        score_period,
        reference_date,
        customer_id,
        avg_sentiment,
        sentiment_change,
        ticket_load,
        avg_rating,
        days_since_last_usage,
        usage_days,
        products_owned,
        case when sentiment_level_raw < 0 then 0 when sentiment_level_raw > 100 then 100 else sentiment_level_raw end
            as sentiment_level_score,
        case when sentiment_trend_raw < 0 then 0 when sentiment_trend_raw > 100 then 100 else sentiment_trend_raw end
            as sentiment_trend_score,
        case when ticket_raw < 0 then 0 when ticket_raw > 100 then 100 else ticket_raw end as ticket_score,
        case when rating_raw < 0 then 0 when rating_raw > 100 then 100 else rating_raw end as rating_score,
        case when usage_recency_raw < 0 then 0 when usage_recency_raw > 100 then 100 else usage_recency_raw end
            as usage_recency_score,
        case when usage_frequency_raw < 0 then 0 when usage_frequency_raw > 100 then 100 else usage_frequency_raw end
            as usage_frequency_score,
        case when adoption_raw < 0 then 0 when adoption_raw > 100 then 100 else adoption_raw end as adoption_score
    from raw_scores
),

weighted as (
    select
        sub_scores.*,
        case when sub_scores.sentiment_level_score is null then 0 else weights.sentiment_level end
        + case when sub_scores.sentiment_trend_score is null then 0 else weights.sentiment_trend end
        + case when sub_scores.ticket_score is null then 0 else weights.tickets end
        + case when sub_scores.rating_score is null then 0 else weights.rating end
        + case when sub_scores.usage_recency_score is null then 0 else weights.usage_recency end
        + case when sub_scores.usage_frequency_score is null then 0 else weights.usage_frequency end
        + case when sub_scores.adoption_score is null then 0 else weights.adoption end as available_weight,
        coalesce(weights.sentiment_level * sub_scores.sentiment_level_score, 0)
        + coalesce(weights.sentiment_trend * sub_scores.sentiment_trend_score, 0)
        + coalesce(weights.tickets * sub_scores.ticket_score, 0)
        + coalesce(weights.rating * sub_scores.rating_score, 0)
        + coalesce(weights.usage_recency * sub_scores.usage_recency_score, 0)
        + coalesce(weights.usage_frequency * sub_scores.usage_frequency_score, 0)
        + coalesce(weights.adoption * sub_scores.adoption_score, 0) as weighted_points,
        (case when sub_scores.sentiment_level_score is null then 0 else 1 end
        + case when sub_scores.sentiment_trend_score is null then 0 else 1 end
        + case when sub_scores.ticket_score is null then 0 else 1 end
        + case when sub_scores.rating_score is null then 0 else 1 end
        + case when sub_scores.usage_recency_score is null then 0 else 1 end
        + case when sub_scores.usage_frequency_score is null then 0 else 1 end
        + case when sub_scores.adoption_score is null then 0 else 1 end) as measures_used
    from sub_scores
    cross join weights
),

scores as (
    select
        weighted.*,
        -- rounded through DECIMAL: portable (Postgres has no round(double, int)) and float noise such as
        -- 62.449999999 rounds like the 62.45 it stands for
        cast(round(cast(weighted_points / nullif(available_weight, 0) as decimal(18, 9)), 1) as double)
            as health_score
    from weighted
),

banded as (
    select
        scores.*,
        case
            when health_score >= {{ health_green_min_score }} then 'green'
            when health_score >= {{ health_yellow_min_score }} then 'yellow'
            when health_score is not null then 'red'
        end as health_band
    from scores
),

current_scores as (
    select * from banded where score_period = 'current'
),

previous_scores as (
    select * from banded where score_period = 'previous'
),

measure_losses as (
    select customer_id, 'sentiment_level' as measure, 1 as measure_order, sentiment_level_score as measure_score,
        weights.sentiment_level * (100 - sentiment_level_score) / available_weight as points_lost
    from current_scores cross join weights where sentiment_level_score is not null
    union all
    select customer_id, 'sentiment_trend', 2, sentiment_trend_score,
        weights.sentiment_trend * (100 - sentiment_trend_score) / available_weight
    from current_scores cross join weights where sentiment_trend_score is not null
    union all
    select customer_id, 'tickets', 3, ticket_score,
        weights.tickets * (100 - ticket_score) / available_weight
    from current_scores cross join weights where ticket_score is not null
    union all
    select customer_id, 'rating', 4, rating_score,
        weights.rating * (100 - rating_score) / available_weight
    from current_scores cross join weights where rating_score is not null
    union all
    select customer_id, 'usage_recency', 5, usage_recency_score,
        weights.usage_recency * (100 - usage_recency_score) / available_weight
    from current_scores cross join weights where usage_recency_score is not null
    union all
    select customer_id, 'usage_frequency', 6, usage_frequency_score,
        weights.usage_frequency * (100 - usage_frequency_score) / available_weight
    from current_scores cross join weights where usage_frequency_score is not null
    union all
    select customer_id, 'adoption', 7, adoption_score,
        weights.adoption * (100 - adoption_score) / available_weight
    from current_scores cross join weights where adoption_score is not null
),

ranked_losses as (
    select
        measure_losses.*,
        row_number() over (
            partition by customer_id
            order by cast(points_lost as decimal(18, 6)) desc, measure_order
        ) as loss_rank
    from measure_losses
    where points_lost > 0
),

weakest as (
    select customer_id, measure, measure_score, points_lost from ranked_losses where loss_rank = 1
)

select
    current_scores.customer_id,
    current_scores.reference_date,
    current_scores.health_score,
    current_scores.health_band,
    previous_scores.reference_date as previous_reference_date,
    previous_scores.health_score as previous_health_score,
    previous_scores.health_band as previous_health_band,
    cast(round(cast(current_scores.health_score - previous_scores.health_score as decimal(18, 9)), 1) as double)
        as health_change,
    current_scores.sentiment_level_score,
    current_scores.sentiment_trend_score,
    current_scores.ticket_score,
    current_scores.rating_score,
    current_scores.usage_recency_score,
    current_scores.usage_frequency_score,
    current_scores.adoption_score,
    current_scores.measures_used,
    weakest.measure as weakest_measure,
    weakest.measure_score as weakest_measure_score,
    cast(round(cast(weakest.points_lost as decimal(18, 9)), 1) as double) as weakest_measure_points_lost,
    current_scores.avg_sentiment,
    current_scores.sentiment_change,
    current_scores.ticket_load,
    current_scores.avg_rating,
    current_scores.days_since_last_usage,
    current_scores.usage_days,
    current_scores.products_owned
from current_scores
inner join previous_scores on previous_scores.customer_id = current_scores.customer_id
left join weakest on weakest.customer_id = current_scores.customer_id
