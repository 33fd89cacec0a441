"""Reads of the resource directory, always within one agency's directory (and the built-in
taxonomy every agency shares)."""

import math
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ObjectDoesNotExist
from django.db.models import (
    Count,
    F,
    FloatField,
    Min,
    Prefetch,
    Q,
    QuerySet,
    Value,
    Window,
)

from casebridge.accounts.models import CLINICAL_ROLES, Organisation, Role, User
from casebridge.directory.geography import (
    MILES_PER_DEGREE,
    Point,
    about_miles,
    miles_per_degree_of_longitude,
)
from casebridge.directory.models import (
    Attribute,
    DirectoryImport,
    Language,
    Location,
    Schedule,
    Service,
    ServiceAtLocation,
    TaxonomyTerm,
)
from casebridge.directory.taxonomy import PAYMENT_ACCEPTED, SERVICE_CATEGORIES

# Services on one page of results: enough for a phone screen, bounded for the database.
MOST_RESULTS = 50
PAGE_SIZE = MOST_RESULTS
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


def may_manage_directory(user: User | AnonymousUser) -> bool:
    """The agency's program administrators import and export its directory."""
    return bool(
        isinstance(user, User)
        and user.is_authenticated
        and user.is_active
        and user.organisation_id
        and user.role == Role.ADMIN
    )


def import_runs(organisation: Organisation, limit: int = 20) -> list[DirectoryImport]:
    """The agency's latest imports, newest first."""
    return list(
        DirectoryImport.objects.filter(organisation=organisation)
        .select_related("uploaded_by")
        .defer("report")[:limit]
    )


def import_run_for(*, user: User, import_id: int) -> DirectoryImport | None:
    """One of the agency's imports, for its administrator; None for anyone else (not found)."""
    if not may_manage_directory(user) or user.organisation_id is None:
        return None
    return (
        DirectoryImport.objects.filter(pk=import_id, organisation_id=user.organisation_id)
        .select_related("uploaded_by")
        .first()
    )


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
    # Where distances are measured from (a client's ZIP code), and how far at most.
    near: Point | None = None
    within_miles: int | None = None


@dataclass
class Result:
    service: Service
    categories: list[str] = field(default_factory=list)
    miles: float | None = None

    @property
    def distance(self) -> str:
        return about_miles(self.miles) if self.miles is not None else ""

    @property
    def web_address(self) -> str:
        """The service's web address, if it is one a browser may follow (imported data could
        hold a javascript: address; a link to it would run it)."""
        url = self.service.fields.get("url")
        if isinstance(url, str) and url.lower().startswith(("https://", "http://")):
            return url
        return ""


@dataclass
class ResultPage:
    """One page of a search's results, with how many there are in all."""

    results: list[Result]
    count: int
    number: int
    page_size: int = PAGE_SIZE

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.count / self.page_size))

    @property
    def first_shown(self) -> int:
        return (self.number - 1) * self.page_size + 1 if self.results else 0

    @property
    def last_shown(self) -> int:
        return self.first_shown + len(self.results) - 1 if self.results else 0

    @property
    def previous(self) -> int | None:
        return self.number - 1 if self.number > 1 else None

    @property
    def next(self) -> int | None:
        return self.number + 1 if self.number < self.pages else None


def _squared_miles(near: Point, latitude: str, longitude: str) -> Any:
    """The squared distance in miles from `near` to the row's coordinates (equirectangular,
    see geography), as plain arithmetic both databases compute quickly."""
    dy = (F(latitude) - Value(near.latitude)) * Value(MILES_PER_DEGREE)
    dx = (F(longitude) - Value(near.longitude)) * Value(
        miles_per_degree_of_longitude(near.latitude)
    )
    return dy * dy + dx * dx


