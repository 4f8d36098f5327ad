-- One row per customer (every customer of analytics.customer_base): RFM scores, the named RFM segment, the value
-- measure and the value tier. Rules in docs/segments.md; thresholds in config/rules.toml [rfm].
-- Inputs: analytics.mart_rfm_inputs (recency_days, frequency, monetary on one basis, 'orders' or 'usage'; all time,
-- as of the warehouse's as_of_date).
-- Scores r, f, m (1-5): quintiles among the customers WITH activity on the basis (frequency > 0). For each
-- measure, with n = those customers, b = customers ranking strictly worse and t = customers with the same value
-- (the customer included), the customer's position is p = (b + t / 2) / n (the middle of the tie group) and
-- score = 1 + floor(5 p): p < 0.2 -> 1, p < 0.4 -> 2, p < 0.6 -> 3, p < 0.8 -> 4, else 5. Equal values get equal
-- scores; without ties it is exact quintiles. Better = fewer recency_days, more frequency, more monetary.
-- Computed in integers to stay exact: pos2 = 2 b + t = 2 n p, so 5 p < k  <=>  5 pos2 < 2 k n.
-- Customers without activity on the basis (recency_days NULL, frequency 0) are not ranked: r = f = m = 1,
-- has_activity false, segment Lost (before any rule, whatever the thresholds).
-- Segment: the first matching rule of config/rules.toml [rfm] (complete: the last one catches everything else).
-- Value: net revenue (orders basis); else lifetime_value when any customer has one (NULL counts as 0); else
-- usage events (the usage basis' monetary). value_basis says which ('net_revenue', 'lifetime_value',
-- 'usage_events').
-- Value tier: position p among ALL customers ranked by value (same midpoint rule, ties share a tier):
-- value <= 0 -> Bronze (nothing earned is never a higher tier, whatever its rank); else p >= 1 - platinum% ->
-- Platinum, p >= 1 - gold% -> Gold, p >= 1 - silver% -> Silver, else Bronze (the % are tier_*_top_pct);
-- in integers: p >= 1 - q/100  <=>  50 pos2 >= (100 - q) n.
with inputs as (
    select customer_id, recency_days, frequency, monetary, basis from analytics.mart_rfm_inputs
),

customers as (
    select customer_id, lifetime_value from analytics.customer_base
),

lifetime_values as (
    select count(lifetime_value) > 0 as any_known from customers
),

active as (
    select customer_id, recency_days, frequency, monetary
    from inputs
    where frequency > 0
),

positions as (
    select
        customer_id,
        2 * (rank() over (order by recency_days desc) - 1) + count(*) over (partition by recency_days) as r_pos2,
        2 * (rank() over (order by frequency) - 1) + count(*) over (partition by frequency) as f_pos2,
        2 * (rank() over (order by monetary) - 1) + count(*) over (partition by monetary) as m_pos2,
        count(*) over () as ranked
    from active
),

scores as (
    select
        customer_id,
        case
            when 5 * r_pos2 < 2 * ranked then 1
            when 5 * r_pos2 < 4 * ranked then 2
            when 5 * r_pos2 < 6 * ranked then 3
            when 5 * r_pos2 < 8 * ranked then 4
            else 5
        end as r_score,
        case
            when 5 * f_pos2 < 2 * ranked then 1
            when 5 * f_pos2 < 4 * ranked then 2
            when 5 * f_pos2 < 6 * ranked then 3
            when 5 * f_pos2 < 8 * ranked then 4
            else 5
        end as f_score,
        case
            when 5 * m_pos2 < 2 * ranked then 1
            when 5 * m_pos2 < 4 * ranked then 2
            when 5 * m_pos2 < 6 * ranked then 3
            when 5 * m_pos2 < 8 * ranked then 4
            else 5
        end as m_score
    from positions
),

scored as (
    select
        inputs.customer_id,
        inputs.recency_days,
        inputs.frequency,
        inputs.monetary,
        inputs.basis,
        scores.customer_id is not null as has_activity,
        coalesce(scores.r_score, 1) as r_score,
        coalesce(scores.f_score, 1) as f_score,
        coalesce(scores.m_score, 1) as m_score
    from inputs
    left join scores on scores.customer_id = inputs.customer_id
),

segmented as (
    select
        scored.*,
        case
            when not has_activity then 'Lost'
            when r_score >= {{ rfm_champions_min_r }} and f_score >= {{ rfm_champions_min_f }}
                and m_score >= {{ rfm_champions_min_m }} then 'Champions'
            when r_score >= {{ rfm_loyal_min_r }} and f_score >= {{ rfm_loyal_min_f }} then 'Loyal'
            when r_score >= {{ rfm_potential_loyalists_min_r }} and f_score >= {{ rfm_potential_loyalists_min_f }}
                then 'Potential Loyalists'
            when r_score >= {{ rfm_new_min_r }} then 'New'
            when r_score <= {{ rfm_cant_lose_max_r }} and f_score >= {{ rfm_cant_lose_min_f }}
                and m_score >= {{ rfm_cant_lose_min_m }} then 'Can''t Lose'
            when r_score <= {{ rfm_at_risk_max_r }}
                and (f_score >= {{ rfm_at_risk_min_f }} or m_score >= {{ rfm_at_risk_min_m }}) then 'At Risk'
            when r_score >= {{ rfm_hibernating_min_r }} then 'Hibernating'
            else 'Lost'
        end as rfm_segment
    from scored
),

valued as (
    select
        segmented.*,
        case
            when segmented.basis = 'orders' then segmented.monetary
            when lifetime_values.any_known then coalesce(customers.lifetime_value, 0)
            else segmented.monetary
        end as value,
        case
            when segmented.basis = 'orders' then 'net_revenue'
            when lifetime_values.any_known then 'lifetime_value'
            else 'usage_events'
        end as value_basis
    from segmented
    cross join lifetime_values
    left join customers on customers.customer_id = segmented.customer_id
),

value_positions as (
    select
        valued.*,
        2 * (rank() over (order by value) - 1) + count(*) over (partition by value) as v_pos2,
        count(*) over () as all_customers
    from valued
)

select
    customer_id,
    recency_days,
    frequency,
    monetary,
    basis,
    has_activity,
    r_score,
    f_score,
    m_score,
    rfm_segment,
    value,
    value_basis,
    case
        when value <= 0 then 'Bronze'
        when 50 * v_pos2 >= (100 - {{ rfm_tier_platinum_top_pct }}) * all_customers then 'Platinum'
        when 50 * v_pos2 >= (100 - {{ rfm_tier_gold_top_pct }}) * all_customers then 'Gold'
        when 50 * v_pos2 >= (100 - {{ rfm_tier_silver_top_pct }}) * all_customers then 'Silver'
        else 'Bronze'
    end as value_tier
from value_positions
