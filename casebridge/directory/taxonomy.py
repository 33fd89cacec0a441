"""The built-in Casebridge taxonomy: the service categories and the payment (insurance) a
service accepts, kept as data in data/casebridge_taxonomy.json and shared by every agency."""

import json
from pathlib import Path
from typing import Any

TAXONOMY_FILE = Path(__file__).parent / "data" / "casebridge_taxonomy.json"
# The HSDS ids of the two built-in taxonomies in that file.
SERVICE_CATEGORIES = "aa12fd06-6f08-5970-a6b0-f05a27782453"
PAYMENT_ACCEPTED = "5635ded3-c4d8-532e-880b-f991c294f93f"


def builtin_taxonomy() -> dict[str, list[dict[str, Any]]]:
    """The taxonomy and taxonomy_term rows, as HSDS fields."""
    with TAXONOMY_FILE.open(encoding="utf-8") as handle:
        document = json.load(handle)
    return {"taxonomy": document["taxonomy"], "taxonomy_term": document["taxonomy_term"]}


def load_builtin_taxonomy(taxonomy_model: Any, term_model: Any) -> None:
    """Add or update the built-in rows (organisation empty). Takes the models as arguments so
    the data migration can pass its historical ones."""
    rows = builtin_taxonomy()
    for row in rows["taxonomy"]:
        fields = {k: v for k, v in row.items() if k != "id"}
        taxonomy_model.objects.update_or_create(
            organisation=None, hsds_id=row["id"], defaults={"fields": fields}
        )
    taxonomies = dict(taxonomy_model.objects.filter(organisation=None).values_list("hsds_id", "pk"))
    for row in rows["taxonomy_term"]:
        fields = {k: v for k, v in row.items() if k != "id"}
        term_model.objects.update_or_create(
            organisation=None,
            hsds_id=row["id"],
            defaults={
                "fields": fields,
                "code": row.get("code", ""),
                "name": row.get("name", ""),
                "taxonomy_id": taxonomies.get(row.get("taxonomy_id")),
            },
        )
    terms = dict(term_model.objects.filter(organisation=None).values_list("hsds_id", "pk"))
    for row in rows["taxonomy_term"]:
        if row.get("parent_id"):
            term_model.objects.filter(organisation=None, hsds_id=row["id"]).update(
                parent_id=terms.get(row["parent_id"])
            )


def unload_builtin_taxonomy(taxonomy_model: Any, term_model: Any) -> None:
    rows = builtin_taxonomy()
    term_model.objects.filter(
        organisation=None, hsds_id__in=[r["id"] for r in rows["taxonomy_term"]]
    ).delete()
    taxonomy_model.objects.filter(
        organisation=None, hsds_id__in=[r["id"] for r in rows["taxonomy"]]
    ).delete()
