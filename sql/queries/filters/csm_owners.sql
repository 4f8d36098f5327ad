-- The CSM owners of the accounts, with how many accounts each has: the choices offered for a user's account
-- scope on /admin/users (docs/security.md). Under an account scope, only that scope's own owner.
select
    dims.csm_owner,
    count(*) as customers
from analytics.customer_dimensions as dims
where dims.csm_owner is not null
    and (cast(:scope_csm_owner as varchar) is null or dims.csm_owner = cast(:scope_csm_owner as varchar))
group by dims.csm_owner
order by dims.csm_owner
