"""Fail when a column derived from a personal (PII-tagged) column is not tagged, a tag is
not a known kind, or a direct identifier is in a mart outside models/marts/restricted/.
Run `dbt build` and `dbt docs generate` first.

    python scripts/check_pii.py [--target-path target]
"""

from sparkify.cli.check_pii import run

if __name__ == "__main__":
    run()
