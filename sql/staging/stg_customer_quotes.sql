-- Per customer: the most telling sentence of their own texts, and a provider-written summary when configured.
select
    customer_id,
    key_quote,
    provider_summary
from enriched_customer_quotes
