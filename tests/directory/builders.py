"""HSDS files for the directory's tests, made to order: providers, services, locations with
coordinates, and the links between them, with ids that are valid UUIDs."""

import json
from pathlib import Path
from typing import Any


def uid(kind: int, number: int) -> str:
    """A UUID-shaped HSDS id: `kind` says which table, `number` which record."""
    return f"{kind:08x}-0000-4000-8000-{number:012d}"


PROVIDER, SERVICE, LOCATION, AT, ADDRESS = 1, 2, 3, 4, 5


def directory_document(
    services: int = 3,
    *,
    places: list[tuple[float, float] | None] | None = None,
    names: list[str] | None = None,
) -> dict[str, list[dict[str, Any]]]:
    """One provider and `services` services, service n at location n when `places` gives a
    point for it (None: a location with no coordinates)."""
    document: dict[str, list[dict[str, Any]]] = {
        "organization": [
            {"id": uid(PROVIDER, 1), "name": "Miami Valley Services", "description": "A provider"}
        ],
        "service": [],
        "location": [],
        "service_at_location": [],
    }
    for number in range(services):
        name = names[number] if names else f"Service {number:04d}"
        document["service"].append(
            {
                "id": uid(SERVICE, number),
                "organization_id": uid(PROVIDER, 1),
                "name": name,
                "status": "active",
            }
        )
        if places is not None and number < len(places):
            location: dict[str, Any] = {
                "id": uid(LOCATION, number),
                "organization_id": uid(PROVIDER, 1),
                "name": f"{name} office",
                "location_type": "physical",
            }
            point = places[number]
            if point is not None:
                location["latitude"], location["longitude"] = point
            document["location"].append(location)
            document["service_at_location"].append(
                {
                    "id": uid(AT, number),
                    "service_id": uid(SERVICE, number),
                    "location_id": uid(LOCATION, number),
                }
            )
    return document


def write(tmp_path: Path, document: Any, name: str = "directory.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(document))
    return path
