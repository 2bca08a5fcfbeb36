"""5. Free vs paid: shares of users and plays, listening time, upgrades and downgrades."""

from __future__ import annotations

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from sparkify.report.format import (
    LEVEL_COLOURS,
    METRIC_COLOURS,
    decimal,
    listing,
    percent,
    plural,
    share_bars,
    styled,
)
from sparkify.report.marts import Query, Row, Section

LEVELS = "listening_by_level"
CHANGES = "level_changes"
NAMES = ("free", "paid")
CHANGE_MARKERS = (
    ("upgrade", LEVEL_COLOURS["paid"], "triangle-up"),
    ("downgrade", "#e45756", "triangle-down"),
)


def section(query: Query) -> Section:
    levels = {row["level"]: row for row in query.some("select * from {}", LEVELS)}
    changes = query.rows("select * from {} order by changed_at, user_id", CHANGES)
    switchers = {
        change_type: [
            row["user_id"]
            for row in query.rows(
                "select distinct user_id from {} where change_type = %s order by user_id",
                CHANGES,
                params=(change_type,),
            )
        ]
        for change_type, _, _ in CHANGE_MARKERS
    }
    free, paid = levels["free"], levels["paid"]
    first_line = (
        f"Paid users are {percent(paid['share_of_current_users'])} of users but make "
        f"{percent(paid['share_of_plays'])} of plays; each listens "
        f"{decimal(paid['listening_hours_per_user'] or 0)} hours, a free user "
        f"{decimal(free['listening_hours_per_user'] or 0)}."
    )
    second_line = (
        " and ".join(
            f"{levels[level]['users_switched_to']} {verb}"
            + (f" ({plural(len(ids), 'user')} {listing(ids)})" if ids else "")
            for level, verb, ids in (
                ("paid", "users upgraded", switchers["upgrade"]),
                ("free", "downgraded", switchers["downgrade"]),
            )
        )
        + "."
    )
    figure = chart(levels, changes)
    return Section(5, "Free vs paid", (LEVELS, CHANGES), figure, (first_line, second_line))


def chart(levels: dict[str, Row], changes: list[Row]) -> go.Figure:
    figure = make_subplots(
        rows=1,
        cols=3,
        column_widths=[0.3, 0.25, 0.45],
        subplot_titles=(
            "Share of users (current level) and of plays",
            "Listening hours per listening user",
            "Upgrades and downgrades over time",
        ),
    )
    share_bars(
        figure,
        list(NAMES),
        [levels[name] for name in NAMES],
        (
            ("share_of_current_users", "share of users", METRIC_COLOURS["users"]),
            ("share_of_plays", "share of plays", METRIC_COLOURS["plays"]),
        ),
    )
    figure.add_trace(
        go.Bar(
            x=list(NAMES),
            y=[levels[name]["listening_hours_per_user"] or 0 for name in NAMES],
            marker_color=[LEVEL_COLOURS[name] for name in NAMES],
            name="hours per user",
            showlegend=False,
            hovertemplate="%{x}: %{y:.1f} hours per user<extra></extra>",
        ),
        row=1,
        col=2,
    )
    for change_type, colour, symbol in CHANGE_MARKERS:
        group = [row for row in changes if row["change_type"] == change_type]
        figure.add_trace(
            go.Scatter(
                x=[row["changed_at"] for row in group],
                y=[f"user {row['user_id']}" for row in group],
                mode="markers",
                name=f"{change_type}s",
                marker={"color": colour, "symbol": symbol, "size": 11},
                hovertemplate="%{y}: " + change_type + " at %{x|%Y-%m-%d %H:%M} UTC<extra></extra>",
            ),
            row=1,
            col=3,
        )
    figure.update_yaxes(title_text="hours", row=1, col=2)
    figure.update_yaxes(type="category", categoryorder="category descending", row=1, col=3)
    figure.update_layout(barmode="group")
    return styled(figure, 460)
