"""Apache Spark: the project's local standalone cluster and the sessions that use it.

- ``settings``: where the cluster is (SPARK_MASTER, or the local one) and where the local
  cluster keeps its state (``.spark/``: warehouse, metastore, logs).
- ``session``: a SparkSession configured for the project (UTC, loopback, the warehouse).
- ``cluster``: start, stop and describe the local master and worker.
"""
