"""The Sparkify report: one static HTML page that answers the business questions from the marts.

Each question gets a section with a Plotly chart and a two-line reading computed from the
data. plotly.js is inlined once, so the single file opens offline (no CDN). The marts are
read with the PG* settings; build them first (`make build`).
"""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import plotly.graph_objects as go
import psycopg
from plotly.offline import get_plotlyjs
from plotly.subplots import make_subplots
from psycopg import sql
from psycopg.rows import dict_row

from sparkify.db import connect
from sparkify.errors import DatabaseUnavailable, MartsMissing, SparkifyError
from sparkify.settings import ConnectionSettings

DEFAULT_SCHEMA = "marts"
DEFAULT_OUTPUT = Path("reports") / "sparkify_report.html"

# The relations the report reads, in the order of the row counts it shows.
CORE_TABLES = ("fct_songplays", "dim_users", "dim_users_history", "dim_songs", "dim_artists")
ANALYTICS_TABLES = (
    "listening_by_geography",
    "listening_by_user_agent",
    "popular_songs_and_artists",
    "user_churn_risk",
    "free_vs_paid",
    "level_changes",
    "listening_by_time",
)

REGION_COLOURS = {
    "Northeast": "#4c78a8",
    "Midwest": "#f58518",
    "South": "#54a24b",
    "West": "#e45756",
}
METRIC_COLOURS = {"users": "#4c78a8", "sessions": "#72b7b2", "plays": "#f58518"}
LEVEL_COLOURS = {"free": "#bab0ac", "paid": "#1f4e79"}
RISK_COLOURS = {
    "not at risk": "#54a24b",
    "listening_less": "#eeca3b",
    "inactive": "#f58518",
    "downgraded": "#b279a2",
    "cancelled": "#e45756",
}
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
CHART_CONFIG = {"displaylogo": False, "responsive": True}

Row = dict[str, Any]


class Query:
    """Runs the report's queries on one connection, against the marts' schema."""

    def __init__(self, conn: psycopg.Connection, schema: str) -> None:
        self.conn = conn
        self.schema = schema

    def table(self, name: str) -> sql.Identifier:
        return sql.Identifier(self.schema, name)

    def rows(self, query: str, *tables: str, params: Sequence[Any] = ()) -> list[Row]:
        """Rows of `query`, whose {} placeholders take the given tables; numerics as floats."""
        statement = sql.SQL(query).format(*(self.table(name) for name in tables))
        with self.conn.cursor(row_factory=dict_row) as cursor:
            cursor.execute(statement, params)
            return [
                {
                    key: float(value) if isinstance(value, Decimal) else value
                    for key, value in row.items()
                }
                for row in cursor.fetchall()
            ]

    def one(self, query: str, *tables: str, params: Sequence[Any] = ()) -> Row:
        found = self.rows(query, *tables, params=params)
        if not found:
            raise MartsMissing(f"the marts in schema {self.schema!r} are empty; run `make build`")
        return found[0]


@dataclass(frozen=True)
class Section:
    """One question of the report: its chart and the two lines that read it."""

    number: int
    question: str
    marts: tuple[str, ...]
    figure: go.Figure
    reading: tuple[str, str]


@dataclass(frozen=True)
class Overview:
    first_play: datetime
    last_play: datetime
    plays: int
    users: int
    row_counts: dict[str, int] = field(default_factory=dict)

    @property
    def days(self) -> int:
        first, last = (
            moment.astimezone(UTC).date() for moment in (self.first_play, self.last_play)
        )
        return (last - first).days + 1


@dataclass(frozen=True)
class Report:
    overview: Overview
    sections: list[Section]
    source: str
    generated_at: datetime


# --- Formatting ------------------------------------------------------------------------


def percent(fraction: float) -> str:
    return f"{fraction:.0%}"


def count(number: float) -> str:
    return f"{number:,.0f}"


