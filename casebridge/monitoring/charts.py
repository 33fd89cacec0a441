"""The check-in trend drawn on the server as SVG: mood and craving (0 to 10) over time.

In the house style of casebridge.assessments.charts: no script, no chart library, nothing the CSP
forbids. The two lines differ in shape as well as colour (solid with dots, dashed with squares),
and the same numbers are always shown as a table beside the chart.
"""

from dataclasses import dataclass

from django.utils import timezone

from casebridge.monitoring.models import CheckIn

# Narrower than the measures chart, so that its words stay readable when a phone shrinks it.
WIDTH, HEIGHT = 420, 220
LEFT, RIGHT, TOP, BOTTOM = 30, 26, 34, 30
FONT_SIZE = 12
MOST_LABELS = 6  # dates under the axis, so they never overlap


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    value: int

    @property
    def box_x(self) -> float:  # the square marker's corner
        return round(self.x - 4, 1)

    @property
    def box_y(self) -> float:
        return round(self.y - 4, 1)


@dataclass(frozen=True)
class Series:
    name: str
    colour: str
    dash: str  # an SVG stroke-dasharray; "" for a solid line
    marker: str  # "circle" or "square"
    polyline: str
    points: list[Point]
    legend_x: int

    @property
    def legend_mid(self) -> int:
        return self.legend_x + 12

    @property
    def legend_end(self) -> int:
        return self.legend_x + 24

    @property
    def legend_text_x(self) -> int:
        return self.legend_x + 30


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    series: list[Series]
    y_ticks: list[tuple[float, int]]
    x_labels: list[tuple[float, str]]
    plot_left: int
    plot_right: int
    plot_bottom: int
    legend_y: int
    title: str
    font_size: int = FONT_SIZE


def check_in_trend(check_ins: list[CheckIn]) -> Chart | None:
    """The chart of these check-ins, oldest to newest (None when there are none)."""
    if not check_ins:
        return None
    ordered = sorted(check_ins, key=lambda c: (c.checked_in_at, c.pk))
    plot_w = WIDTH - LEFT - RIGHT
    plot_h = HEIGHT - TOP - BOTTOM
    step = plot_w / max(len(ordered) - 1, 1)

    def x_of(index: int) -> float:
        return round(LEFT + (index * step if len(ordered) > 1 else plot_w / 2), 1)

    def y_of(value: int) -> float:
        return round(TOP + plot_h - value / 10 * plot_h, 1)

    def series(name: str, colour: str, dash: str, marker: str, legend_x: int) -> Series:
        points = [
            Point(x=x_of(index), y=y_of(getattr(c, name)), value=getattr(c, name))
            for index, c in enumerate(ordered)
        ]
        return Series(
            name=name.capitalize(),
            colour=colour,
            dash=dash,
            marker=marker,
            polyline=" ".join(f"{p.x},{p.y}" for p in points),
            points=points,
            legend_x=legend_x,
        )

    every = -(-len(ordered) // MOST_LABELS)  # a label on every nth check-in
    labels = []
    for index, c in enumerate(ordered):
        if index % every == 0 or index == len(ordered) - 1:
            day = timezone.localdate(c.checked_in_at)
            labels.append((x_of(index), f"{day:%b} {day.day}"))
    if len(labels) > 1 and labels[-1][0] - labels[-2][0] < plot_w / MOST_LABELS:
        labels.pop(-2)  # the newest date always shows; the one crowding it does not
    return Chart(
        width=WIDTH,
        height=HEIGHT,
        series=[
            series("mood", "#0b5c8e", "", "circle", LEFT),
            series("craving", "#a4161a", "6 4", "square", LEFT + 90),
        ],
        y_ticks=[(y_of(value), value) for value in (0, 2, 4, 6, 8, 10)],
        x_labels=labels,
        plot_left=LEFT,
        plot_right=WIDTH - RIGHT,
        plot_bottom=HEIGHT - BOTTOM,
        legend_y=14,
        title="Mood and craving at each check-in, from 0 to 10",
    )
