-- The churn model's reference date: the warehouse's newest activity date (analytics.warehouse_as_of, NULL when the
-- warehouse holds no activity). The model scores customers at this date and places its training and hold-out
-- cutoffs 2 and 1 horizons before it.
with as_of as (
    select as_of_date from analytics.warehouse_as_of
)

select as_of_date
from as_of
