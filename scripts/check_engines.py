"""Prove that Postgres and Spark build the same marts (see sparkify.checks.engines).

python scripts/check_engines.py [--real-data DIR] [--events N] [--engines postgres,spark]
"""

from sparkify.cli.check_engines import run

if __name__ == "__main__":
    run()
