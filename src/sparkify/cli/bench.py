"""Benchmark the loader (vs a bare COPY of the same bytes) and dbt on a generated dataset.

    python scripts/bench.py --events 1000000

Prints records/s, MB/s and peak RSS for load_raw.py and for a bare COPY into a
one-column jsonb table, their ratio, and dbt build / full-refresh / incremental times.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from sparkify import bench
from sparkify.cli import run_command
from sparkify.db import ensure_database
from sparkify.incremental_check import model_seconds
from sparkify.settings import ConnectionSettings, connection_settings

TARGET_RATIO = 0.7
TARGET_RSS_MB = 150

PROGRAM = "bench.py"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--skip-dbt", action="store_true", help="benchmark the loader only")
    parser.add_argument("--bare-copy", type=Path, help=argparse.SUPPRESS)  # internal step
    args = parser.parse_args()

    sys.stdout.reconfigure(line_buffering=True)  # figures show as they come, even in a log
    server = connection_settings()
    if args.bare_copy:
        bench.bare_copy(server, args.bare_copy)
        return 0
    ensure_database(server)
    data_dir = bench.REPO_ROOT / ".bench" / f"events-{args.events}-days-{args.days}"
    bench.generate_dataset(data_dir, args.events, args.days)
    records, data_bytes = bench.dataset_size(data_dir)
    print(f"dataset: {data_dir} ({records:,} records, {data_bytes / 1e6:,.1f} MB)", flush=True)

    loader_db = bench.fresh_database(server, "sparkify_bench")
    bare_db = bench.fresh_database(server, "sparkify_bench_bare")
    python = sys.executable
    bare = bench.measure(
        "bare COPY (jsonb)",
        [python, "-m", "sparkify.cli.bench", "--bare-copy", str(data_dir)],
        bare_db.env(),
    )
    bench.vacuum_all(bare_db)
    loader = bench.measure(
        "load_raw.py",
        [python, str(bench.SCRIPTS / "load_raw.py"), "--data-dir", str(data_dir), "--no-progress"],
        loader_db.env(),
    )
    landed = bench.table_count(loader_db, "raw.log_data") + bench.table_count(
        loader_db, "raw.song_data"
    )
    if landed != records or bench.table_count(bare_db, "bare_copy") != records:
        raise SystemExit(
            f"bench: expected {records:,} rows in both databases, loader has {landed:,}"
        )

    ratio = bare.seconds / loader.seconds
    print()
    print(loader.rates(records, data_bytes))
    print(bare.rates(records, data_bytes))
    print(f"loader / bare COPY throughput: {ratio:.2f}x (target >= {TARGET_RATIO}x)")
    print(f"loader peak RSS: {loader.peak_rss_mb:.0f} MB (target < {TARGET_RSS_MB} MB)")

    if not args.skip_dbt:
        bench_dbt(loader_db, data_dir)
    bench.db.drop_database(server, bare_db.database)
    return 0


def bench_dbt(settings: ConnectionSettings, data_dir: Path) -> None:
    """dbt build, fct_songplays full refresh, and an incremental run after one more day."""
    dbt = Path(sys.executable).with_name("dbt")
    if not (bench.REPO_ROOT / "dbt_project.yml").exists() or not dbt.exists():
        print("dbt: skipped (no dbt project or dbt executable)")
        return
    target = bench.REPO_ROOT / ".bench" / "target"
    env = settings.env()
    env.update(DBT_PROFILES_DIR=str(bench.REPO_ROOT), DBT_TARGET_PATH=str(target))
    # Unload the last day so that loading it again is "one more day" for dbt.
    last_day = sorted((data_dir / "log_data").rglob("*.json"))[-1].relative_to(data_dir)
    bench.forget_file(settings, last_day.as_posix())
    bench.vacuum_all(settings)

    def timed_dbt(label: str, *args: str) -> tuple[float, float]:
        step = bench.measure(label, [str(dbt), *args, "-q"], env)
        return step.seconds, model_seconds(target)

    steps = {"dbt build": timed_dbt("dbt build", "build", "--full-refresh")}
    steps["fct_songplays full refresh"] = timed_dbt(
        "fct_songplays full refresh", "run", "--select", "fct_songplays", "--full-refresh"
    )
    load_day = [sys.executable, str(bench.SCRIPTS / "load_raw.py"), "--data-dir", str(data_dir)]
    bench.measure("load one more day", [*load_day, "--no-progress"], env)
    steps["fct_songplays incremental"] = timed_dbt(
        "fct_songplays incremental", "run", "--select", "fct_songplays"
    )
    print()
    print(f"{'dbt step':<28} {'wall':>9} {'in the database':>16}")
    for label, (wall, database) in steps.items():
        print(f"{label:<28} {wall:8.2f}s {database:15.2f}s")
    incremental_wall, incremental_db = steps["fct_songplays incremental"]
    print(
        f"incremental run / full dbt build: {incremental_wall / steps['dbt build'][0]:.0%} "
        "(target < 20%)"
    )
    print(
        "incremental / full refresh of fct_songplays, in the database: "
        f"{incremental_db / steps['fct_songplays full refresh'][1]:.0%}"
    )


def run() -> None:
    """The console entry point."""
    run_command(main, PROGRAM)


if __name__ == "__main__":  # the benchmark runs its bare-COPY step as a module
    run()
