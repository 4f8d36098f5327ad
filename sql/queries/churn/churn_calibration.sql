-- Calibration of the churn model on the time-based hold-out (analytics.churn_calibration; docs/churn.md): per bin of
-- predicted probability (10 equal-width bins, bin 1 = [0, 0.1), bin 10 = [0.9, 1.0]; empty bins are absent), the
-- hold-out customers in it, their mean predicted probability and the share that actually churned. A calibrated
-- model has observed_rate close to mean_predicted. Not filtered: it describes the model, not the customers in view.
with calibration as (
    select * from analytics.churn_calibration
)

select
    bin,
    bin_lower,
    bin_upper,
    customers,
    mean_predicted,
    observed_rate
from calibration
order by bin
