"""The resource directory, table for table after Open Referral HSDS 3.0: the providers, services,
locations and their phones, hours, languages, costs and categories an agency refers people to.

No client data lives here. Each agency (accounts.Organisation) keeps its own directory; the only
shared rows are the built-in Casebridge taxonomy (`organisation` empty), loaded from
data/casebridge_taxonomy.json by a data migration.

Every record keeps its HSDS id (a UUID string, as written in the file) and every other HSDS field
in `fields`, exactly as imported, so an export writes back what was read. References between
records are also real foreign keys, and the few fields the search filters on are copied into
columns (`hsds_columns`), so the database can index and query them.
"""

from datetime import time
from typing import Any, ClassVar

from django.conf import settings
from django.db import models


def _time_or_none(value: Any) -> time | None:
    """HSDS opening times are ISO times ("09:00", "17:30:00"); anything else is left out."""
    if not isinstance(value, str):
        return None
    try:
        return time.fromisoformat(value[:8])
    except ValueError:
        return None


def _coordinate_or_none(value: Any, column: str) -> float | None:
    """A latitude or longitude in decimal degrees, if it is one; anything else is left out."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        return None
    try:
        number = float(value)
    except ValueError:
        return None
    bound = 90 if column == "latitude" else 180
    return number if -bound <= number <= bound else None


class HsdsRecord(models.Model):
    """What every directory table shares: whose directory, the HSDS id and the HSDS fields."""

    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.CASCADE, related_name="+", null=True
    )
    hsds_id = models.CharField(max_length=64, help_text="The record's id in Open Referral HSDS.")
    fields = models.JSONField(default=dict, help_text="Every other HSDS field, as imported.")

    objects = models.Manager()

    # HSDS field name -> column name, for the fields the search page filters on.
    hsds_columns: ClassVar[dict[str, str]] = {}

    class Meta:
        abstract = True
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "hsds_id"], name="%(app_label)s_%(class)s_one_hsds_id"
            ),
            # Only the built-in taxonomy is no agency's (its models leave this out).
            models.CheckConstraint(
                condition=models.Q(organisation__isnull=False),
                name="%(app_label)s_%(class)s_in_a_directory",
            ),
        ]

    def __str__(self) -> str:
        return str(self.fields.get("name") or self.hsds_id)

    def copy_columns(self) -> None:
        """Set the searchable columns from the HSDS fields."""
        for field_name, column in self.hsds_columns.items():
            value = self.fields.get(field_name)
            column_field = self._meta.get_field(column)
            if isinstance(column_field, models.TimeField):
                setattr(self, column, _time_or_none(value))
            elif isinstance(column_field, models.FloatField):
                setattr(self, column, _coordinate_or_none(value, column))
            else:
                setattr(self, column, "" if value is None else str(value))


class Taxonomy(HsdsRecord):
    """A classification scheme (HSDS taxonomy), e.g. the built-in Casebridge categories."""

    class Meta(HsdsRecord.Meta):
        verbose_name_plural = "taxonomies"
        constraints = [
            HsdsRecord.Meta.constraints[0],
            models.UniqueConstraint(
                fields=["hsds_id"],
                condition=models.Q(organisation__isnull=True),
                name="directory_taxonomy_one_builtin_id",
            ),
        ]


class TaxonomyTerm(HsdsRecord):
    """One category (HSDS taxonomy_term): withdrawal management, recovery housing, Medicaid..."""

    taxonomy = models.ForeignKey(
        Taxonomy, on_delete=models.CASCADE, null=True, blank=True, related_name="terms"
    )
    parent = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="children"
    )
    code = models.TextField(blank=True)
    name = models.TextField(blank=True)

    hsds_columns = {"code": "code", "name": "name"}

    class Meta(HsdsRecord.Meta):
        constraints = [
            HsdsRecord.Meta.constraints[0],
            models.UniqueConstraint(
                fields=["hsds_id"],
                condition=models.Q(organisation__isnull=True),
                name="directory_term_one_builtin_id",
            ),
        ]
        indexes = [models.Index(fields=["code"])]


class Provider(HsdsRecord):
    """An organisation that provides services (HSDS organization; not the agency using
    Casebridge, which is accounts.Organisation)."""

    parent = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="children"
    )
    name = models.TextField(blank=True)

    hsds_columns = {"name": "name"}


class ProviderIdentifier(HsdsRecord):
    """A provider's identifier in some register (HSDS organization_identifier)."""

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, null=True, blank=True)


