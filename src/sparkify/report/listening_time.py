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
    for column, rows, label, colour, extra in (
        (1, hours, "hour_label", "plays", ""),
        (2, weekdays, "weekday_name", "users", " (%{customdata[1]} days)"),
    ):
        figure.add_trace(
            go.Bar(
                x=[row[label] for row in rows],
                y=[row["plays_per_day"] for row in rows],
                marker_color=METRIC_COLOURS[colour],
                customdata=[[row["listeners_per_day"], row["days_in_period"]] for row in rows],
                hovertemplate=(
                    "%{x}: %{y:.1f} plays, %{customdata[0]:.1f} listeners a day"
                    + extra
                    + "<extra></extra>"
                ),
                showlegend=False,
            ),
            row=1,
            col=column,
        )
    for column, name, colour, width, hover in (
        ("plays", "plays", METRIC_COLOURS["plays"], 1, "%{x|%a %Y-%m-%d}: %{y} plays, "),
        ("plays_7_day_average", "7-day average", "#333", 2, "%{x|%Y-%m-%d}: %{y:.0f} a day, "),
    ):
        figure.add_trace(
            go.Scatter(
                x=[row["date_day"] for row in days],
                y=[row[column] for row in days],
                mode="lines",
                name=name,
                line={"color": colour, "width": width},
                customdata=[row["listeners"] for row in days],
                hovertemplate=hover + "%{customdata} listeners<extra>" + name + "</extra>",
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
