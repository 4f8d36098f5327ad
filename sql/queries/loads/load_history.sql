-- Every load recorded in this warehouse, newest first (the fingerprint says which files were loaded).
select
    load_id,
    started_at,
    finished_at,
    source,
    fingerprint,
    status
from load_runs
order by started_at desc
