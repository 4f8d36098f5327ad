-- Per customer: sentiment signals, ticket patterns, rating and the derived labels.
-- Rules (config/rules.toml), with tc = coalesce(ticket_count, 0), first match wins:
--   overall_sentiment: avg < negative_below -> Negative; avg > positive_above -> Positive; else Neutral
--   derived_persona: Satisfied, Frustrated, Mixed, Improving, Deteriorating, else Neutral
--   churn_risk: High, Medium, else Low;  upsell_opportunity: High, Medium, else Low
-- A customer with no scored text has NULL avg/trend/volatility: every comparison is unknown, so the
-- labels fall through to Neutral / Low unless the ticket count alone decides (as in the PRD's SQL).
with customers as (
    select * from analytics.customer_base
),

trends as (
    select * from analytics.sentiment_trends
),

summaries as (
    select * from analytics.insight_summaries
),

tickets as (
    select * from analytics.ticket_patterns
),

ratings as (
    select * from analytics.customer_review_stats
),

signals as (
    select
        customers.customer_id,
        trends.avg_sentiment,
        trends.sentiment_trend,
        trends.sentiment_volatility,
        tickets.ticket_count,
        coalesce(tickets.ticket_count, 0) as tc,
        tickets.ticket_categories,
        tickets.ticket_priorities,
        ratings.avg_rating,
        summaries.customer_summary
    from customers
    left join trends on trends.customer_id = customers.customer_id
    left join tickets on tickets.customer_id = customers.customer_id
    left join ratings on ratings.customer_id = customers.customer_id
    left join summaries on summaries.customer_id = customers.customer_id
)

select
    customer_id,
    avg_sentiment,
    sentiment_trend,
    sentiment_volatility,
    case
        when avg_sentiment < {{ overall_sentiment_negative_below }} then 'Negative'
        when avg_sentiment > {{ overall_sentiment_positive_above }} then 'Positive'
        else 'Neutral'
    end as overall_sentiment,
    ticket_count,
    ticket_categories,
    ticket_priorities,
    avg_rating,
    customer_summary,
    case
        when avg_sentiment > {{ persona_satisfied_min_avg }} and tc <= {{ persona_satisfied_max_tickets }}
            then 'Satisfied'
        when avg_sentiment < {{ persona_frustrated_max_avg }} and tc >= {{ persona_frustrated_min_tickets }}
            then 'Frustrated'
        when sentiment_volatility > {{ persona_mixed_min_volatility }} then 'Mixed'
        when sentiment_trend > {{ persona_improving_min_trend }} then 'Improving'
        when sentiment_trend < {{ persona_deteriorating_max_trend }} then 'Deteriorating'
        else 'Neutral'
    end as derived_persona,
    case
        when (avg_sentiment < {{ churn_risk_high_avg }} and tc >= {{ churn_risk_high_min_tickets }})
            or (sentiment_trend < {{ churn_risk_high_trend }} and tc >= {{ churn_risk_high_min_tickets }})
            or (avg_sentiment < {{ churn_risk_high_avg_combined }}
                and sentiment_trend < {{ churn_risk_high_trend_combined }})
            then 'High'
        when (avg_sentiment < {{ churn_risk_medium_avg }} and sentiment_trend < {{ churn_risk_medium_trend }})
            or tc >= {{ churn_risk_medium_min_tickets }}
            then 'Medium'
        else 'Low'
    end as churn_risk,
    case
        when avg_sentiment > {{ upsell_high_min_avg }} and tc <= {{ upsell_high_max_tickets }} then 'High'
        when sentiment_trend > {{ upsell_medium_min_trend }} then 'Medium'
        else 'Low'
    end as upsell_opportunity
from signals
