"""The HSDS 3.0 tables as Casebridge stores them, and the official schemas they are checked against.

The schemas, the tabular data package and the examples are vendored in spec/ (see spec/SOURCE.md);
nothing is fetched at run time. Tables are listed in an order where every table comes after the
tables it refers to, so an import can write them one after the other.
"""

import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from casebridge.directory import models

SPEC_DIR = Path(__file__).parent / "spec"
SCHEMA_DIR = SPEC_DIR / "schema"
EXAMPLES_DIR = SPEC_DIR / "examples"


@dataclass(frozen=True)
class Table:
    """One HSDS table: its model and the references it makes (HSDS field -> model field and the
    table referred to)."""

    name: str
    model: type[models.HsdsRecord]
    references: dict[str, tuple[str, str]] = field(default_factory=dict)


TABLES: list[Table] = [
    Table("taxonomy", models.Taxonomy),
    Table(
        "taxonomy_term",
        models.TaxonomyTerm,
        {"taxonomy_id": ("taxonomy", "taxonomy"), "parent_id": ("parent", "taxonomy_term")},
    ),
    Table(
        "organization",
        models.Provider,
        {"parent_organization_id": ("parent", "organization")},
    ),
    Table(
        "organization_identifier",
        models.ProviderIdentifier,
        {"organization_id": ("provider", "organization")},
    ),
    Table("program", models.Program, {"organization_id": ("provider", "organization")}),
    Table(
        "service",
        models.Service,
        {"organization_id": ("provider", "organization"), "program_id": ("program", "program")},
    ),
    Table("location", models.Location, {"organization_id": ("provider", "organization")}),
    Table(
        "service_at_location",
        models.ServiceAtLocation,
        {"service_id": ("service", "service"), "location_id": ("location", "location")},
    ),
    Table("address", models.Address, {"location_id": ("location", "location")}),
    Table(
        "contact",
        models.Contact,
        {
            "organization_id": ("provider", "organization"),
            "service_id": ("service", "service"),
            "service_at_location_id": ("service_at_location", "service_at_location"),
            "location_id": ("location", "location"),
        },
    ),
    Table(
        "phone",
        models.Phone,
        {
            "location_id": ("location", "location"),
            "service_id": ("service", "service"),
            "organization_id": ("provider", "organization"),
            "contact_id": ("contact", "contact"),
            "service_at_location_id": ("service_at_location", "service_at_location"),
        },
    ),
    Table(
        "language",
        models.Language,
        {
            "service_id": ("service", "service"),
            "location_id": ("location", "location"),
            "phone_id": ("phone", "phone"),
        },
    ),
    Table(
        "schedule",
        models.Schedule,
        {
            "service_id": ("service", "service"),
            "location_id": ("location", "location"),
            "service_at_location_id": ("service_at_location", "service_at_location"),
        },
    ),
    Table(
        "funding",
        models.Funding,
        {"organization_id": ("provider", "organization"), "service_id": ("service", "service")},
    ),
    Table("service_area", models.ServiceArea, {"service_id": ("service", "service")}),
    Table("required_document", models.RequiredDocument, {"service_id": ("service", "service")}),
    Table("accessibility", models.Accessibility, {"location_id": ("location", "location")}),
    Table("cost_option", models.CostOption, {"service_id": ("service", "service")}),
    Table(
        "attribute",
        models.Attribute,
        {"taxonomy_term_id": ("taxonomy_term", "taxonomy_term")},
    ),
    Table("metadata", models.Metadata),
    Table("meta_table_description", models.MetaTableDescription),
]
TABLES_BY_NAME = {table.name: table for table in TABLES}


def _load(path: Path) -> Any:
    with path.open(encoding="utf-8") as handle:
        return json.load(handle)


@cache
def datapackage() -> dict[str, Any]:
    """The official tabular data package: each table's CSV file name, fields and their types."""
    return dict(_load(SPEC_DIR / "datapackage.json"))


@cache
def csv_files() -> dict[str, str]:
    """Table name -> CSV file name ("phone" -> "phones.csv")."""
    return {resource["name"]: resource["path"] for resource in datapackage()["resources"]}


@cache
def field_types(table: str) -> dict[str, str]:
    """The Frictionless type of each field of a table's CSV form, in the official order."""
    for resource in datapackage()["resources"]:
        if resource["name"] == table:
            return {f["name"]: f["type"] for f in resource["schema"]["fields"]}
    raise KeyError(table)


@cache
def table_schema(table: str) -> dict[str, Any]:
    return dict(_load(SCHEMA_DIR / f"{table}.json"))


@cache
def _registry() -> Registry:
    """Each table's schema under its file name, so `"$ref": "phone.json"` resolves offline."""
    resources = [
        (path.name, Resource.from_contents(_load(path), default_specification=DRAFT202012))
        for path in sorted(SCHEMA_DIR.glob("*.json"))
    ]
    return Registry().with_resources(resources)


@cache
def validator(table: str) -> Draft202012Validator:
    """A validator for one record of a table (nested records are checked by their own table)."""
    return Draft202012Validator(
        table_schema(table), registry=_registry(), format_checker=FormatChecker()
    )


def nested_tables(table: str) -> dict[str, str]:
    """Property -> table for a table's nested records ("phones" -> "phone"), from the `$ref`s of
    the official schema. Nested API forms also carry a few the table schemas do not list (an
    organization's "services", a service_at_location's "service")."""
    found: dict[str, str] = {}
    for name, prop in table_schema(table)["properties"].items():
        ref = prop.get("$ref") or (prop.get("items") or {}).get("$ref")
        if ref:
            found[name] = ref.removesuffix(".json")
    if table == "organization":
        found.setdefault("services", "service")
    if table == "service_at_location":
        found.setdefault("service", "service")
    return found
