"""2. Which user agents need a better experience? Browser, OS and device class."""

from __future__ import annotations

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from sparkify.report.format import METRIC_COLOURS, count, decimal, percent, styled
from sparkify.report.marts import Query, Row, Section

# Each user agent dimension: its column, the mart with a row per value, the chart's title.
DIMENSIONS = (
    ("browser", "listening_by_browser", "Browser"),
    ("operating_system", "listening_by_operating_system", "Operating system"),
    ("device_class", "listening_by_device_class", "Device class"),
)
BROWSERS = DIMENSIONS[0][1]
METRICS = (
    ("active_users", "users", METRIC_COLOURS["users"]),
    ("sessions", "sessions", METRIC_COLOURS["sessions"]),
    ("plays", "plays", METRIC_COLOURS["plays"]),
)


def section(query: Query) -> Section:
    values = {
        column: query.some(f"select {column} as value, * from {{}} order by plays_rank, 1", mart)
        for column, mart, _ in DIMENSIONS
    }
    top = values["browser"][0]
    worst = query.one(
        "select browser as value, * from {} order by plays_per_session, browser", BROWSERS
    )
    summary = query.summary()
    reading = (
        f"{top['value']} carries {percent(top['share_of_plays'])} of plays and "
        f"{percent(top['share_of_active_users'])} of users; phones and tablets carry "
        f"{percent(summary['share_of_plays_on_handhelds'])} of plays.",
        f"Fewest plays per session: {worst['value']}, {decimal(worst['plays_per_session'])} "
        f"over {count(worst['sessions'])} sessions against "
        f"{decimal(summary['plays_per_session'])} overall: the first experience to look at.",
    )
    marts = tuple(mart for _, mart, _ in DIMENSIONS)
    question = "Which user agents need a better experience?"
    return Section(2, question, marts, chart(values), reading)


def chart(values: dict[str, list[Row]]) -> go.Figure:
    figure = make_subplots(
        rows=1,
        cols=3,
        column_widths=[0.4, 0.35, 0.25],
        subplot_titles=[title for _, _, title in DIMENSIONS],
    )
    for column, (dimension, _, _) in enumerate(DIMENSIONS, start=1):
        rows = values[dimension]
        for metric, label, colour in METRICS:
            figure.add_trace(
                go.Bar(
                    x=[row["value"] for row in rows],
                    y=[row[f"share_of_{metric}"] for row in rows],
                    name=f"share of {label}",
                    legendgroup=metric,
                    showlegend=column == 1,
                    marker_color=colour,
                    customdata=[[row[metric], row["plays_per_session"]] for row in rows],
                    hovertemplate=(
                        "%{x}: %{y:.1%} (%{customdata[0]:,} "
                        + label
                        + "), %{customdata[1]:.1f} plays per session<extra></extra>"
                    ),
                ),
                row=1,
                col=column,
            )
        figure.update_yaxes(tickformat=".0%", row=1, col=column)
    figure.update_yaxes(title_text="share of the dimension's total", row=1, col=1)
    figure.update_layout(barmode="group")
    return styled(figure, 440)
