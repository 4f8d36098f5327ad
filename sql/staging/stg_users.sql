-- Users of customer accounts (teams).
select
    user_id,
    customer_id,
    user_name,
    cast(join_date as date) as join_date,
    last_login_date,
    role
from raw_users
