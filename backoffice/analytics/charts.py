"""Chart geometry for inline SVG (no script, no CDN): the page's template draws these shapes."""

from __future__ import annotations

from dataclasses import dataclass, field

from backoffice.analytics.metrics import Table

WIDTH, HEIGHT = 640, 220
LEFT, RIGHT, TOP, BOTTOM = 40, 30, 10, 30
COLOURS = ("#1f6feb", "#2da44e", "#cf222e", "#bf8700")


@dataclass(frozen=True)
class Series:
    """One line of the trend chart."""

    key: str
    colour: str
    points: str


@dataclass
class LineChart:
    """The daily trend: lines, the y scale and the x labels."""

    series: list[Series] = field(default_factory=list)
    y_ticks: list[tuple[float, int]] = field(default_factory=list)
    x_labels: list[tuple[float, str]] = field(default_factory=list)


@dataclass(frozen=True)
class Bar:
    """One bar: its label, value, colour and box."""

    label: str
    value: int
    colour: str
    x: float
    y: float
    width: float
    height: float


def _scale(top: int) -> int:
    return max(1, top)


def daily_trend(table: Table, keys: tuple[str, ...]) -> LineChart:
    """Lines of `keys` over the days of the daily table."""
    rows = table.rows
    chart = LineChart()
    if not rows:
        return chart
    peak = _scale(max(int(row[key]) for row in rows for key in keys))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    step = plot_w / max(1, len(rows) - 1)

    def x(index: int) -> float:
        return round(LEFT + index * step, 1)

    def y(value: int) -> float:
        return round(TOP + plot_h - value / peak * plot_h, 1)

    for number, key in enumerate(keys):
        points = " ".join(f"{x(i)},{y(int(row[key]))}" for i, row in enumerate(rows))
        chart.series.append(Series(key, COLOURS[number % len(COLOURS)], points))
    chart.y_ticks = [(y(value), value) for value in sorted({0, peak // 2, peak})]
    every = max(1, len(rows) // 7)
    chart.x_labels = [(x(i), str(row["day"])[5:]) for i, row in enumerate(rows) if i % every == 0]
    return chart


def bars(labelled: list[tuple[str, int, int]], *, height: int = 22) -> list[Bar]:
    """Horizontal bars of (label, value, colour index), scaled to the largest value."""
    peak = _scale(max((value for _, value, _ in labelled), default=0))
    usable = WIDTH - 240
    return [
        Bar(
            label=label,
            value=value,
            colour=COLOURS[colour % len(COLOURS)],
            x=190,
            y=number * (height + 4),
            width=round(max(1.0, value / peak * usable), 1),
            height=height,
        )
        for number, (label, value, colour) in enumerate(labelled)
    ]


def funnel(services: Table, *, started: str, completed: str) -> list[Bar]:
    """Per service with any start: a bar labelled `started` and one labelled `completed`."""
    labelled: list[tuple[str, int, int]] = []
    for row in services.rows:
        if row["starts"]:
            labelled.append((f"{row['service']} · {started}", int(row["starts"]), 0))
            labelled.append((f"{row['service']} · {completed}", int(row["completions"]), 1))
    return bars(labelled)


def reasons(table: Table) -> list[Bar]:
    """Tickets per handoff reason."""
    return bars([(str(row["reason"]), int(row["tickets"]), 2) for row in table.rows])
