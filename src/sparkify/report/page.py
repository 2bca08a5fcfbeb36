"""The report's page: plotly.js inlined once, a header, then one section per question."""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from datetime import datetime

from plotly.offline import get_plotlyjs

from sparkify.publish.ledger import Build
from sparkify.report.format import utc
from sparkify.report.marts import Section

CHART_CONFIG = {"displaylogo": False, "responsive": True}


@dataclass(frozen=True)
class Overview:
    """The data as a whole (listening_summary) and the row count of each mart read."""

    first_play: datetime
    last_play: datetime
    days: int
    plays: int
    users: int
    row_counts: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Report:
    overview: Overview
    sections: list[Section]
    schema: str
    generated_at: datetime
    build: Build  # the published build the marts come from


STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 0;
       color: #222; background: #fafafa; }
header, section { max-width: 1280px; margin: 0 auto; padding: 16px 28px; }
header { border-bottom: 1px solid #ddd; }
h1 { margin: 8px 0 4px; font-size: 26px; }
h2 { margin: 8px 0; font-size: 20px; }
section { background: #fff; margin-top: 18px; border: 1px solid #e3e3e3; border-radius: 6px; }
.meta { color: #555; margin: 4px 0; }
.counts { display: grid; grid-template-columns: repeat(4, minmax(0, 1fr)); gap: 2px 24px;
          list-style: none; padding: 0; margin: 4px 0 8px; font-size: 13px; }
.counts li { display: flex; justify-content: space-between; border-bottom: 1px dotted #ccc; }
.counts .n { font-variant-numeric: tabular-nums; }
.reading { font-size: 15px; line-height: 1.5; margin: 6px 0; }
.source { color: #777; font-size: 12px; }
.chart { width: 100%; }
"""


def render(report: Report) -> str:
    """The whole page: plotly.js inlined once, then one section per question."""
    view = report.overview
    counts = "".join(
        f"<li><code>{html.escape(name)}</code> <span class='n'>{rows:,}</span></li>"
        for name, rows in view.row_counts.items()
    )
    header = (
        "<header>"
        "<h1>Sparkify: what the listening data says</h1>"
        f"<p class='meta'>Data: {utc(view.first_play)} to {utc(view.last_play)} "
        f"({view.days} days), {view.plays:,} plays by {view.users:,} users. "
        "All times are UTC.</p>"
        f"<p class='meta'>Built {utc(report.generated_at)} from the marts in schema "
        f"<code>{html.escape(report.schema)}</code> by <code>scripts/build_report.py</code>.</p>"
        f"<p class='meta'>The marts are build {report.build.build_id}, published "
        f"{utc(report.build.finished_at)}: {html.escape(report.build.outcome())}.</p>"
        "<p class='meta'>Rows in the marts:</p>"
        f"<ul class='counts'>{counts}</ul>"
        "</header>"
    )
    parts = [header]
    for section in report.sections:
        chart = section.figure.to_html(
            full_html=False,
            include_plotlyjs=False,
            div_id=f"chart-q{section.number}",
            config=CHART_CONFIG,
        )
        reading = "<br>".join(html.escape(line) for line in section.reading)
        marts = ", ".join(f"<code>{html.escape(name)}</code>" for name in section.marts)
        parts.append(
            f"<section id='q{section.number}'>"
            f"<h2>{section.number}. {html.escape(section.question)}</h2>"
            f"<p class='reading'>{reading}</p>"
            f"<div class='chart' data-question='{section.number}'>{chart}</div>"
            f"<p class='source'>From {marts}.</p>"
            "</section>"
        )
    body = "\n".join(parts)
    return (
        "<!DOCTYPE html>\n<html lang='en'>\n<head>\n<meta charset='utf-8'>\n"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>\n"
        "<title>Sparkify report</title>\n"
        f"<style>{STYLE}</style>\n"
        f"<script type='text/javascript'>{get_plotlyjs()}</script>\n"
        f"</head>\n<body>\n{body}\n</body>\n</html>\n"
    )
