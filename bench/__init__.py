"""Benchmarks of Customer Insight: `customer-insight bench` (bench.run) and the scripts beside it.

bench.dashboard times each tab's callbacks through the real Dash endpoint and records the queries they ran,
bench.floor times those queries alone on DuckDB (the SQL floor), bench.baseline replays them in pandas the way
the seed dashboards computed their cards (whole DataFrames in memory), in a process of its own.
"""
