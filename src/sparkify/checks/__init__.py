"""Development checks: the benchmark, the incremental check and the docs check.

They prove the project's promises (speed, incremental == full refresh, every node
described) and are not part of the pipeline: nothing in sparkify.loader, the dbt
project or the report imports them. They work on a dbt project directory passed in
(the commands default to the current directory), never on a path of their own.
"""
