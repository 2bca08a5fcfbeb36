"""Prove that the incremental fct_songplays equals a full refresh (see sparkify.incremental_check).

python scripts/check_incremental.py [--data-dir DIR] [--loader-command CMD]
"""

from sparkify.cli.check_incremental import run

if __name__ == "__main__":
    run()
