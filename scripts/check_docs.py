"""Fail when a model, seed, snapshot or source of this project, or one of its columns, has no
description. Run `dbt docs generate` first.

    python scripts/check_docs.py [--target-path target]
"""

from sparkify.cli.check_docs import run

if __name__ == "__main__":
    run()
