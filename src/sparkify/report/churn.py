"""4. Who is listening less, or stopped? Plays in the last 7 days against the 7 before."""

from __future__ import annotations

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from sparkify.report.format import LEVEL_COLOURS, percent, styled, utc
from sparkify.report.marts import Query, Row, Section

USERS = "user_churn_risk"
REASONS = "churn_risk_by_reason"
RISK_COLOURS = {
    "not at risk": "#54a24b",
    "listening_less": "#eeca3b",
    "inactive": "#f58518",
    "downgraded": "#b279a2",
    "cancelled": "#e45756",
}


def section(query: Query) -> Section:
    users = query.some("select * from {} order by plays_change, user_id", USERS)
    reasons = {row["churn_risk_reason"]: row for row in query.some("select * from {}", REASONS)}
    flagged = {reason: row["flagged_users"] for reason, row in reasons.items()}
    summary = query.summary()
    first_line = (
        f"{summary['users_at_churn_risk']} of {summary['identified_users']} users "
        f"({percent(summary['share_of_users_at_churn_risk'])}) are at churn risk: "
        f"{flagged['inactive']} inactive for 7 days or more, "
        f"{flagged['listening_less']} listening less than half as much, "
        f"{flagged['downgraded']} downgraded, {flagged['cancelled']} cancelled."
    )
    drop = users[0]
    window = f"the weeks end at the data's last play, {utc(drop['data_end_at'])}"
    if drop["plays_change"] < 0:
        second_line = (
            f"Largest drop: user {drop['user_id']} ({drop['level']}), "
            f"{drop['plays_previous_7_days']} → {drop['plays_last_7_days']} plays; {window}."
        )
    else:
        second_line = f"No user played less in the last 7 days than in the 7 before; {window}."
    figure = chart(users, reasons)
    return Section(
        4, "Who is listening less, or stopped?", (USERS, REASONS), figure, (first_line, second_line)
    )


def chart(users: list[Row], reasons: dict[str, Row]) -> go.Figure:
    figure = make_subplots(
        rows=1,
        cols=2,
        column_widths=[0.62, 0.38],
        subplot_titles=(
            "Plays per user: last 7 days against the 7 before",
            "Users by churn-risk reason and level",
        ),
    )
    for reason, colour in RISK_COLOURS.items():
        group = [row for row in users if (row["churn_risk_reason"] or "not at risk") == reason]
        if group:
            figure.add_trace(
                go.Scatter(
                    x=[row["plays_previous_7_days"] for row in group],
                    y=[row["plays_last_7_days"] for row in group],
                    mode="markers",
                    name=reason.replace("_", " "),
                    marker={"color": colour, "size": 9, "line": {"width": 0.5, "color": "#333"}},
                    customdata=[
                        [row["user_id"], row["level"], row["days_since_last_play"]] for row in group
                    ],
                    hovertemplate=(
                        "user %{customdata[0]} (%{customdata[1]}): %{x} → %{y} plays, last play "
                        "%{customdata[2]} days before the end<extra>" + reason + "</extra>"
                    ),
                ),
                row=1,
                col=1,
            )
    most = max(max(row["plays_previous_7_days"], row["plays_last_7_days"]) for row in users) or 1
    for name, ratio, dash, colour in (
        ("as many plays", 1, "dash", "#888"),
        ("half as many (below: listening less)", 0.5, "dot", "#c44"),
    ):
        figure.add_trace(
            go.Scatter(
                x=[0, most],
                y=[0, most * ratio],
                mode="lines",
                name=name,
                line={"dash": dash, "color": colour, "width": 1},
                hoverinfo="skip",
            ),
            row=1,
            col=1,
        )
    at_risk = [reason for reason in RISK_COLOURS if reason in reasons]
    for level, colour in LEVEL_COLOURS.items():
        figure.add_trace(
            go.Bar(
                x=[reason.replace("_", " ") for reason in at_risk],
                y=[reasons[reason][f"{level}_users"] for reason in at_risk],
                name=f"{level} users",
                marker_color=colour,
                hovertemplate="%{x}: %{y} " + level + " users<extra></extra>",
            ),
            row=1,
            col=2,
        )
    figure.update_xaxes(title_text="plays in the 7 days before", row=1, col=1)
    figure.update_yaxes(title_text="plays in the last 7 days", row=1, col=1)
    figure.update_yaxes(title_text="users", row=1, col=2)
    figure.update_layout(barmode="stack")
    return styled(figure, 480)
