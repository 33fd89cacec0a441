"""Open Referral HSDS 3.0 import and export: the specification's own examples, broken references,
round trips, re-imports, dry runs, strict imports and the official schema's messages."""

import csv
import json
import shutil
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, transaction
from jsonschema import Draft202012Validator

from casebridge.directory.hsds import spec
from casebridge.directory.hsds.exporting import JSON_FILE, ExportFormat, directory_rows
from casebridge.directory.models import Attribute, Location, Phone, Provider, Service, TaxonomyTerm
from casebridge.directory.services import directory_export, directory_import
from casebridge.directory.taxonomy import builtin_taxonomy

EXAMPLES = spec.EXAMPLES_DIR
SERVICE_ID = "ac148810-d857-441c-9679-408f346de14b"  # "Community Counselling" in the examples


def problems_of(report):
    return [(p.file, p.row, p.field) for p in report.problems]


def own_rows(organisation):
    """The directory as HSDS rows, without the built-in taxonomy every agency shares."""
    rows = directory_rows(organisation)
    builtin = builtin_taxonomy()
    for table in ("taxonomy", "taxonomy_term"):
        shared = {row["id"] for row in builtin[table]}
        rows[table] = [row for row in rows[table] if row["id"] not in shared]
    return rows


# The specification's own examples refer to a few records they do not contain (a parent
# organization, a parent taxonomy term...): those are reported, and the rest is imported.
@pytest.mark.parametrize(
    "example",
    [
        "service_full.json",
        "organization_full.json",
        "service_at_location_full.json",
        "service_list.json",
        "service_at_location_list.json",
        "organization_list.json",
        "location.json",
        "taxonomy_term_list.json",
    ],
)
def test_the_specifications_json_examples_import_without_a_rejected_row(world, example):
    report = directory_import(organisation=world.org, path=EXAMPLES / example)
    assert report.rejected == []
    assert report.written and report.changes > 0
    assert all("neither in the file nor in the directory" in p.message for p in report.problems)


def test_a_full_service_example_becomes_the_whole_directory_around_it(world):
    directory_import(organisation=world.org, path=EXAMPLES / "service_full.json")
    service = Service.objects.get(organisation=world.org, hsds_id=SERVICE_ID)
    assert service.name == "Community Counselling"
    assert service.provider is not None and service.provider.name == "Example Organization Inc."
    assert service.at_locations.get().location.addresses.exists()
    assert service.phones.exists() and service.schedules.exists() and service.languages.exists()
    assert Attribute.objects.get(organisation=world.org).taxonomy_term is not None
    # Fields with no column are kept as they were in the file.
    assert service.fields["minimum_age"] == 12 and service.fields["status"] == "active"


def test_the_specifications_csv_example_imports(world):
    report = directory_import(organisation=world.org, path=EXAMPLES / "csv")
    assert report.rejected == []
    assert {name: c.added for name, c in report.counts.items()} == {t.name: 1 for t in spec.TABLES}
    # The example's own dangling references, each said by file, row and field.
    assert problems_of(report) == [
        ("taxonomy_terms.csv", "row 2", "taxonomy_id"),
        ("taxonomy_terms.csv", "row 2", "parent_id"),
        ("organizations.csv", "row 2", "parent_organization_id"),
        ("locations.csv", "row 2", "organization_id"),
        ("contacts.csv", "row 2", "organization_id"),
        ("contacts.csv", "row 2", "service_at_location_id"),
    ]
    phone = Phone.objects.get(organisation=world.org)
    assert phone.fields["extension"] == 100 and phone.service is not None


def test_the_official_schema_rejects_the_two_rows_of_the_tabular_example_it_does_not_match(world):
    # Upstream's tabular.json writes two identifiers as numbers where its schema says text.
    report = directory_import(organisation=world.org, path=EXAMPLES / "tabular.json")
    assert [str(p) for p in report.rejected] == [
        "tabular.json, organization_identifiers.csv[0], identifier: "
        "1234567 is not of type 'string'",
        "tabular.json, locations.csv[0], external_identifier: 10092008082 is not of type 'string'",
    ]
    assert Service.objects.filter(organisation=world.org).count() == 1
    assert not Location.objects.filter(organisation=world.org).exists()


