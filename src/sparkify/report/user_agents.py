"""2. Which user agents need a better experience? Browser, OS and device class."""

from __future__ import annotations

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from sparkify.report.format import METRIC_COLOURS, count, decimal, percent, styled
from sparkify.report.marts import Query, Row, Section

MART = "listening_by_user_agent"
DIMENSIONS = (
    ("browser", "Browser"),
    ("operating_system", "Operating system"),
    ("device_class", "Device class"),
)
METRICS = (
    ("active_users", "users", METRIC_COLOURS["users"]),
    ("sessions", "sessions", METRIC_COLOURS["sessions"]),
    ("plays", "plays", METRIC_COLOURS["plays"]),
)


def section(query: Query) -> Section:
    rows = query.some("select * from {} order by agent_dimension, plays_rank, agent_value", MART)
    top = query.one(
        "select * from {} where agent_dimension = 'browser' order by plays_rank, agent_value",
        MART,
    )
    worst = query.one(
        "select * from {} where agent_dimension = 'browser' "
        "order by plays_per_session, agent_value",
        MART,
    )
    summary = query.summary()
    reading = (
        f"{top['agent_value']} carries {percent(top['share_of_plays'])} of plays and "
        f"{percent(top['share_of_active_users'])} of users; phones and tablets carry "
        f"{percent(summary['share_of_plays_on_handhelds'])} of plays.",
        f"Fewest plays per session: {worst['agent_value']}, {decimal(worst['plays_per_session'])} "
        f"over {count(worst['sessions'])} sessions against "
        f"{decimal(summary['plays_per_session'])} overall: the first experience to look at.",
    )
    return Section(2, "Which user agents need a better experience?", (MART,), chart(rows), reading)


def chart(rows: list[Row]) -> go.Figure:
    figure = make_subplots(
        rows=1,
        cols=3,
        column_widths=[0.4, 0.35, 0.25],
        subplot_titles=[title for _, title in DIMENSIONS],
    )
    for column, (dimension, _) in enumerate(DIMENSIONS, start=1):
        values = [row for row in rows if row["agent_dimension"] == dimension]
        for metric, label, colour in METRICS:
            figure.add_trace(
                go.Bar(
                    x=[row["agent_value"] for row in values],
                    y=[row[f"share_of_{metric}"] for row in values],
                    name=f"share of {label}",
                    legendgroup=metric,
                    showlegend=column == 1,
                    marker_color=colour,
                    customdata=[[row[metric], row["plays_per_session"]] for row in values],
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
