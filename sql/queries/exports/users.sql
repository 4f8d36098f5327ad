-- Users for the export dialog's user picker and the check of user ids given to an export: the users (of
-- analytics.mart_user_activity: the users file plus users seen only in usage events) of the teams :team_ids (NULL =
-- every team), among the ids :user_ids (NULL = any), whose id or name contains the typed text (:search, a LIKE
-- pattern with escape character '!'; NULL = any). At most :limit, by user id, with the name from the users file.
with users as (
    select customer_id, user_id from analytics.mart_user_activity
    where customer_id in ({{ snippet_customers_in_scope }})
),

names as (
    select customer_id, user_id, min(user_name) as user_name
    from staging.stg_users
    group by customer_id, user_id
)

select
    users.user_id,
    names.user_name,
    users.customer_id
from users
left join names on names.customer_id = users.customer_id and names.user_id = users.user_id
where (:team_ids is null or list_contains(:team_ids, users.customer_id))
    and (:user_ids is null or list_contains(:user_ids, users.user_id))
    and (:search is null
        or lower(users.user_id) like :search escape '!'
        or lower(coalesce(names.user_name, '')) like :search escape '!')
order by users.user_id, users.customer_id
limit :limit
