-- The churn model's evaluation (analytics.churn_model_evaluation; docs/churn.md): one row. status is 'ok', or
-- 'insufficient data: <why>' / 'failed: <why>' with the metrics NULL. auc and brier are measured on the time-based
-- hold-out (customers at eval_cutoff, trained at train_cutoff) against the constant baseline that predicts the
-- training base rate for everyone (baseline_auc 0.5, baseline_brier). Not filtered: the model is one for all.
with evaluation as (
    select * from analytics.churn_model_evaluation
)

select
    status,
    model,
    horizon_days,
    as_of_date,
    train_cutoff,
    eval_cutoff,
    n_train,
    n_eval,
    n_scored,
    base_rate_train,
    base_rate_eval,
    auc,
    baseline_auc,
    brier,
    baseline_brier,
    features
from evaluation