def decimal(number: float) -> str:
    return f"{number:,.1f}"


def utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def shorten(text: str, width: int = 38) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def plural(number: int, noun: str) -> str:
    return noun if number == 1 else f"{noun}s"


def listing(values: Sequence[object], most: int = 10) -> str:
    shown = ", ".join(str(value) for value in values[:most])
    return shown if len(values) <= most else f"{shown} and {len(values) - most} more"


def styled(figure: go.Figure, height: int) -> go.Figure:
    figure.update_layout(
        template="plotly_white",
        height=height,
        margin={"l": 60, "r": 30, "t": 60, "b": 50},
        legend={"orientation": "h", "yanchor": "bottom", "y": -0.25, "x": 0},
        font={"family": "system-ui, -apple-system, Segoe UI, Roboto, sans-serif", "size": 12},
    )
    return figure


# --- Overview ----------------------------------------------------------------------------


def overview(query: Query) -> Overview:
    span = query.one(
        "select min(start_time) as first_play, max(start_time) as last_play, "
        "count(*) as plays, count(distinct user_id) as users from {}",
        "fct_songplays",
    )
    if not span["plays"]:
        raise MartsMissing("fct_songplays holds no plays; load data and run `make build`")
    row_counts = {
        name: query.one("select count(*) as n from {}", name)["n"]
        for name in (*CORE_TABLES, *ANALYTICS_TABLES)
    }
    return Overview(
        first_play=span["first_play"],
        last_play=span["last_play"],
        plays=span["plays"],
        users=span["users"],
        row_counts=row_counts,
    )


# --- 1. Traction by geography -----------------------------------------------------------


