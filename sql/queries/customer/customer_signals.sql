-- One row for the customer :customer_id (no row when unknown): the key signals of the Customer tab, all over the
-- customer's whole history and as of the newest data (the date range does not apply, as on the Segmentation and
-- Retention tabs):
--   customer_base: name, CSM owner, sign-up date, plan, country, products owned, lifetime value, value segment;
--   customer_persona_signals: persona, churn risk and upsell opportunity (rules of DESIGN.md §3), overall
--     sentiment, average sentiment, trend, volatility, ticket count (0 without tickets), average rating, summary;
--   customer_health: health score 0-100, band, change over 30 days, weakest measure (docs/health.md);
--   churn_scores: the churn model's probability, band, reasons and recommended action (docs/churn.md; NULL when the
--     customer is not scored);
--   open_tickets: tickets whose status is not one of config/rules.toml [support] resolved_statuses (NULL status
--     counts as open, as the Support tab counts it unresolved);
--   in_view: whether the global customer filters keep this customer (the tab shows the customer either way and
--     says so when not).
with base as (
    -- an account outside the signed-in user's scope has no row at all (warehouse/scope.py)
    select * from analytics.customer_base
    where customer_id = :customer_id and customer_id in ({{ snippet_customers_in_scope }})
),

signals as (
    select * from analytics.customer_persona_signals where customer_id = :customer_id
),

dims as (
    select * from analytics.customer_dimensions where customer_id = :customer_id
),

health as (
    select * from analytics.customer_health where customer_id = :customer_id
),

churn as (
    select * from analytics.churn_scores where customer_id = :customer_id
),

tickets as (
    select
        count(case when not coalesce(ticket_status in {{ support_resolved_statuses }}, false) then 1 end)
            as open_tickets
    from analytics.fact_support_tickets
    where customer_id = :customer_id
)

select
    base.customer_id,
    base.customer_name,
    base.csm_owner,
    base.sign_up_date,
    base.segment as plan,
    base.country,
    base.products_owned,
    base.lifetime_value,
    base.value_segment,
    signals.derived_persona,
    signals.churn_risk,
    signals.upsell_opportunity,
    signals.overall_sentiment,
    signals.avg_sentiment,
    signals.sentiment_trend,
    signals.sentiment_volatility,
    coalesce(signals.ticket_count, 0) as ticket_count,
    tickets.open_tickets,
    signals.avg_rating,
    signals.customer_summary,
    health.health_score,
    health.health_band,
    health.health_change,
    health.weakest_measure,
    churn.churn_probability,
    churn.churn_band,
    churn.reason_1,
    churn.reason_2,
    churn.reason_3,
    churn.recommended_action,
    churn.action_due_days,
    coalesce({{ snippet_customer_in_view }}, false) as in_view
from base
cross join tickets
left join signals on signals.customer_id = base.customer_id
left join dims on dims.customer_id = base.customer_id
left join health on health.customer_id = base.customer_id
left join churn on churn.customer_id = base.customer_id