class Program(HsdsRecord):
    """A group of a provider's services (HSDS program)."""

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, null=True, blank=True)


class Service(HsdsRecord):
    """A service a provider offers (HSDS service): what a referral points at."""

    provider = models.ForeignKey(
        Provider, on_delete=models.CASCADE, null=True, blank=True, related_name="services"
    )
    program = models.ForeignKey(Program, on_delete=models.SET_NULL, null=True, blank=True)
    name = models.TextField(blank=True)
    description = models.TextField(blank=True)
    status = models.CharField(max_length=40, blank=True)

    hsds_columns = {"name": "name", "description": "description", "status": "status"}

    class Meta(HsdsRecord.Meta):
        indexes = [models.Index(fields=["organisation", "status"])]


class Location(HsdsRecord):
    """Where services are delivered (HSDS location), physical or virtual."""

    provider = models.ForeignKey(
        Provider, on_delete=models.CASCADE, null=True, blank=True, related_name="locations"
    )
    name = models.TextField(blank=True)
    # Where it is, for the distance from a client's ZIP code (WGS 84 decimal degrees).
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)

    hsds_columns = {"name": "name", "latitude": "latitude", "longitude": "longitude"}

    class Meta(HsdsRecord.Meta):
        indexes = [models.Index(fields=["organisation", "latitude", "longitude"])]


class ServiceAtLocation(HsdsRecord):
    """A service as delivered at one location (HSDS service_at_location)."""

    service = models.ForeignKey(
        Service, on_delete=models.CASCADE, null=True, blank=True, related_name="at_locations"
    )
    location = models.ForeignKey(
        Location, on_delete=models.CASCADE, null=True, blank=True, related_name="services_here"
    )


class Address(HsdsRecord):
    """A location's postal or physical address (HSDS address)."""

    location = models.ForeignKey(
        Location, on_delete=models.CASCADE, null=True, blank=True, related_name="addresses"
    )

    class Meta(HsdsRecord.Meta):
        verbose_name_plural = "addresses"


class Contact(HsdsRecord):
    """A named person to contact (HSDS contact): a provider's staff, never a client."""

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, null=True, blank=True)
    service = models.ForeignKey(Service, on_delete=models.CASCADE, null=True, blank=True)
    service_at_location = models.ForeignKey(
        ServiceAtLocation, on_delete=models.CASCADE, null=True, blank=True
    )
    location = models.ForeignKey(Location, on_delete=models.CASCADE, null=True, blank=True)


class Phone(HsdsRecord):
    """A telephone number (HSDS phone) of a provider, service, location or contact."""

    location = models.ForeignKey(Location, on_delete=models.CASCADE, null=True, blank=True)
    service = models.ForeignKey(
        Service, on_delete=models.CASCADE, null=True, blank=True, related_name="phones"
    )
    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, null=True, blank=True)
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, null=True, blank=True)
    service_at_location = models.ForeignKey(
        ServiceAtLocation, on_delete=models.CASCADE, null=True, blank=True
    )


class Language(HsdsRecord):
    """A language spoken at a service, location or phone line, without an interpreter."""

    service = models.ForeignKey(
        Service, on_delete=models.CASCADE, null=True, blank=True, related_name="languages"
    )
    location = models.ForeignKey(Location, on_delete=models.CASCADE, null=True, blank=True)
    phone = models.ForeignKey(Phone, on_delete=models.CASCADE, null=True, blank=True)
    name = models.TextField(blank=True)
    code = models.CharField(max_length=40, blank=True)  # ISO 639

    hsds_columns = {"name": "name", "code": "code"}


class Schedule(HsdsRecord):
    """Opening hours (HSDS schedule, RFC 5545 recurrence) of a service or location."""

    service = models.ForeignKey(
        Service, on_delete=models.CASCADE, null=True, blank=True, related_name="schedules"
    )
    location = models.ForeignKey(Location, on_delete=models.CASCADE, null=True, blank=True)
    service_at_location = models.ForeignKey(
        ServiceAtLocation, on_delete=models.CASCADE, null=True, blank=True
    )
    freq = models.CharField(max_length=20, blank=True)
    byday = models.CharField(max_length=100, blank=True)
    opens_at = models.TimeField(null=True, blank=True)
    closes_at = models.TimeField(null=True, blank=True)

    hsds_columns = {
        "freq": "freq",
        "byday": "byday",
        "opens_at": "opens_at",
        "closes_at": "closes_at",
    }


