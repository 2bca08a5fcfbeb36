"""The raw landing on Spark: the Postgres loader's promises, kept without transactions.

The parsing and the contract are the loader's own (sparkify.loader.records and
.contract), run inside Spark tasks; only the storage differs. One module per job:

- ``schema``: the raw tables (parquet, partitioned by load id), created if missing.
- ``tasks``: what the executors do: read, hash, parse each file into tagged rows.
- ``storage``: atomic switches: write a new directory, then point the metastore at it.
- ``ledger``: load_runs and loaded_files, rewritten whole and switched at once.
- ``run``: the driver: lock, run row, the Spark job, registration, clean-up.
"""
