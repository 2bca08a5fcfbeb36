"""The loader's words on screen: a run's closing summary, and what a raw schema holds."""

from __future__ import annotations

from sparkify.loader.results import RawTotals, RunSummary


def report_lines(summary: RunSummary) -> list[str]:
    """The closing summary: files, records, and the proof that nothing was dropped."""
    records = summary.records_loaded + summary.records_rejected
    seconds = max(summary.elapsed, 1e-9)
    lines = [
        f"load {summary.load_id} into schema {summary.schema} from {summary.data_dir}: "
        f"{summary.elapsed:.1f} s",
        f"  files:   {summary.files_seen:,} found: {summary.count('loaded'):,} loaded, "
        f"{summary.count('replaced'):,} replaced (content changed), "
        f"{summary.count('skipped'):,} skipped (unchanged), {summary.count('failed'):,} failed, "
        f"{summary.count('ignored'):,} ignored (not regular files of the data dir)",
        f"  records: {records:,} read: {summary.records_loaded:,} loaded, "
        f"{summary.records_rejected:,} rejected; {summary.blank_lines:,} blank lines skipped",
        f"  speed:   {records / seconds:,.0f} records/s, "
        f"{summary.bytes_read / seconds / 1e6:,.1f} MB/s",
    ]
    for ignored in (result for result in summary.results if result.status == "ignored"):
        lines.append(f"  ignored: {ignored.relative}: {ignored.error}")
    if summary.records_rejected:
        lines.append(
            f"  rejects: see {summary.schema}.rejected_records where load_id = {summary.load_id}"
        )
    return lines


def raw_totals_line(schema: str, totals: RawTotals | None) -> str:
    """One line: what the raw schema holds now (None: it holds no loads yet)."""
    if totals is None:
        return f"schema {schema} holds no loads yet: run make load"
    return (
        f"schema {schema} holds {totals.files:,} files: {totals.records_loaded:,} records "
        f"loaded, {totals.records_rejected:,} rejected (see {schema}.rejected_records)"
    )
