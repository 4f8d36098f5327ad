"""Models fitted on the warehouse's own data during a load (DESIGN.md §1: after the SQL models, before the swap).

The modelling code here never runs SQL: it takes DataFrames from queries in sql/queries/ (run by warehouse/) and
returns DataFrames that the load writes back as analytics tables. A model is enrichment, not a source of truth: if it
cannot be fitted, the load still succeeds and the model's evaluation table says why.

- churn.py: the churn model (docs/churn.md): features and label from sql/queries/churn/features_at_cutoff.sql,
  a time-based hold-out, per-customer reasons in words and recommended actions from config/rules.toml.
- stage.py: the load stage "churn model" that runs it on the build connection and writes its four tables.
"""
