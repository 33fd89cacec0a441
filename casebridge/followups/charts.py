"""The continuity measures' bar chart drawn on the server as SVG: median days at each level of
care. In the house style of casebridge.monitoring.charts: no script, no chart library, nothing
the CSP forbids, and the same numbers always in the table beside it."""

from dataclasses import dataclass

from casebridge.followups.measures import LevelRow
from casebridge.transitions.levels import short_name

WIDTH = 420
LABEL_WIDTH = 90  # the level's short name ("Level 3.7", "Withdrawal"), left of its bar
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


def stay_chart(levels: list[LevelRow]) -> BarChart | None:
    """Median days per level, longest bar the longest stay (None when no stay has ended)."""
    shown = [row for row in levels if row.median_days is not None]
    if not shown:
        return None
    longest = max(row.median_days or 0 for row in shown) or 1
    room = WIDTH - LABEL_WIDTH - VALUE_WIDTH
    bars = []
    for index, row in enumerate(shown):
        value = row.median_days or 0
        y = TOP + index * ROW_HEIGHT
        width = round(room * value / longest, 1)
        bars.append(
            Bar(
                label=short_name(row.level),
                value=value,
                y=y,
                width=max(width, 1),
                text_y=y + BAR_HEIGHT / 2,
                value_x=LABEL_WIDTH + max(width, 1) + 6,
            )
        )
    return BarChart(
        width=WIDTH,
        height=TOP * 2 + ROW_HEIGHT * len(bars),
        label_width=LABEL_WIDTH,
        bars=bars,
        title="Median days at each level of care",
    )