def test_a_malformed_record_is_rejected_with_a_clear_message_and_the_rest_imported(world, tmp_path):
    document = {
        "organization": [
            {
                "id": "4e4ad1e5-2f50-4e0f-8a3b-2f5c0d6e1a11",
                "name": "Harbor Health",
                "description": "x",
            }
        ],
        "service": [
            {
                "id": "5b7a1c8e-51a9-4a35-9a4f-1f6f7c0e2b22",
                "organization_id": "4e4ad1e5-2f50-4e0f-8a3b-2f5c0d6e1a11",
                "name": "Buprenorphine clinic",
                "status": "active",
            },
            {
                "id": "6c8b2d9f-62ba-4b46-8b50-2a7f8d1f3c33",
                "name": "No status",
                "minimum_age": "ten",
            },
        ],
    }
    path = tmp_path / "directory.json"
    path.write_text(json.dumps(document))
    report = directory_import(organisation=world.org, path=path)
    assert sorted(str(p) for p in report.rejected) == [
        "directory.json, service[1], minimum_age: 'ten' is not of type 'number'",
        "directory.json, service[1], status: 'status' is a required property",
    ]
    assert report.counts["service"].added == 1 and report.counts["service"].rejected == 1
    assert Service.objects.get(organisation=world.org).name == "Buprenorphine clinic"


def broken_csv_folder(tmp_path: Path) -> Path:
    """The CSV example with a phone for a service the file does not have."""
    folder = tmp_path / "broken"
    shutil.copytree(EXAMPLES / "csv", folder)
    with (folder / "phones.csv").open("a", newline="") as handle:
        csv.writer(handle).writerow(
            [
                "7d0c3e1a-73cb-4c57-9c61-3b8e9e2f4d44",
                "",
                "00000000-0000-4000-8000-000000000000",
                *["", "", "", "555-0100", "", "voice", "Front desk"],
            ]
        )
    with (folder / "services.csv").open("a", newline="") as handle:
        csv.writer(handle).writerow(["8e1d4f2b-84dc-4d68-8d72-4c9f0a3f5e55", "", "", "Nameless"])
    return folder


def test_broken_references_and_rows_are_reported_by_file_row_and_field_and_the_rest_imported(
    world, tmp_path
):
    report = directory_import(organisation=world.org, path=broken_csv_folder(tmp_path))
    assert ("phones.csv", "row 3", "service_id") in problems_of(report)
    assert ("services.csv", "row 3", "status") in problems_of(report)
    phone = Phone.objects.get(
        organisation=world.org, hsds_id="7d0c3e1a-73cb-4c57-9c61-3b8e9e2f4d44"
    )
    assert phone.service is None  # the link is left empty; the id stays in the row
    assert phone.fields["service_id"] == "00000000-0000-4000-8000-000000000000"
    assert Service.objects.filter(organisation=world.org).count() == 1


def test_a_strict_import_of_a_file_with_problems_imports_nothing(world, tmp_path):
    report = directory_import(organisation=world.org, path=broken_csv_folder(tmp_path), strict=True)
    assert report.problems and not report.written
    assert not Service.objects.filter(organisation=world.org).exists()
    assert not Phone.objects.filter(organisation=world.org).exists()


def test_importing_the_same_file_twice_changes_nothing(world):
    directory_import(organisation=world.org, path=EXAMPLES / "organization_full.json")
    before = own_rows(world.org)
    again = directory_import(organisation=world.org, path=EXAMPLES / "organization_full.json")
    assert again.changes == 0
    assert all(c.added == c.changed == 0 for c in again.counts.values())
    assert own_rows(world.org) == before


def test_a_changed_record_is_counted_as_changed_and_updated(world, tmp_path):
    directory_import(organisation=world.org, path=EXAMPLES / "service_full.json")
    document = json.loads((EXAMPLES / "service_full.json").read_text())
    document["name"] = "Community Counselling (evenings)"
    path = tmp_path / "service_changed.json"
    path.write_text(json.dumps(document))
    report = directory_import(organisation=world.org, path=path)
    assert report.counts["service"].changed == 1 and report.changes == 1
    assert Service.objects.get(organisation=world.org).name == "Community Counselling (evenings)"


def test_a_dry_run_reports_what_would_change_and_changes_nothing(world):
    report = directory_import(organisation=world.org, path=EXAMPLES / "csv", dry_run=True)
    assert report.counts["service"].added == 1 and not report.written
    assert not Service.objects.filter(organisation=world.org).exists()
    directory_import(organisation=world.org, path=EXAMPLES / "csv")
    second = directory_import(organisation=world.org, path=EXAMPLES / "csv", dry_run=True)
    assert second.changes == 0 and second.counts["service"].unchanged == 1


