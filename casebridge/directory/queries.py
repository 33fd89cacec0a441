"""Reads of the resource directory, always within one agency's directory (and the built-in
taxonomy every agency shares)."""

from dataclasses import dataclass, field
from datetime import datetime

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet

from casebridge.accounts.models import CLINICAL_ROLES, Organisation, User
from casebridge.directory.models import (
    Attribute,
    Language,
    Schedule,
    Service,
    ServiceAtLocation,
    TaxonomyTerm,
)
from casebridge.directory.taxonomy import PAYMENT_ACCEPTED, SERVICE_CATEGORIES

# The most services one search shows: enough for a phone screen, bounded for the database.
MOST_RESULTS = 50
# RFC 5545 day codes (HSDS schedule.byday), Monday first as date.weekday() counts.
DAY_CODES = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]


def organisation_named(value: str | None) -> Organisation:
    """The agency an operator names by id or exact name; the only one when there is one.
    Raises ObjectDoesNotExist with a message saying what to do."""
    if not value:
        agencies = list(Organisation.objects.order_by("pk")[:2])
        if len(agencies) == 1:
            return agencies[0]
        raise ObjectDoesNotExist(
            "Say which organisation's directory with --organisation (its id or name)."
        )
    found = Organisation.objects.filter(name=value).first()
    if found is None and value.isascii() and value.isdecimal():
        found = Organisation.objects.filter(pk=int(value)).first()
    if found is None:
        raise ObjectDoesNotExist(f"There is no organisation with the id or name {value!r}.")
    return found


def may_search_directory(user: User) -> bool:
    """Staff who work with clients look up where to send them."""
    return bool(user.is_authenticated and user.organisation_id and user.role in CLINICAL_ROLES)


def terms_of(organisation: Organisation, taxonomy_hsds_id: str) -> QuerySet[TaxonomyTerm]:
    """The terms of one taxonomy an agency can search by: the built-in ones and its own."""
    return (
        TaxonomyTerm.objects.filter(Q(organisation=organisation) | Q(organisation__isnull=True))
        .filter(taxonomy__hsds_id=taxonomy_hsds_id)
        .order_by("name")
    )


def category_terms(organisation: Organisation) -> QuerySet[TaxonomyTerm]:
    return terms_of(organisation, SERVICE_CATEGORIES)


def payment_terms(organisation: Organisation) -> QuerySet[TaxonomyTerm]:
    return terms_of(organisation, PAYMENT_ACCEPTED)


def _with_narrower(terms: QuerySet[TaxonomyTerm], chosen: TaxonomyTerm) -> set[int]:
    """A term and every term under it ("Substance use treatment" takes in methadone)."""
    children: dict[int | None, list[int]] = {}
    for pk, parent in terms.values_list("pk", "parent_id"):
        children.setdefault(parent, []).append(pk)
    found, waiting = set(), [chosen.pk]
    while waiting:
        pk = waiting.pop()
        if pk not in found:
            found.add(pk)
            waiting.extend(children.get(pk, []))
    return found


@dataclass
class Search:
    """What a person searches for; empty means any."""

    text: str = ""
    category: TaxonomyTerm | None = None
    payment: TaxonomyTerm | None = None
    language: str = ""
    open_at: datetime | None = None


@dataclass
class Result:
    service: Service
    categories: list[str] = field(default_factory=list)

    @property
    def web_address(self) -> str:
        """The service's web address, if it is one a browser may follow (imported data could
        hold a javascript: address; a link to it would run it)."""
        url = self.service.fields.get("url")
        if isinstance(url, str) and url.lower().startswith(("https://", "http://")):
            return url
        return ""


def search_services(*, organisation: Organisation, search: Search) -> list[Result]:
    """Active services of the agency's directory that match every part of the search, by name,
    each with its provider, places, phones, languages, hours, costs and categories."""
    services = Service.objects.filter(organisation=organisation).exclude(
        status__in=["inactive", "defunct"]
    )
    if search.text:
        services = services.filter(
            Q(name__icontains=search.text)
            | Q(description__icontains=search.text)
            | Q(provider__name__icontains=search.text)
        )
    for chosen in (search.category, search.payment):
        if chosen is not None:
            terms = _with_narrower(
                TaxonomyTerm.objects.filter(
                    Q(organisation=organisation) | Q(organisation__isnull=True)
                ),
                chosen,
            )
            services = services.filter(
                Exists(
                    Attribute.objects.filter(
                        organisation=organisation,
                        link_entity="service",
                        link_id=OuterRef("hsds_id"),
                        taxonomy_term__in=terms,
                    )
                )
            )
    if search.language:
        spoken = Q(code__iexact=search.language) | Q(name__iexact=search.language)
        services = services.filter(
            Exists(
                Language.objects.filter(spoken, organisation=organisation).filter(
                    Q(service=OuterRef("pk")) | Q(location__services_here__service=OuterRef("pk"))
                )
            )
        )
    if search.open_at is not None:
        moment = search.open_at.time()
        day = DAY_CODES[search.open_at.weekday()]
        # Weekly hours as HSDS writes them: the days (byday) and the opening and closing times.
        open_then = Schedule.objects.filter(
            organisation=organisation,
            byday__icontains=day,
            opens_at__lte=moment,
            closes_at__gt=moment,
        ).filter(
            Q(service=OuterRef("pk"))
            | Q(service_at_location__service=OuterRef("pk"))
            | Q(location__services_here__service=OuterRef("pk"))
        )
        services = services.filter(Exists(open_then))
    found = list(
        services.select_related("provider")
        .prefetch_related(
            "phones",
            "languages",
            "schedules",
            "cost_options",
            Prefetch(
                "at_locations",
                queryset=ServiceAtLocation.objects.select_related("location").prefetch_related(
                    "location__addresses", "location__accessibility_set"
                ),
            ),
        )
        .order_by("name", "pk")[:MOST_RESULTS]
    )
    names: dict[str, list[str]] = {}
    attributes = Attribute.objects.filter(
        organisation=organisation,
        link_entity="service",
        link_id__in=[s.hsds_id for s in found],
        taxonomy_term__isnull=False,
    ).values_list("link_id", "taxonomy_term__name")
    for link_id, name in attributes:
        names.setdefault(link_id, []).append(name)
    return [Result(service, sorted(names.get(service.hsds_id, []))) for service in found]
