"""The raw loader: Sparkify's JSON files into Postgres or Spark, every record accounted for.

One module per job, in the order a run uses them:

- ``names``: the raw schema's name, checked before it reaches SQL.
- ``discover``: find the input files of a data directory.
- ``contract``: the JSON type of every known field of each source.
- ``records``: parse and check bytes into a Record, a Reject or a Blank (pure functions).
- ``pgcopy``: rows in COPY's text format and the COPY streams that send them.
- ``schema`` (with ``raw_schema.sql``): the raw tables, created if missing.
- ``files``: the per-file flow: skip, replace, COPY, check, record (once for both sources).
- ``ledger``: the SQL of load_runs and loaded_files.
- ``results``: the result of every file and the run's totals (plain data).
- ``summary``: the words on screen.
- ``progress``: the progress line.
- ``run``: a whole run: lock, run row, batches, interruption.
- ``spark``: the same landing on Spark (``--target spark``): the same discovery,
  contract, parsing, results and summary, run by Spark tasks, made crash-safe without
  transactions. It imports pyspark only when used.
"""

from sparkify.loader.results import FileResult, RunSummary
from sparkify.loader.run import load_data_dir

__all__ = ["FileResult", "RunSummary", "load_data_dir"]