@pytest.mark.parametrize("export_format", list(ExportFormat))
@pytest.mark.parametrize("example", ["organization_full.json", "csv"])
def test_export_then_import_gives_the_same_directory(world, tmp_path, export_format, example):
    directory_import(organisation=world.org, path=EXAMPLES / example)
    directory_export(organisation=world.org, folder=tmp_path / "out", export_format=export_format)
    exported = tmp_path / "out" / (JSON_FILE if export_format == ExportFormat.JSON else "")
    # Back into the same directory: nothing to do.
    assert directory_import(organisation=world.org, path=exported).changes == 0
    # Into another agency's empty directory: the same directory.
    report = directory_import(organisation=world.other_org, path=exported)
    assert report.rejected == []
    assert own_rows(world.other_org) == own_rows(world.org)


def test_the_json_export_is_valid_against_the_official_tabular_schema(world, tmp_path):
    directory_import(organisation=world.org, path=EXAMPLES / "service_full.json")
    directory_export(organisation=world.org, folder=tmp_path, export_format=ExportFormat.JSON)
    schema = json.loads((spec.SCHEMA_DIR / "compiled" / "tabular.json").read_text())
    document = json.loads((tmp_path / JSON_FILE).read_text())
    assert list(Draft202012Validator(schema).iter_errors(document)) == []
    assert document["service"][0]["id"] == SERVICE_ID


def test_each_agency_has_its_own_directory(world):
    directory_import(organisation=world.org, path=EXAMPLES / "service_full.json")
    assert not Service.objects.filter(organisation=world.other_org).exists()
    assert own_rows(world.other_org) == {table.name: [] for table in spec.TABLES}


def test_the_builtin_taxonomy_is_valid_hsds_and_covers_recovery_services(db):
    rows = builtin_taxonomy()
    for table, items in rows.items():
        check = spec.validator(table)
        assert [list(check.iter_errors(item)) for item in items] == [[]] * len(items)
    codes = set(TaxonomyTerm.objects.filter(organisation=None).values_list("code", flat=True))
    for code in [
        "withdrawal-management",
        "buprenorphine",
        "methadone",
        "naltrexone",
        "residential",
        "partial-hospital",
        "intensive-outpatient",
        "outpatient",
        "recovery-housing",
        "shelter",
        "primary-care",
        "mental-health",
        "dental",
        "employment",
        "vocational-training",
        "legal-aid",
        "benefits-snap",
        "benefits-medicaid",
        "benefits-ssi-ssdi",
        "benefits-tanf",
        "childcare",
        "transportation",
        "peer-support",
        "mutual-help",
        "family-services",
        "medicaid",
        "medicare",
        "private-insurance",
        "sliding-scale",
        "free",
    ]:
        assert code in codes
    methadone = TaxonomyTerm.objects.get(organisation=None, code="methadone")
    assert methadone.parent is not None and methadone.parent.code == "moud-maud"


def test_a_provider_parent_in_the_same_file_is_linked(world, tmp_path):
    parent, child = "9f2e5a3c-95ed-4e79-9e83-5d0a1b4a6f66", "a03f6b4d-a6fe-4f8a-8f94-6e1b2c5b7a77"
    document = {
        "organization": [
            {"id": child, "name": "Branch", "description": "d", "parent_organization_id": parent},
            {"id": parent, "name": "Head office", "description": "d"},
        ]
    }
    path = tmp_path / "providers.json"
    path.write_text(json.dumps(document))
    assert directory_import(organisation=world.org, path=path).problems == []
    assert Provider.objects.get(hsds_id=child).parent == Provider.objects.get(hsds_id=parent)
    assert directory_import(organisation=world.org, path=path).changes == 0


def test_the_import_command_reports_progress_problems_and_counts(world, tmp_path):
    out, err = StringIO(), StringIO()
    call_command(
        "hsds_import",
        str(broken_csv_folder(tmp_path)),
        "--organisation",
        "Riverside",
        "--dry-run",
        "--progress-every",
        "5",
        stdout=out,
        stderr=err,
    )
    assert "10 rows checked against the HSDS schema (" in out.getvalue()
    assert "10 records compared with the directory (" in out.getvalue()
    assert "service: 1 added, 0 changed, 0 unchanged, 1 rejected" in out.getvalue()
    assert "Dry run: nothing was written." in out.getvalue()
    assert "Missing reference: phones.csv, row 3, service_id: refers to service" in err.getvalue()
    assert "Rejected: services.csv, row 3, status:" in err.getvalue()
    assert not Service.objects.exists()
    with pytest.raises(CommandError, match="Nothing imported"):
        call_command(
            "hsds_import",
            str(broken_csv_folder(tmp_path / "again")),
            "--organisation",
            str(world.org.pk),
            "--strict",
            stdout=out,
            stderr=err,
        )
    assert not Service.objects.exists()


