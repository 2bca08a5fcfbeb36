"""Write-audit-publish: dbt builds and tests a copy of the published schemas, and the copy
replaces them in one transaction only when every error-severity test passed.

- `dbt`: run `dbt build` into the build schemas and read what it did (run_results.json);
- `ledger`: the `publish.builds` table, one row per build and what became of it;
- `swap`: the one transaction that exchanges the build schemas with the published ones;
- `run`: the whole of it, under a lock so that two builds never meet.
"""

from sparkify.publish.run import BUILD_SUFFIX, build_and_publish

__all__ = ["BUILD_SUFFIX", "build_and_publish"]
