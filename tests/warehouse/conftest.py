"""Fixtures of the warehouse tests. The PostgreSQL server (`pg_server`, `pg_url`, `pg_database`) is in
tests/conftest.py: one server for the whole test session, shared by every test folder."""
