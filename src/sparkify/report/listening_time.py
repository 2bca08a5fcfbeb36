"""6. When do people listen less? By hour of the day, weekday, day and month (UTC)."""

from __future__ import annotations

from typing import Any

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from sparkify.report.format import METRIC_COLOURS, decimal, styled
from sparkify.report.marts import Query, Row, Section

HOURS = "listening_by_hour_of_day"
WEEKDAYS = "listening_by_weekday"
DAYS = "listening_by_day"
MONTHS = "listening_by_month"


def section(query: Query) -> Section:
    hours = query.some("select * from {} order by hour_of_day", HOURS)
    weekdays = query.some("select * from {} order by iso_weekday", WEEKDAYS)
    days = query.some("select * from {} order by date_day", DAYS)
    months = query.some("select * from {} order by month_start", MONTHS)
    quiet_hour, busy_hour = quietest_and_busiest(query, HOURS, "hour_of_day", "hour_label")
    quiet_day, busy_day = quietest_and_busiest(query, WEEKDAYS, "iso_weekday", "weekday_name")
    first_line = (
        f"Quietest hour: {quiet_hour['label']} UTC, {decimal(quiet_hour['plays_per_day'])} "
        f"plays a day, against {decimal(busy_hour['plays_per_day'])} at "
        f"{busy_hour['label']} UTC, the busiest."
    )
    second_line = (
        f"Quietest weekday: {quiet_day['label']}, {decimal(quiet_day['plays_per_day'])} "
        f"plays a day against {decimal(busy_day['plays_per_day'])} on {busy_day['label']}"
    )
    seasonal = len(months) > 1
    if seasonal:
        quiet_month, busy_month = quietest_and_busiest(query, MONTHS, "month_start", "month_label")
        second_line += (
            f"; quietest month: {quiet_month['label']} "
            f"({decimal(quiet_month['plays_per_day'])} a day, against "
            f"{decimal(busy_month['plays_per_day'])} in {busy_month['label']})."
        )
    else:
        days_in_span = query.summary()["days_in_span"]
        second_line += f"; {days_in_span} days of data are too few to show seasonality."
    figure = chart(hours, weekdays, days, months if seasonal else [])
    marts = (HOURS, WEEKDAYS, DAYS, MONTHS)
    return Section(6, "When do people listen less?", marts, figure, (first_line, second_line))


def quietest_and_busiest(query: Query, mart: str, key: str, label: str) -> tuple[Row, Row]:
    """The periods of a mart with the fewest and the most plays per day (the first on ties)."""
    pick = f"select {label} as label, plays_per_day from {{}} order by plays_per_day %s, {key}"
    return query.one(pick % "asc", mart), query.one(pick % "desc", mart)


def chart(hours: list[Row], weekdays: list[Row], days: list[Row], months: list[Row]) -> go.Figure:
    """Hours and weekdays on top, days below, and months beside them when there are several."""
    specs: list[list[dict[str, Any] | None]] = [
        [{}, {}],
        [{}, {}] if months else [{"colspan": 2}, None],
    ]
    titles = [
        "Plays per day, by hour of the day (UTC)",
        "Plays per day, by weekday (UTC)",
        "Plays per day across the period, with the 7-day average",
    ]
    if months:
        titles.append("Plays per day, by month (seasonality)")
    figure = make_subplots(
        rows=2, cols=2, specs=specs, subplot_titles=titles, vertical_spacing=0.18
    )
    figure.add_trace(
        go.Bar(
            x=[row["hour_label"] for row in hours],
            y=[row["plays_per_day"] for row in hours],
            marker_color=METRIC_COLOURS["plays"],
            name="plays per day",
            customdata=[row["listeners_per_day"] for row in hours],
            hovertemplate="%{x}: %{y:.1f} plays, %{customdata:.1f} listeners a day<extra></extra>",
            showlegend=False,
        ),
        row=1,
        col=1,
    )
    figure.add_trace(
        go.Bar(
            x=[row["weekday_name"] for row in weekdays],
            y=[row["plays_per_day"] for row in weekdays],
            marker_color=METRIC_COLOURS["users"],
            name="plays per weekday",
            customdata=[[row["listeners_per_day"], row["days"]] for row in weekdays],
            hovertemplate=(
                "%{x}: %{y:.1f} plays, %{customdata[0]:.1f} listeners a day "
                "(%{customdata[1]} days)<extra></extra>"
            ),
            showlegend=False,
        ),
        row=1,
        col=2,
    )
    figure.add_trace(
        go.Scatter(
            x=[row["date_day"] for row in days],
            y=[row["plays"] for row in days],
            mode="lines",
            name="plays",
            line={"color": METRIC_COLOURS["plays"], "width": 1},
            customdata=[row["listeners"] for row in days],
            hovertemplate="%{x|%a %Y-%m-%d}: %{y} plays, %{customdata} listeners<extra></extra>",
        ),
        row=2,
        col=1,
    )
    figure.add_trace(
        go.Scatter(
            x=[row["date_day"] for row in days],
            y=[row["plays_7_day_average"] for row in days],
            mode="lines",
            name="7-day average",
            line={"color": "#333", "width": 2},
            hovertemplate="%{x|%Y-%m-%d}: %{y:.0f} plays a day (7-day average)<extra></extra>",
        ),
        row=2,
        col=1,
    )
    if months:
        figure.add_trace(
            go.Bar(
                x=[row["month_label"] for row in months],
                y=[row["plays_per_day"] for row in months],
                marker_color=METRIC_COLOURS["sessions"],
                name="plays per day by month",
                showlegend=False,
                hovertemplate="%{x}: %{y:.1f} plays a day<extra></extra>",
            ),
            row=2,
            col=2,
        )
    figure.update_xaxes(tickangle=-45, row=1, col=1)
    return styled(figure, 640)
