-- Customer interactions (calls, chats, e-mails...) as loaded.
select
    interaction_id,
    customer_id,
    interaction_date,
    agent_id,
    interaction_type,
    interaction_notes
from raw_interactions
