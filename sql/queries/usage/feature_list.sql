-- Every feature (usage events' feature_name) in the warehouse with its events over all time, most used first, then
-- by name: the options of the Usage tab's feature pickers and the order of the features the adoption and
-- correlation queries receive as their features list. No filter applies (an option list, like the sidebar's).
select
    feature_name,
    cast(sum(events) as bigint) as events
from analytics.mart_feature_usage_daily
group by feature_name
order by events desc, feature_name
