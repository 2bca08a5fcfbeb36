"""Benchmark the loader (vs a bare COPY of the same bytes) and dbt on a generated dataset.

    python scripts/bench.py --events 1000000

Prints records/s, MB/s and peak RSS for load_raw.py and for a bare COPY into a
one-column jsonb table, their ratio, and dbt build / full-refresh / incremental times.
"""

from sparkify.cli.bench import run

if __name__ == "__main__":
    run()
