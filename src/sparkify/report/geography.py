"""1. Where does the app lack traction? Census regions and states (listening_by_*)."""

from __future__ import annotations

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from sparkify.report.format import METRIC_COLOURS, count, decimal, percent, share_bars, styled
from sparkify.report.marts import Query, Row, Section

REGIONS = "listening_by_census_region"
STATES = "listening_by_state"
REGION_COLOURS = {
    "Northeast": "#4c78a8",
    "Midwest": "#f58518",
    "South": "#54a24b",
    "West": "#e45756",
}


def section(query: Query) -> Section:
    regions = query.some("select * from {} order by plays_rank, census_region", REGIONS)
    states = query.some("select * from {} order by plays_rank, state_code", STATES)
    weakest = query.one("select * from {} order by least_traction_rank, census_region", REGIONS)
    summary = query.summary()
    top = states[0]
    reading = (
        f"Top state by plays: {top['state_name']} ({top['state_code']}), "
        f"{count(top['plays'])} plays ({percent(top['share_of_plays'])} of all plays) "
        f"from {count(top['active_users'])} active users.",
        f"Least traction: the {weakest['census_region']} has "
        f"{percent(weakest['share_of_active_users'])} of active users but "
        f"{percent(weakest['share_of_plays'])} of plays, {decimal(weakest['plays_per_user'])} "
        f"plays per user against {decimal(summary['plays_per_listener'])} overall.",
    )
    return Section(
        1, "Where does the app lack traction?", (REGIONS, STATES), chart(regions, states), reading
    )


def chart(regions: list[Row], states: list[Row]) -> go.Figure:
    figure = make_subplots(
        rows=1,
        cols=2,
        column_widths=[0.32, 0.68],
        subplot_titles=(
            "Share of active users and of plays, by census region",
            "Plays by state (a multi-state metro area counts in each state)",
        ),
    )
    share_bars(
        figure,
        [row["census_region"] for row in regions],
        regions,
        (
            ("share_of_active_users", "share of active users", METRIC_COLOURS["users"]),
            ("share_of_plays", "share of plays", METRIC_COLOURS["plays"]),
        ),
    )
    for region, colour in REGION_COLOURS.items():
        in_region = [row for row in states if row["census_region"] == region]
        if in_region:
            figure.add_trace(
                go.Bar(
                    x=[row["state_code"] for row in in_region],
                    y=[row["plays"] for row in in_region],
                    name=region,
                    marker_color=colour,
                    customdata=[
                        [row["state_name"], row["active_users"], row["plays_per_user"]]
                        for row in in_region
                    ],
                    hovertemplate=(
                        "%{customdata[0]}: %{y:,} plays, %{customdata[1]} active users, "
                        "%{customdata[2]:.0f} plays per user<extra>" + region + "</extra>"
                    ),
                ),
                row=1,
                col=2,
            )
    figure.update_xaxes(
        categoryorder="array", categoryarray=[row["state_code"] for row in states], row=1, col=2
    )
    figure.update_yaxes(title_text="plays", row=1, col=2)
    figure.update_layout(barmode="group")
    return styled(figure, 460)
