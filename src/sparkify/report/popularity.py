"""3. What is popular? Top songs and artists, and the top artists week by week."""

from __future__ import annotations

import html

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from sparkify.report.format import METRIC_COLOURS, count, shorten, styled
from sparkify.report.marts import Query, Row, Section

SONGS = "listening_by_song"
ARTISTS = "listening_by_artist"
WEEKLY = "listening_by_artist_and_week"
WEEKS = "listening_by_week"
TOP = 10
TOP_WEEKLY = 5


def section(query: Query) -> Section:
    songs = query.some(
        "select * from {} order by plays_rank, listeners desc, artist_name, song_title limit %s",
        SONGS,
        params=(TOP,),
    )
    artists = query.some(
        "select * from {} order by plays_rank, listeners desc, artist_name limit %s",
        ARTISTS,
        params=(TOP,),
    )
    widest = query.one("select * from {} order by listeners_rank, plays desc, artist_name", ARTISTS)
    weekly = query.rows(
        "select * from {} where artist_name = any(%s) order by iso_week_start",
        WEEKLY,
        params=([row["artist_name"] for row in artists[:TOP_WEEKLY]],),
    )
    week = query.one("select * from {} where is_trend_week", WEEKS)
    risers = query.rows(
        "select * from {} where is_trend_week and plays_change_rank = 1 order by artist_name",
        WEEKLY,
    )
    song, artist = songs[0], artists[0]
    first_line = (
        f"Most played song: “{song['song_title']}” by {song['artist_name']} "
        f"({count(song['plays'])} plays, {count(song['listeners'])} listeners); "
        f"most played artist: {artist['artist_name']} ({count(artist['plays'])} plays); "
        f"widest audience: {widest['artist_name']} ({count(widest['listeners'])} listeners)."
    )
    start = f"{week['iso_week_start']:%Y-%m-%d}"
    if risers:
        riser = risers[0]
        which = "the last full week" if week["is_full_week"] else "the last week, partial"
        second_line = (
            f"Trending in the week of {start} ({which}): "
            f"{riser['artist_name']}, {riser['plays_change']:+d} plays on the week before "
            f"({riser['plays']} plays, rank {riser['plays_rank']})."
        )
    else:
        second_line = f"No week-over-week change yet: the data holds a single week ({start})."
    marts = (SONGS, ARTISTS, WEEKLY, WEEKS)
    return Section(
        3, "What is popular?", marts, chart(songs, artists, weekly), (first_line, second_line)
    )


def chart(songs: list[Row], artists: list[Row], weekly: list[Row]) -> go.Figure:
    figure = make_subplots(
        rows=1,
        cols=3,
        column_widths=[0.36, 0.3, 0.34],
        horizontal_spacing=0.16,
        subplot_titles=(
            f"Top {TOP} songs by plays",
            f"Top {TOP} artists by plays",
            f"Weekly plays of the top {TOP_WEEKLY} artists",
        ),
    )
    for column, rows, labels, colour in (
        (1, songs, [shorten(f"{r['song_title']} · {r['artist_name']}") for r in songs], "plays"),
        (2, artists, [shorten(r["artist_name"], 28) for r in artists], "users"),
    ):
        figure.add_trace(
            go.Bar(
                y=labels[::-1],
                x=[row["plays"] for row in rows][::-1],
                orientation="h",
                marker_color=METRIC_COLOURS[colour],
                customdata=[row["listeners"] for row in rows][::-1],
                hovertemplate="%{y}: %{x} plays, %{customdata} listeners<extra></extra>",
                showlegend=False,
            ),
            row=1,
            col=column,
        )
        figure.update_xaxes(title_text="plays", row=1, col=column)
    for artist in [row["artist_name"] for row in artists[:TOP_WEEKLY]]:
        points = [row for row in weekly if row["artist_name"] == artist]
        figure.add_trace(
            go.Scatter(
                x=[row["iso_week_start"] for row in points],
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
    figure.update_xaxes(title_text="week (Monday, UTC)", row=1, col=3)
    return styled(figure, 480)
