"""Trend charts drawn on the server as SVG: the scores over time over the instrument's bands.

No script and no chart library: the page stays fast, works offline and passes the CSP. The same
numbers are always shown as a table beside the chart for people who do not use the picture.
"""

from dataclasses import dataclass

from casebridge.assessments.definitions import Instrument
from casebridge.assessments.models import InstrumentResponse

WIDTH, HEIGHT = 640, 220
LEFT, RIGHT, TOP, BOTTOM = 44, 16, 12, 34
# Light to dark: shading for bands from the least to the most severe (each passes contrast for
# the dark line drawn over it).
BAND_FILLS = ["#e8f4ec", "#f3f6df", "#fdf1d8", "#fbe3d3", "#f8d7d7"]


@dataclass
class Point:
    x: float
    y: float
    score: int
    label: str


@dataclass
class BandArea:
    y: float
    height: float
    fill: str
    label: str
    label_y: float


@dataclass
class Chart:
    width: int
    height: int
    points: list[Point]
    polyline: str
    bands: list[BandArea]
    y_ticks: list[tuple[float, int]]
    plot_left: int
    plot_right: int
    plot_width: int
    plot_bottom: int
    title: str


def trend(instrument: Instrument, responses: list[InstrumentResponse]) -> Chart | None:
    scored = [r for r in responses if r.primary_score is not None]
    if not scored or instrument.primary is None:
        return None
    low, high = instrument.score_range(instrument.primary)
    plot_w = WIDTH - LEFT - RIGHT
    plot_h = HEIGHT - TOP - BOTTOM

    def y_of(value: float) -> float:
        return TOP + plot_h - (value - low) / max(high - low, 1) * plot_h

    step = plot_w / max(len(scored) - 1, 1)
    points = [
        Point(
            x=round(LEFT + (index * step if len(scored) > 1 else plot_w / 2), 1),
            y=round(y_of(r.primary_score or 0), 1),
            score=r.primary_score or 0,
            label=f"{r.administered_at:%b} {r.administered_at.day}",
        )
        for index, r in enumerate(scored)
    ]
    bands = []
    for index, band in enumerate(instrument.bands):
        top = y_of(band.max + 0.5 if band.max < high else high)
        bottom = y_of(band.min - 0.5 if band.min > low else low)
        bands.append(
            BandArea(
                y=round(top, 1),
                height=round(bottom - top, 1),
                fill=BAND_FILLS[min(index, len(BAND_FILLS) - 1)],
                label=band.label,
                label_y=round(top + 12, 1),
            )
        )
    ticks = sorted({low, high, *[band.min for band in instrument.bands]})
    return Chart(
        width=WIDTH,
        height=HEIGHT,
        points=points,
        polyline=" ".join(f"{p.x},{p.y}" for p in points),
        bands=bands,
        y_ticks=[(round(y_of(t), 1), t) for t in ticks],
        plot_left=LEFT,
        plot_right=WIDTH - RIGHT,
        plot_width=WIDTH - RIGHT - LEFT,
        plot_bottom=HEIGHT - BOTTOM,
        title=f"{instrument.name} scores over time",
    )
