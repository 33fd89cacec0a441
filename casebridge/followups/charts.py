"""The continuity measures' bar chart: median days at each level of care (casebridge.charts)."""

from casebridge.charts import BarChart, bar_chart
from casebridge.followups.measures import LevelRow
from casebridge.transitions.levels import short_name


def stay_chart(levels: list[LevelRow]) -> BarChart | None:
    """Median days per level, longest bar the longest stay (None when no stay has ended)."""
    return bar_chart(
        [(short_name(row.level), row.median_days) for row in levels if row.median_days is not None],
        "Median days at each level of care",
    )
