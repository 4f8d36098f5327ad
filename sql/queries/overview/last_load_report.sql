-- Rows read / loaded / quarantined per file in the load that built this warehouse.
select
    source_file,
    entity,
    rows_read,
    rows_loaded,
    rows_quarantined
from load_report
order by entity, source_file
