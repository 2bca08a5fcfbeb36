"""Prove that every incremental model equals a full refresh (see sparkify.checks.incremental).

python scripts/check_incremental.py [--data-dir DIR] [--loader-command CMD]
"""

from sparkify.cli.check_incremental import run

if __name__ == "__main__":
    run()
