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

from django.db import models


def _time_or_none(value: Any) -> time | None:
    """HSDS opening times are ISO times ("09:00", "17:30:00"); anything else is left out."""
    if not isinstance(value, str):
        return None
    try:
        return time.fromisoformat(value[:8])
    except ValueError:
        return None


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
            if isinstance(self._meta.get_field(column), models.TimeField):
                setattr(self, column, _time_or_none(value))
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

    hsds_columns = {"name": "name"}


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
