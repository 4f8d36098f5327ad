"""Configuration: deployment settings (environment) and business rules (rules.toml).

Every threshold, weight and SLA that the SQL models, the ETL rules and the glossary use lives in
`rules.toml`, read through `config.rules`. Nothing else in the code base hard-codes them.
"""
