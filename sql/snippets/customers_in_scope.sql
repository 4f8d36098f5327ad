-- The customer_ids the signed-in user may see (warehouse/scope.py), as a subquery body for queries that do not join
-- analytics.customer_dimensions as `dims`: `and x.customer_id in ({{ snippet_customers_in_scope }})`.
-- :scope_csm_owner NULL means every account (sign-in off, or a user without a scope). Cast: PostgreSQL cannot
-- type a parameter that is NULL and only compared with NULL.
select scoped.customer_id
from analytics.customer_base as scoped
where cast(:scope_csm_owner as varchar) is null or scoped.csm_owner = cast(:scope_csm_owner as varchar)
