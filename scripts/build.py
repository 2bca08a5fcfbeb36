"""Build the warehouse with write-audit-publish: dbt builds and tests a copy of the
published schemas, which replaces them in one transaction only when every error-severity
test passed. `make build` runs this.

    python scripts/build.py [--full-refresh]
"""

from sparkify.cli.build import run

if __name__ == "__main__":
    run()
