"""Least privilege: one Postgres role per job, passwords kept out of sight, grants.

- ``roles``: the roles and what each may do; creating them (``pg.py roles``, and
  ``make db`` on the local cluster) and opening a database to them.
- ``passfile``: the pgpass-style file (PGPASSFILE) that holds the generated passwords.
- ``grants``: the grants the pipeline itself makes on what it creates (the raw layer,
  the build ledger) and on what it publishes.
"""