class Funding(HsdsRecord):
    """Where a provider's or service's money comes from (HSDS funding)."""

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, null=True, blank=True)
    service = models.ForeignKey(Service, on_delete=models.CASCADE, null=True, blank=True)

    class Meta(HsdsRecord.Meta):
        verbose_name_plural = "funding"


class ServiceArea(HsdsRecord):
    """The area a service covers (HSDS service_area)."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, null=True, blank=True)


class RequiredDocument(HsdsRecord):
    """A document a person needs to use a service (HSDS required_document)."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, null=True, blank=True)


class Accessibility(HsdsRecord):
    """Accessibility of a location for people with disabilities (HSDS accessibility)."""

    location = models.ForeignKey(Location, on_delete=models.CASCADE, null=True, blank=True)

    class Meta(HsdsRecord.Meta):
        verbose_name_plural = "accessibility"


class CostOption(HsdsRecord):
    """What a service costs, and when (HSDS cost_option); insurance accepted is an attribute."""

    service = models.ForeignKey(
        Service, on_delete=models.CASCADE, null=True, blank=True, related_name="cost_options"
    )


class Attribute(HsdsRecord):
    """A category given to a record (HSDS attribute): a taxonomy term linked to a service, a
    location or any other table, named by `link_entity` and `link_id`."""

    taxonomy_term = models.ForeignKey(
        TaxonomyTerm, on_delete=models.CASCADE, null=True, blank=True, related_name="attributes"
    )
    link_entity = models.CharField(max_length=40, blank=True)
    link_id = models.CharField(max_length=64, blank=True)

    hsds_columns = {"link_entity": "link_entity", "link_id": "link_id"}

    class Meta(HsdsRecord.Meta):
        indexes = [
            models.Index(fields=["organisation", "link_entity", "link_id"]),
        ]


class Metadata(HsdsRecord):
    """A change made to a record, for provenance (HSDS metadata)."""

    class Meta(HsdsRecord.Meta):
        verbose_name_plural = "metadata"


class MetaTableDescription(HsdsRecord):
    """A description of a table: language and character set (HSDS meta_table_description)."""


class ImportStatus(models.TextChoices):
    QUEUED = "queued", "Waiting to start"
    RUNNING = "running", "Running"
    DONE = "done", "Finished"
    FAILED = "failed", "Failed"


class ImportStage(models.TextChoices):
    """What a running import is doing: checking every row against the schema, then writing."""

    WAITING = "waiting", "Waiting"
    CHECKING = "checking", "Checking rows"
    WRITING = "writing", "Comparing and writing"


class DirectoryImport(models.Model):
    """An HSDS file an administrator uploaded and its import, run in the background: the file,
    the choices, how far it has got, and its report. The import itself is one transaction that
    also marks the run finished, so a run is either done with all its rows or not at all."""

    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    file = models.FileField(upload_to="directory-imports/%Y/%m/")
    file_name = models.CharField(max_length=200, help_text="The name the file was uploaded with.")
    dry_run = models.BooleanField(default=False)
    strict = models.BooleanField(default=False)
    status = models.CharField(
        max_length=10, choices=ImportStatus.choices, default=ImportStatus.QUEUED
    )
    stage = models.CharField(
        max_length=10, choices=ImportStage.choices, default=ImportStage.WAITING
    )
    rows_done = models.PositiveIntegerField(default=0)
    rows_total = models.PositiveIntegerField(default=0)
    # What the import did, as ImportReport.as_json writes it.
    report = models.JSONField(default=dict, blank=True)
    failure = models.CharField(max_length=500, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    # When a running import last said how far it had got: a run silent for long was cut short.
    progressed_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["organisation", "-created_at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(rows_done__lte=models.F("rows_total")),
                name="directory_import_progress_within_total",
            ),
        ]

    def __str__(self) -> str:
        return f"Import of {self.file_name}"

    @property
    def percent(self) -> int:
        if self.status == ImportStatus.DONE:
            return 100
        return (100 * self.rows_done // self.rows_total) if self.rows_total else 0

    @property
    def finished(self) -> bool:
        return self.status in {ImportStatus.DONE, ImportStatus.FAILED}