def test_the_commands_need_to_know_whose_directory_when_there_are_several(world, tmp_path):
    with pytest.raises(CommandError, match="--organisation"):
        call_command("hsds_import", str(EXAMPLES / "csv"), stdout=StringIO(), stderr=StringIO())
    with pytest.raises(CommandError, match="no organisation"):
        call_command("hsds_export", str(tmp_path), "--organisation", "Nowhere", stdout=StringIO())


def test_the_export_command_writes_csv_with_the_official_datapackage(world, tmp_path):
    directory_import(organisation=world.org, path=EXAMPLES / "csv")
    out = StringIO()
    call_command(
        "hsds_export", str(tmp_path), "--format", "csv", "--organisation", "Riverside", stdout=out
    )
    assert "Exported" in out.getvalue()
    assert (tmp_path / "datapackage.json").read_bytes() == (
        spec.SPEC_DIR / "datapackage.json"
    ).read_bytes()
    assert (tmp_path / "services.csv").read_text().splitlines()[0].startswith("id,organization_id")


def test_a_file_that_is_not_hsds_is_refused_in_one_line(world, tmp_path):
    path = tmp_path / "notes.json"
    path.write_text("{not json")
    with pytest.raises(CommandError, match="is not JSON"):
        call_command("hsds_import", str(path), "--organisation", "Riverside", stdout=StringIO())
    with pytest.raises(CommandError, match=r"datapackage\.json"):
        call_command("hsds_import", str(tmp_path), "--organisation", "Riverside", stdout=StringIO())


def test_an_import_that_fails_halfway_leaves_nothing_behind(world, monkeypatch):
    def fail(*args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(Phone.objects, "bulk_create", fail)
    with pytest.raises(RuntimeError):
        directory_import(organisation=world.org, path=EXAMPLES / "csv")
    assert not Service.objects.filter(organisation=world.org).exists()
    assert not Provider.objects.filter(organisation=world.org).exists()


def test_a_record_outside_any_directory_is_refused_by_the_database(db):
    with pytest.raises(IntegrityError), transaction.atomic():
        Service.objects.create(organisation=None, hsds_id="x", fields={})


def test_a_field_longer_than_its_column_is_rejected_not_a_crash(world, tmp_path):
    document = {"language": [{"id": "5b7a1c8e-51a9-4a35-9a4f-1f6f7c0e2b22", "code": "x" * 41}]}
    path = tmp_path / "long.json"
    path.write_text(json.dumps(document))
    report = directory_import(organisation=world.org, path=path)
    assert [str(p) for p in report.rejected] == [
        "long.json, language[0], code: is 41 characters long; Casebridge keeps at most 40"
    ]


def test_a_csv_file_that_is_not_utf8_is_refused_in_one_line(world, tmp_path):
    folder = tmp_path / "latin1"
    shutil.copytree(EXAMPLES / "csv", folder)
    (folder / "services.csv").write_bytes("id,name\n1,Caf\xe9\n".encode("latin-1"))
    with pytest.raises(CommandError, match=r"services\.csv is not UTF-8"):
        call_command("hsds_import", str(folder), "--organisation", "Riverside", stdout=StringIO())
    assert not Service.objects.exists()


def test_the_tabular_form_is_read_from_a_zip_too(world, tmp_path):
    archive = shutil.make_archive(str(tmp_path / "hsds"), "zip", EXAMPLES / "csv")
    report = directory_import(organisation=world.org, path=Path(archive))
    assert report.rejected == [] and report.counts["service"].added == 1


def test_one_id_for_two_different_records_is_reported_and_the_first_kept(world, tmp_path):
    one = {"id": "5b7a1c8e-51a9-4a35-9a4f-1f6f7c0e2b22", "name": "Clinic", "status": "active"}
    document = {"service": [one, {**one, "name": "Other clinic"}]}
    path = tmp_path / "twice.json"
    path.write_text(json.dumps(document))
    report = directory_import(organisation=world.org, path=path)
    assert [str(p) for p in report.rejected] == [
        "twice.json, service[1], name: record 5b7a1c8e-51a9-4a35-9a4f-1f6f7c0e2b22 is also at "
        "twice.json, service[0], with a different name; the first is kept"
    ]
    assert Service.objects.get(organisation=world.org).name == "Clinic"