def _matching(organisation: Organisation, search: Search) -> QuerySet[Service]:
    """The agency's active services that match every part of the search."""
    services = Service.objects.filter(organisation=organisation).exclude(
        status__in=["inactive", "defunct"]
    )
    if search.text:
        services = services.filter(
            Q(name__icontains=search.text)
            | Q(description__icontains=search.text)
            | Q(provider__name__icontains=search.text)
        )
    # Each filter below is a set of service ids worked out once (an uncorrelated subquery),
    # not a check per service: with ten thousand services a correlated EXISTS over an OR of
    # joins costs seconds on SQLite.
    for chosen in (search.category, search.payment):
        if chosen is not None:
            terms = _with_narrower(
                TaxonomyTerm.objects.filter(
                    Q(organisation=organisation) | Q(organisation__isnull=True)
                ),
                chosen,
            )
            filed = Attribute.objects.filter(
                organisation=organisation, link_entity="service", taxonomy_term__in=terms
            ).values("link_id")
            services = services.filter(hsds_id__in=filed)
    if search.language:
        spoken = Language.objects.filter(
            Q(code__iexact=search.language) | Q(name__iexact=search.language),
            organisation=organisation,
        )
        services = services.filter(
            pk__in=spoken.filter(service__isnull=False)
            .values("service_id")
            .union(
                ServiceAtLocation.objects.filter(
                    organisation=organisation,
                    location__in=spoken.filter(location__isnull=False).values("location_id"),
                ).values("service_id")
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
        )
        services = services.filter(
            pk__in=open_then.filter(service__isnull=False)
            .values("service_id")
            .union(
                ServiceAtLocation.objects.filter(
                    organisation=organisation,
                    pk__in=open_then.filter(service_at_location__isnull=False).values(
                        "service_at_location_id"
                    ),
                ).values("service_id"),
                ServiceAtLocation.objects.filter(
                    organisation=organisation,
                    location__in=open_then.filter(location__isnull=False).values("location_id"),
                ).values("service_id"),
            )
        )
    if search.near is not None and search.within_miles:
        # A box around the point first, which the coordinates' index narrows quickly; the
        # distance itself is then checked on what is in the box.
        near, miles = search.near, search.within_miles
        dlat = miles / MILES_PER_DEGREE
        dlon = miles / max(1.0, miles_per_degree_of_longitude(near.latitude))
        in_reach = (
            Location.objects.filter(
                organisation=organisation,
                latitude__range=(near.latitude - dlat, near.latitude + dlat),
                longitude__range=(near.longitude - dlon, near.longitude + dlon),
            )
            .alias(squared=_squared_miles(near, "latitude", "longitude"))
            .filter(squared__lte=miles * miles)
        )
        services = services.filter(
            pk__in=ServiceAtLocation.objects.filter(
                organisation=organisation, location__in=in_reach.values("pk")
            ).values("service_id")
        )
    return services


def search_page(*, organisation: Organisation, search: Search, page: int = 1) -> ResultPage:
    """One page of the services that match every part of the search: by name, or nearest
    first when the search is made from a point; each with its provider, places, phones,
    languages, hours, costs and categories. A fixed number of queries whatever the page."""
    services = _matching(organisation, search)
    # First the page's ids and the number of matches, from one lean query (a window over the
    # matches, so they are worked out once, carrying only what the order needs); then those
    # services with everything the page shows.
    lean = services
    if search.near is not None:
        # The nearest of a service's places, by one join and grouping (a subquery per service
        # costs ten thousand index lookups).
        lean = lean.annotate(
            squared_miles=Min(
                _squared_miles(
                    search.near,
                    "at_locations__location__latitude",
                    "at_locations__location__longitude",
                ),
                output_field=FloatField(),
            )
        )
        order: list[Any] = [F("squared_miles").asc(nulls_last=True), "name", "pk"]
    else:
        lean = lean.annotate(squared_miles=Value(None, output_field=FloatField()))
        order = ["name", "pk"]
    lean = lean.annotate(matches=Window(Count("pk"))).order_by(*order)
    rows = lean.values_list("pk", "squared_miles", "matches")
    number = max(1, page)
    chosen = list(rows[(number - 1) * PAGE_SIZE : number * PAGE_SIZE])
    if not chosen and number > 1:
        # Past the last page (an old link, a hand-made address): the last page instead.
        count = services.count()
        number = max(1, math.ceil(count / PAGE_SIZE))
        chosen = list(rows[(number - 1) * PAGE_SIZE : number * PAGE_SIZE])
    count = chosen[0][2] if chosen else 0
    by_pk = (
        Service.objects.select_related("provider")
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
        .in_bulk([pk for pk, _, _ in chosen])
    )
    found = [by_pk[pk] for pk, _, _ in chosen]
    squared_of = {pk: squared for pk, squared, _ in chosen}
    names: dict[str, list[str]] = {}
    if found:
        attributes = Attribute.objects.filter(
            organisation=organisation,
            link_entity="service",
            link_id__in=[s.hsds_id for s in found],
            taxonomy_term__isnull=False,
        ).values_list("link_id", "taxonomy_term__name")
        for link_id, name in attributes:
            names.setdefault(link_id, []).append(name)
    results = []
    for service in found:
        squared = squared_of[service.pk]
        results.append(
            Result(
                service,
                sorted(names.get(service.hsds_id, [])),
                miles=math.sqrt(squared) if squared is not None else None,
            )
        )
    return ResultPage(results=results, count=count, number=number)


def search_services(*, organisation: Organisation, search: Search) -> list[Result]:
    """The first page of a search's results."""
    return search_page(organisation=organisation, search=search).results
