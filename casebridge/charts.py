"""Horizontal bar charts drawn on the server as SVG (templates/charts/bars.html): no script, no
chart library, nothing the CSP forbids, and the same numbers always in a table beside them."""

from collections.abc import Sequence
from dataclasses import dataclass

WIDTH = 420
LABEL_WIDTH = 90  # the bar's name, left of it
VALUE_WIDTH = 50  # the number, right of the bar
ROW_HEIGHT = 26
BAR_HEIGHT = 16
TOP = 8
FONT_SIZE = 12


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    y: float
    width: float
    text_y: float
    value_x: float


@dataclass(frozen=True)
class BarChart:
    width: int
    height: int
    label_width: int
    bars: list[Bar]
    title: str
    bar_height: int = BAR_HEIGHT
    font_size: int = FONT_SIZE


def bar_chart(
    rows: Sequence[tuple[str, float]], title: str, *, label_width: int = LABEL_WIDTH
) -> BarChart | None:
    """A bar per (label, value), the longest bar the largest value; None when there is no row."""
    if not rows:
        return None
    largest = max(value for _, value in rows) or 1
    room = WIDTH - label_width - VALUE_WIDTH
    bars = []
    for index, (label, value) in enumerate(rows):
        y = TOP + index * ROW_HEIGHT
        width = max(round(room * value / largest, 1), 1)
        bars.append(
            Bar(
                label=label,
                value=value,
                y=y,
                width=width,
                text_y=y + BAR_HEIGHT / 2,
                value_x=label_width + width + 6,
            )
        )
    return BarChart(
        width=WIDTH,
        height=TOP * 2 + ROW_HEIGHT * len(bars),
        label_width=label_width,
        bars=bars,
        title=title,
    )
