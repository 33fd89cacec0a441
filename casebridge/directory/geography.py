"""Where a client's ZIP code is, and how far a service's locations are from it, with no
outside geocoding service: the ZIP code centroids are a file that comes with Casebridge
(data/zcta_centroids.csv.gz, from the US Census Bureau's Gazetteer; see data/SOURCE.md).

Distances are "about N miles", for choosing between services, not for driving directions: the
database orders by the equirectangular approximation (exact enough over a county, and plain
arithmetic, so both SQLite and PostgreSQL can compute it for thousands of services), and a ZIP
code stands for the whole of its area.
"""

import csv
import gzip
import io
import math
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

CENTROIDS_FILE = Path(__file__).parent / "data" / "zcta_centroids.csv.gz"
# Miles in a degree of latitude, and of longitude at the equator (WGS 84, mean).
MILES_PER_DEGREE = 69.05
# A US ZIP code, with or without the four digits after it, standing alone in an address.
_ZIP = re.compile(r"(?<![0-9A-Za-z-])([0-9]{5})(?:-[0-9]{4})?(?![0-9A-Za-z])")


@dataclass(frozen=True)
class Point:
    latitude: float
    longitude: float


@cache
def zip_centroids() -> dict[str, Point]:
    """Every ZIP code area's centroid, read once a process (some 33,000 rows)."""
    with gzip.open(CENTROIDS_FILE, "rb") as packed:
        text = io.TextIOWrapper(packed, encoding="ascii")
        return {
            row["zip"]: Point(float(row["latitude"]), float(row["longitude"]))
            for row in csv.DictReader(text)
        }


def zip_in(address: str) -> str | None:
    """The ZIP code in an address: its last five-digit group, unless that group starts the
    address and more follows (a house number, "12345 Main St"). None when there is none."""
    found = list(_ZIP.finditer(address or ""))
    if not found:
        return None
    last = found[-1]
    if not address[: last.start()].strip() and address[last.end() :].strip():
        return None
    return last.group(1)


def point_of_zip(zip_code: str | None) -> Point | None:
    return zip_centroids().get(zip_code) if zip_code else None


def miles_per_degree_of_longitude(latitude: float) -> float:
    return MILES_PER_DEGREE * math.cos(math.radians(latitude))


def miles_between(a: Point, b: Point) -> float:
    """The equirectangular distance, as the search orders by it."""
    dy = (a.latitude - b.latitude) * MILES_PER_DEGREE
    dx = (a.longitude - b.longitude) * miles_per_degree_of_longitude((a.latitude + b.latitude) / 2)
    return math.hypot(dx, dy)


def about_miles(miles: float) -> str:
    """How a distance is said on the page."""
    if miles < 1:
        return "under a mile"
    rounded = round(miles)
    return f"about {rounded} mile{'' if rounded == 1 else 's'}"
