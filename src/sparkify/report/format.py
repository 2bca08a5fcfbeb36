"""Small formatting helpers shared by the report's sections: numbers, times, chart style."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

import plotly.graph_objects as go

METRIC_COLOURS = {"users": "#4c78a8", "sessions": "#72b7b2", "plays": "#f58518"}
LEVEL_COLOURS = {"free": "#bab0ac", "paid": "#1f4e79"}


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


def share_bars(
    figure: go.Figure, x: list[str], rows: list[dict], metrics: Sequence[tuple[str, str, str]]
) -> None:
    """Grouped bars of shares (one trace per metric: column, label, colour) in column 1."""
    for metric, label, colour in metrics:
        figure.add_trace(
            go.Bar(
                x=x,
                y=[row[metric] for row in rows],
                name=label,
                marker_color=colour,
                hovertemplate="%{x}: %{y:.1%}<extra>" + label + "</extra>",
            ),
            row=1,
            col=1,
        )
    figure.update_yaxes(tickformat=".0%", row=1, col=1)