def geography_section(query: Query) -> Section:
    regions = query.rows(
        "select * from {} where geography_level = 'census_region' order by plays desc",
        "listening_by_geography",
    )
    states = query.rows(
        "select * from {} where geography_level = 'state' order by plays desc, geography_key",
        "listening_by_geography",
    )
    totals = query.one(
        "select count(*) as plays, count(distinct user_id) as users from {}", "fct_songplays"
    )
    if not regions or not states:
        raise MartsMissing("listening_by_geography has no states; run `make build`")

    figure = make_subplots(
        rows=1,
        cols=2,
        column_widths=[0.32, 0.68],
        subplot_titles=(
            "Share of active users and of plays, by census region",
            "Plays by state (a multi-state metro area counts in each state)",
        ),
    )
    region_names = [row["geography_key"] for row in regions]
    for metric, label, colour in (
        ("share_of_active_users", "share of active users", METRIC_COLOURS["users"]),
        ("share_of_plays", "share of plays", METRIC_COLOURS["plays"]),
    ):
        figure.add_trace(
            go.Bar(
                x=region_names,
                y=[row[metric] for row in regions],
                name=label,
                marker_color=colour,
                hovertemplate="%{x}: %{y:.1%}<extra>" + label + "</extra>",
            ),
            row=1,
            col=1,
        )
    for region, colour in REGION_COLOURS.items():
        in_region = [row for row in states if row["census_region"] == region]
        if in_region:
            figure.add_trace(
                go.Bar(
                    x=[row["geography_key"] for row in in_region],
                    y=[row["plays"] for row in in_region],
                    name=region,
                    marker_color=colour,
                    customdata=[
                        [row["geography_name"], row["active_users"], row["plays_per_user"]]
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
        categoryorder="array", categoryarray=[r["geography_key"] for r in states], row=1, col=2
    )
    figure.update_yaxes(tickformat=".0%", row=1, col=1)
    figure.update_yaxes(title_text="plays", row=1, col=2)
    figure.update_layout(barmode="group")

    top = states[0]
    overall_per_user = totals["plays"] / totals["users"]
    weakest = min(regions, key=lambda row: row["plays_per_user"])
    reading = (
        f"Top state by plays: {top['geography_name']} ({top['geography_key']}), "
        f"{count(top['plays'])} plays ({percent(top['share_of_plays'])} of all plays) "
        f"from {count(top['active_users'])} active users.",
        f"Least traction: the {weakest['geography_key']} has "
        f"{percent(weakest['share_of_active_users'])} of active users but "
        f"{percent(weakest['share_of_plays'])} of plays, {decimal(weakest['plays_per_user'])} "
        f"plays per user against {decimal(overall_per_user)} overall.",
    )
    return Section(
        1,
        "Where does the app lack traction?",
        ("listening_by_geography",),
        styled(figure, 460),
        reading,
    )


# --- 2. User agents -----------------------------------------------------------------------


def user_agent_section(query: Query) -> Section:
    rows = query.rows(
        "select * from {} order by agent_dimension, plays desc, agent_value",
        "listening_by_user_agent",
    )
    dimensions = (
        ("browser", "Browser"),
        ("operating_system", "Operating system"),
        ("device_class", "Device class"),
    )
    by_dimension = {
        key: [row for row in rows if row["agent_dimension"] == key] for key, _ in dimensions
    }
    if not by_dimension["browser"]:
        raise MartsMissing("listening_by_user_agent is empty; run `make build`")

    figure = make_subplots(
        rows=1,
        cols=3,
        column_widths=[0.4, 0.35, 0.25],
        subplot_titles=[title for _, title in dimensions],
    )
    for column, (key, _) in enumerate(dimensions, start=1):
        values = by_dimension[key]
        for metric, label, colour in (
            ("active_users", "users", METRIC_COLOURS["users"]),
            ("sessions", "sessions", METRIC_COLOURS["sessions"]),
            ("plays", "plays", METRIC_COLOURS["plays"]),
        ):
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

    browsers = by_dimension["browser"]
    top = browsers[0]
    sessions = sum(row["sessions"] for row in browsers)
    plays = sum(row["plays"] for row in browsers)
    worst = min(browsers, key=lambda row: row["plays_per_session"])
    handheld = sum(
        row["share_of_plays"]
        for row in by_dimension["device_class"]
        if row["agent_value"] in ("mobile", "tablet")
    )
    reading = (
        f"{top['agent_value']} carries {percent(top['share_of_plays'])} of plays and "
        f"{percent(top['share_of_active_users'])} of users; phones and tablets carry "
        f"{percent(handheld)} of plays.",
        f"Fewest plays per session: {worst['agent_value']}, {decimal(worst['plays_per_session'])} "
        f"over {count(worst['sessions'])} sessions against {decimal(plays / sessions)} overall: "
        "the first experience to look at.",
    )
    return Section(
        2,
        "Which user agents need a better experience?",
        ("listening_by_user_agent",),
        styled(figure, 440),
        reading,
    )


# --- 3. Popularity ------------------------------------------------------------------------


def popularity_section(query: Query) -> Section:
    table = "popular_songs_and_artists"
    songs = query.rows(
        "select * from {} where item_type = 'song' and period = 'overall' "
        "order by plays desc, listeners desc, artist_name, song_title limit 10",
        table,
    )
    artists = query.rows(
        "select * from {} where item_type = 'artist' and period = 'overall' "
        "order by plays desc, listeners desc, artist_name limit 10",
        table,
    )
    widest = query.one(
        "select * from {} where item_type = 'artist' and period = 'overall' "
        "order by listeners desc, plays desc, artist_name limit 1",
        table,
    )
    if not songs or not artists:
        raise MartsMissing(f"{table} is empty; run `make build`")
    top_five = [row["artist_name"] for row in artists[:5]]
    weekly = query.rows(
        "select artist_name, week_start, plays from {} "
        "where item_type = 'artist' and period = 'week' and artist_name = any(%s) "
        "order by week_start",
        table,
        params=(top_five,),
    )
    weeks = query.rows(
        "select distinct week_start, is_full_week from {} where period = 'week' order by 1",
        table,
    )

    figure = make_subplots(
        rows=1,
        cols=3,
        column_widths=[0.36, 0.3, 0.34],
        horizontal_spacing=0.16,
        subplot_titles=(
            "Top 10 songs by plays",
            "Top 10 artists by plays",
            "Weekly plays of the top 5 artists",
        ),
    )
    figure.add_trace(
        go.Bar(
            y=[shorten(f"{row['song_title']} · {row['artist_name']}") for row in songs][::-1],
            x=[row["plays"] for row in songs][::-1],
            orientation="h",
            name="song plays",
            marker_color=METRIC_COLOURS["plays"],
            customdata=[row["listeners"] for row in songs][::-1],
            hovertemplate="%{y}: %{x} plays, %{customdata} listeners<extra></extra>",
            showlegend=False,
        ),
        row=1,
        col=1,
    )
    figure.add_trace(
        go.Bar(
            y=[shorten(row["artist_name"], 28) for row in artists][::-1],
            x=[row["plays"] for row in artists][::-1],
            orientation="h",
            name="artist plays",
            marker_color=METRIC_COLOURS["users"],
            customdata=[row["listeners"] for row in artists][::-1],
            hovertemplate="%{y}: %{x} plays, %{customdata} listeners<extra></extra>",
            showlegend=False,
        ),
        row=1,
        col=2,
    )
    for artist in top_five:
        points = [row for row in weekly if row["artist_name"] == artist]
        figure.add_trace(
            go.Scatter(
                x=[row["week_start"] for row in points],
                y=[row["plays"] for row in points],
                mode="lines+markers",
                name=shorten(artist, 28),
                hovertemplate="week of %{x|%Y-%m-%d}: %{y} plays<extra>"
                + html.escape(artist)
                + "</extra>",
            ),
            row=1,
            col=3,
        )
    figure.update_xaxes(title_text="plays", row=1, col=1)
    figure.update_xaxes(title_text="plays", row=1, col=2)
    figure.update_xaxes(title_text="week (Monday, UTC)", row=1, col=3)

    full_weeks = [row["week_start"] for row in weeks if row["is_full_week"]]
    latest_week = full_weeks[-1] if full_weeks else weeks[-1]["week_start"]
    risers = query.rows(
        "select * from {} where item_type = 'artist' and period = 'week' and week_start = %s "
        "and plays_change is not null order by plays_change desc, plays desc, artist_name limit 1",
        table,
        params=(latest_week,),
    )
    song = songs[0]
    first_line = (
        f"Most played song: “{song['song_title']}” by {song['artist_name']} "
        f"({count(song['plays'])} plays, {count(song['listeners'])} listeners); "
        f"most played artist: {artists[0]['artist_name']} ({count(artists[0]['plays'])} plays); "
        f"widest audience: {widest['artist_name']} ({count(widest['listeners'])} listeners)."
    )
    which_week = "the last full week" if full_weeks else "the last week, partial"
    if risers:
        riser = risers[0]
        second_line = (
            f"Trending in the week of {latest_week:%Y-%m-%d} ({which_week}): "
            f"{riser['artist_name']}, {riser['plays_change']:+d} plays on the week before "
            f"({riser['plays']} plays, rank {riser['plays_rank']})."
        )
    else:
        second_line = (
            f"No week-over-week change yet: the data holds a single week ({latest_week:%Y-%m-%d})."
        )
    return Section(
        3,
        "What is popular?",
        (table,),
        styled(figure, 480),
        (first_line, second_line),
    )


# --- 4. Churn risk ------------------------------------------------------------------------


def churn_section(query: Query) -> Section:
    users = query.rows(
        "select * from {} order by plays_change, user_id",
        "user_churn_risk",
    )
    if not users:
        raise MartsMissing("user_churn_risk is empty; run `make build`")

    figure = make_subplots(
        rows=1,
        cols=2,
        column_widths=[0.62, 0.38],
        subplot_titles=(
            "Plays per user: last 7 days against the 7 before",
            "Users by churn-risk reason and level",
        ),
    )
    most = max(max(row["plays_previous_7_days"], row["plays_last_7_days"]) for row in users) or 1
    for reason, colour in RISK_COLOURS.items():
        group = [row for row in users if (row["churn_risk_reason"] or "not at risk") == reason]
        if not group:
            continue
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
                    "user %{customdata[0]} (%{customdata[1]}): %{x} → %{y} plays, "
                    "last play %{customdata[2]} days before the end<extra>" + reason + "</extra>"
                ),
            ),
            row=1,
            col=1,
        )
    figure.add_trace(
        go.Scatter(
            x=[0, most],
            y=[0, most],
            mode="lines",
            name="as many plays",
            line={"dash": "dash", "color": "#888", "width": 1},
            hoverinfo="skip",
        ),
        row=1,
        col=1,
    )
    figure.add_trace(
        go.Scatter(
            x=[0, most],
            y=[0, most / 2],
            mode="lines",
            name="half as many (below: listening less)",
            line={"dash": "dot", "color": "#c44", "width": 1},
            hoverinfo="skip",
        ),
        row=1,
        col=1,
    )
    reasons = [reason for reason in RISK_COLOURS if reason != "not at risk"]
    for level, colour in LEVEL_COLOURS.items():
        figure.add_trace(
            go.Bar(
                x=[reason.replace("_", " ") for reason in reasons],
                y=[
                    sum(
                        1
                        for row in users
                        if row["churn_risk_reason"] == reason and row["level"] == level
                    )
                    for reason in reasons
                ],
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

    at_risk = [row for row in users if row["is_churn_risk"]]
    by_reason = {
        reason: sum(1 for row in at_risk if row["churn_risk_reason"] == reason)
        for reason in reasons
    }
    drop = users[0]
    first_line = (
        f"{len(at_risk)} of {len(users)} users ({percent(len(at_risk) / len(users))}) are at churn "
        f"risk: {by_reason['inactive']} inactive for 7 days or more, {by_reason['listening_less']} "
        f"listening less than half as much, {by_reason['downgraded']} downgraded, "
        f"{by_reason['cancelled']} cancelled."
    )
    window = f"the weeks end at the data's last play, {utc(drop['data_end_at'])}"
    if drop["plays_change"] < 0:
        second_line = (
            f"Largest drop: user {drop['user_id']} ({drop['level']}), "
            f"{drop['plays_previous_7_days']} → {drop['plays_last_7_days']} plays; {window}."
        )
    else:
        second_line = f"No user played less in the last 7 days than in the 7 before; {window}."
    return Section(
        4,
        "Who is listening less, or stopped?",
        ("user_churn_risk",),
        styled(figure, 480),
        (first_line, second_line),
    )


# --- 5. Free vs paid ----------------------------------------------------------------------


def levels_section(query: Query) -> Section:
    levels = {
        row["level"]: row for row in query.rows("select * from {} order by level", "free_vs_paid")
    }
    changes = query.rows("select * from {} order by changed_at, user_id", "level_changes")
    if set(levels) != {"free", "paid"}:
        raise MartsMissing("free_vs_paid lacks a level; run `make build`")
    names = ["free", "paid"]

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
    for metric, label, colour in (
        ("share_of_current_users", "share of users", METRIC_COLOURS["users"]),
        ("share_of_plays", "share of plays", METRIC_COLOURS["plays"]),
    ):
        figure.add_trace(
            go.Bar(
                x=names,
                y=[levels[name][metric] for name in names],
                name=label,
                marker_color=colour,
                hovertemplate="%{x}: %{y:.1%}<extra>" + label + "</extra>",
            ),
            row=1,
            col=1,
        )
    figure.add_trace(
        go.Bar(
            x=names,
            y=[(levels[name]["listening_seconds_per_user"] or 0) / 3600 for name in names],
            marker_color=[LEVEL_COLOURS[name] for name in names],
            name="hours per user",
            showlegend=False,
            hovertemplate="%{x}: %{y:.1f} hours per user<extra></extra>",
        ),
        row=1,
        col=2,
    )
    for change_type, colour, symbol in (
        ("upgrade", LEVEL_COLOURS["paid"], "triangle-up"),
        ("downgrade", "#e45756", "triangle-down"),
    ):
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
    figure.update_yaxes(tickformat=".0%", row=1, col=1)
    figure.update_yaxes(title_text="hours", row=1, col=2)
    figure.update_yaxes(type="category", categoryorder="category descending", row=1, col=3)
    figure.update_layout(barmode="group")

    free, paid = levels["free"], levels["paid"]
    upgraded = sorted({row["user_id"] for row in changes if row["change_type"] == "upgrade"})
    downgraded = sorted({row["user_id"] for row in changes if row["change_type"] == "downgrade"})
    first_line = (
        f"Paid users are {percent(paid['share_of_current_users'])} of users but make "
        f"{percent(paid['share_of_plays'])} of plays; each listens "
        f"{decimal((paid['listening_seconds_per_user'] or 0) / 3600)} hours, a free user "
        f"{decimal((free['listening_seconds_per_user'] or 0) / 3600)}."
    )
    second_line = (
        f"{len(upgraded)} users upgraded"
        + (f" ({plural(len(upgraded), 'user')} {listing(upgraded)})" if upgraded else "")
        + f" and {len(downgraded)} downgraded"
        + (f" ({plural(len(downgraded), 'user')} {listing(downgraded)})" if downgraded else "")
        + "."
    )
    return Section(
        5,
        "Free vs paid",
        ("free_vs_paid", "level_changes"),
        styled(figure, 460),
        (first_line, second_line),
    )


# --- 6. Time ------------------------------------------------------------------------------


def time_section(query: Query) -> Section:
    rows = query.rows(
        "select * from {} order by time_grain, period_number, period_start", "listening_by_time"
    )
    grain: dict[str, list[Row]] = {}
    for row in rows:
        grain.setdefault(row["time_grain"], []).append(row)
    if not grain.get("day"):
        raise MartsMissing("listening_by_time is empty; run `make build`")
    months = grain.get("month", [])
    seasonal = len(months) > 1

    specs: list[list[dict[str, Any] | None]] = [
        [{}, {}],
        [{}, {}] if seasonal else [{"colspan": 2}, None],
    ]
    titles = [
        "Plays per day, by hour of the day (UTC)",
        "Plays per day, by weekday (UTC)",
        "Plays per day across the period, with the 7-day average",
    ]
    if seasonal:
        titles.append("Plays per day, by month (seasonality)")
    figure = make_subplots(
        rows=2, cols=2, specs=specs, subplot_titles=titles, vertical_spacing=0.18
    )

    hours, weekdays, days = grain["hour_of_day"], grain["weekday"], grain["day"]
    figure.add_trace(
        go.Bar(
            x=[row["period_label"] for row in hours],
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
            x=[row["period_label"] for row in weekdays],
            y=[row["plays_per_day"] for row in weekdays],
            marker_color=METRIC_COLOURS["users"],
            name="plays per weekday",
            customdata=[[row["listeners_per_day"], row["days_in_period"]] for row in weekdays],
            hovertemplate=(
                "%{x}: %{y:.1f} plays, %{customdata[0]:.1f} listeners a day "
                "(%{customdata[1]} days)<extra></extra>"
            ),
            showlegend=False,
        ),
        row=1,
        col=2,
    )
    plays = [row["plays"] for row in days]
    rolling = [
        sum(plays[max(0, i - 6) : i + 1]) / len(plays[max(0, i - 6) : i + 1])
        for i in range(len(plays))
    ]
    figure.add_trace(
        go.Scatter(
            x=[row["period_start"] for row in days],
            y=plays,
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
            x=[row["period_start"] for row in days],
            y=rolling,
            mode="lines",
            name="7-day average",
            line={"color": "#333", "width": 2},
            hovertemplate="%{x|%Y-%m-%d}: %{y:.0f} plays a day (7-day average)<extra></extra>",
        ),
        row=2,
        col=1,
    )
    if seasonal:
        figure.add_trace(
            go.Bar(
                x=[row["period_label"] for row in months],
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

    quiet_hour = min(hours, key=lambda row: row["plays_per_day"])
    busy_hour = max(hours, key=lambda row: row["plays_per_day"])
    quiet_day = min(weekdays, key=lambda row: row["plays_per_day"])
    busy_day = max(weekdays, key=lambda row: row["plays_per_day"])
    first_line = (
        f"Quietest hour: {quiet_hour['period_label']} UTC, {decimal(quiet_hour['plays_per_day'])} "
        f"plays a day, against {decimal(busy_hour['plays_per_day'])} at "
        f"{busy_hour['period_label']} UTC, the busiest."
    )
    second_line = (
        f"Quietest weekday: {quiet_day['period_label']}, {decimal(quiet_day['plays_per_day'])} "
        f"plays a day against {decimal(busy_day['plays_per_day'])} on {busy_day['period_label']}"
    )
    if seasonal:
        quiet_month = min(months, key=lambda row: row["plays_per_day"])
        busy_month = max(months, key=lambda row: row["plays_per_day"])
        second_line += (
            f"; quietest month: {quiet_month['period_label']} "
            f"({decimal(quiet_month['plays_per_day'])} a day, against "
            f"{decimal(busy_month['plays_per_day'])} in {busy_month['period_label']})."
        )
    else:
        second_line += f"; {len(days)} days of data are too few to show seasonality."
    return Section(
        6,
        "When do people listen less?",
        ("listening_by_time",),
        styled(figure, 640),
        (first_line, second_line),
    )


SECTIONS: tuple[Callable[[Query], Section], ...] = (
    geography_section,
    user_agent_section,
    popularity_section,
    churn_section,
    levels_section,
    time_section,
)


# --- Assembly -----------------------------------------------------------------------------


def collect(settings: ConnectionSettings, schema: str = DEFAULT_SCHEMA) -> Report:
    """Query the marts and build every section."""
    try:
        with connect(settings) as conn:
            conn.read_only = True
            query = Query(conn, schema)
            summary = overview(query)
            sections = [build(query) for build in SECTIONS]
    except (psycopg.errors.UndefinedTable, psycopg.errors.UndefinedColumn) as exc:
        raise MartsMissing(
            f"the marts in {settings.describe()} (schema {schema!r}) are missing or out of date "
            f"({_first_line(exc)}); run `make build` first"
        ) from None
    except psycopg.OperationalError as exc:
        raise DatabaseUnavailable(
            f"lost the connection to Postgres at {settings.describe()} ({_first_line(exc)})"
        ) from None
    except psycopg.Error as exc:
        raise SparkifyError(f"querying the marts failed: {_first_line(exc)}") from None
    return Report(summary, sections, settings.describe(), datetime.now(UTC))


def _first_line(exc: Exception) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


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
        f"<p class='meta'>Built {utc(report.generated_at)} from {html.escape(report.source)} "
        "by <code>scripts/build_report.py</code>.</p>"
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


def write_report(
    settings: ConnectionSettings, out: Path = DEFAULT_OUTPUT, schema: str = DEFAULT_SCHEMA
) -> Report:
    """Query the marts and write the report to `out` (its directory is created)."""
    report = collect(settings, schema)
    page = render(report)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(page, encoding="utf-8")
    except OSError as exc:
        raise SparkifyError(f"cannot write the report to {out}: {exc.strerror or exc}") from None
    return report
