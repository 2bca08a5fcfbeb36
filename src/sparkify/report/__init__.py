"""The Sparkify report: one static HTML page that answers the business questions from the marts.

One module per question (geography, user_agents, popularity, churn, levels, listening_time,
and quality: rejects, quarantine, the last load and build), each a `section(query)` that
reads its marts, draws its chart and writes its two lines; `marts` reads, `format` holds
the shared formatting, `page` renders, `build` assembles and writes. Every figure shown
is a column of a mart (the quality section also totals its per-file rows): the report
picks, orders, formats and draws. It reads one snapshot of one published build, and
refuses marts that a later load or a failed build has outdated. plotly.js is inlined
once, so the file opens offline.
"""

from sparkify.report.build import DEFAULT_OUTPUT, DEFAULT_SCHEMA, collect, write_report
from sparkify.report.page import Overview, Report, render

__all__ = [
    "DEFAULT_OUTPUT",
    "DEFAULT_SCHEMA",
    "Overview",
    "Report",
    "collect",
    "render",
    "write_report",
]
