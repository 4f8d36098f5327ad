-- Rows in each ANALYTICS table and in the quarantine: the placeholder home page shows these.
select 'customer_base' as table_name, count(*) as row_count from analytics.customer_base
union all select 'fact_customer_interactions', count(*) from analytics.fact_customer_interactions
union all select 'fact_product_reviews', count(*) from analytics.fact_product_reviews
union all select 'fact_support_tickets', count(*) from analytics.fact_support_tickets
union all select 'sentiment_analysis', count(*) from analytics.sentiment_analysis
union all select 'sentiment_trends', count(*) from analytics.sentiment_trends
union all select 'ticket_patterns', count(*) from analytics.ticket_patterns
union all select 'insight_summaries', count(*) from analytics.insight_summaries
union all select 'customer_persona_signals', count(*) from analytics.customer_persona_signals
union all select 'quarantine', count(*) from quarantine
