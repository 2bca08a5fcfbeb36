"""7. Data quality: what the loader rejected and the data rules quarantined, per file and
reason, and the last load and build the figures above come from. A reject's reason is its
kind (reason_kind): the loader's words without the value, which only the data steward
may read."""

from __future__ import annotations

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from sparkify.publish.ledger import Build
from sparkify.report.format import count, plural, shorten, styled, utc
from sparkify.report.marts import Query, Row, Section

REJECTS = "rejects_by_file_and_reason"
QUARANTINE = "quarantine_by_file_and_rule"
LOAD_RUNS = "load_runs"
# The marts this section reads (in the quality schema).
QUALITY_MARTS = (REJECTS, QUARANTINE, LOAD_RUNS)
# Bars per chart: the largest groups; the reading gives the totals.
MOST_BARS = 15


def section(query: Query, build: Build) -> Section:
    rejects = query.rows(
        "select * from {} order by rejected_records desc, source_file, reason_kind", REJECTS
    )
    quarantined = query.rows(
        "select * from {} order by quarantined_records desc, source_file, data_rule, field",
        QUARANTINE,
    )
    runs = query.some(
        "select * from {} order by started_at desc, load_id desc limit %s",
        LOAD_RUNS,
        params=(MOST_BARS,),
    )
    last_load = runs[0]
    first_line = f"{rejected_reading(rejects)} {quarantined_reading(quarantined)}"
    second_line = (
        f"Last load: run {last_load['load_id']}, {last_load['status']}"
        + (f" at {utc(last_load['finished_at'])}" if last_load["finished_at"] else "")
        + f" ({count(last_load['records_loaded'] or 0)} records loaded, "
        f"{count(last_load['records_rejected'] or 0)} rejected). "
        f"Last build: {build.build_id}, published at {utc(build.finished_at)}; "
        f"{build.outcome()}."
    )
    figure = chart(runs[::-1], rejects, quarantined)
    return Section(7, "Data quality", QUALITY_MARTS, figure, (first_line, second_line))


def rejected_reading(rejects: list[Row]) -> str:
    total = sum(row["rejected_records"] for row in rejects)
    if not total:
        return "The loader rejected no record."
    files = len({row["source_file"] for row in rejects})
    top = rejects[0]
    return (
        f"The loader rejected {count(total)} {plural(total, 'record')} in {files} "
        f"{plural(files, 'file')}; most for “{shorten(top['reason_kind'], 60)}” "
        f"({count(top['rejected_records'])} in {top['source_file']})."
    )


def quarantined_reading(quarantined: list[Row]) -> str:
    total = sum(row["quarantined_records"] for row in quarantined)
    if not total:
        return "The data rules quarantined no record."
    top = quarantined[0]
    return (
        f"The data rules kept {count(total)} {plural(total, 'record')} out of the star "
        f"schema; most for {top['data_rule']} on {top['field']} "
        f"({count(top['quarantined_records'])} in {top['source_file']})."
    )


def chart(runs: list[Row], rejects: list[Row], quarantined: list[Row]) -> go.Figure:
    figure = make_subplots(
        rows=1,
        cols=3,
        column_widths=[0.2, 0.4, 0.4],
        subplot_titles=(
            "Records per load run",
            "Rejected by the loader, per file and reason",
            "Quarantined by the data rules, per file and rule",
        ),
        horizontal_spacing=0.22,
    )
    for value, label, colour in (
        ("records_loaded", "loaded", "#4c78a8"),
        ("records_rejected", "rejected", "#e45756"),
    ):
        figure.add_trace(
            go.Bar(
                x=[f"run {row['load_id']}" for row in runs],
                y=[row[value] or 0 for row in runs],
                name=label,
                marker_color=colour,
                hovertemplate="%{x}: %{y:,} records " + label + "<extra></extra>",
            ),
            row=1,
            col=1,
        )
    for column, rows, label, value, colour in (
        (
            2,
            rejects,
            lambda r: f"{r['source_file']}: {r['reason_kind']}",
            "rejected_records",
            "#e45756",
        ),
        (
            3,
            quarantined,
            lambda r: f"{r['source_file']}: {r['data_rule']} ({r['field']})",
            "quarantined_records",
            "#f58518",
        ),
    ):
        shown = rows[:MOST_BARS]
        figure.add_trace(
            go.Bar(
                x=[row[value] for row in shown],
                y=[shorten(label(row), 50) for row in shown],
                orientation="h",
                marker_color=colour,
                showlegend=False,
                hovertemplate="%{y}: %{x:,} records<extra></extra>",
            ),
            row=1,
            col=column,
        )
        if not shown:
            axis = column
            figure.add_annotation(
                text="none", showarrow=False, xref=f"x{axis} domain", yref=f"y{axis} domain",
                x=0.5, y=0.5, font={"size": 16, "color": "#777"},
            )  # fmt: skip
        figure.update_yaxes(autorange="reversed", row=1, col=column)
        figure.update_xaxes(title_text="records", row=1, col=column)
    figure.update_yaxes(title_text="records", row=1, col=1)
    figure.update_layout(barmode="stack")
    return styled(figure, 440)
