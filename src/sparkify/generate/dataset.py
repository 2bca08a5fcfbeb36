"""A whole dataset: options in, song_data/ and log_data/ written, a summary back."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from random import Random

from sparkify.generate.catalogue import build_catalogue
from sparkify.generate.events import EventSimulator
from sparkify.generate.options import (
    GenerationOptions,
    GenerationSummary,
    Progress,
    validate_options,
)
from sparkify.generate.reference import SECONDS_PER_DAY
from sparkify.generate.schedule import events_per_day, events_per_user
from sparkify.generate.users import build_users
from sparkify.generate.writer import log_path, prepare_output_dir, write_log_file, write_song_files


def generate_dataset(
    options: GenerationOptions, on_progress: Callable[[Progress], None] | None = None
) -> GenerationSummary:
    """Write song_data/ and log_data/ under options.out_dir; same options, same bytes.

    One Random(seed) drives everything, so the order of the steps below is part of
    the output: reordering them changes the bytes.
    """
    started = time.perf_counter()
    validate_options(options)
    prepare_output_dir(options.out_dir, options.force)
    rng = Random(options.seed)
    offset_ms = rng.randrange(1_000)
    first_day = options.start_date
    start_s = int(datetime(first_day.year, first_day.month, first_day.day, tzinfo=UTC).timestamp())
    catalogue = build_catalogue(rng, options.songs)
    song_files = write_song_files(
        options.out_dir, zip(catalogue.track_ids, catalogue.records, strict=True)
    )
    users = build_users(rng, options.user_count(), options.days, start_s, offset_ms)
    simulator = EventSimulator(rng, catalogue, options.match_share, offset_ms)
    quotas = events_per_day(rng, options.events, options.days, first_day)
    written = 0
    log_files = 0
    for day, quota in enumerate(quotas):
        if not quota:
            continue
        allocation = events_per_user(rng, users, day, quota)
        lines = simulator.day_lines(allocation, day, start_s + day * SECONDS_PER_DAY)

        def report(done_today: int, day: int = day, done_before: int = written) -> None:
            if on_progress is not None:
                done = done_before + done_today
                on_progress(Progress(day + 1, options.days, done, options.events))

        path = log_path(options.out_dir, first_day + timedelta(days=day))
        written += write_log_file(path, lines, report)
        log_files += 1
    return GenerationSummary(
        out_dir=options.out_dir,
        log_files=log_files,
        song_files=song_files,
        events=written,
        songs=len(catalogue.records),
        artists=catalogue.artists,
        users=len(users),
        seconds=time.perf_counter() - started,
    )
