"""How referrals turn out, for supervisors: per service and per directory category, how many
were sent, how many reached the client (connected), how long that took, and how many were
completed, declined or missed (no-show). Counted in the database, over the referrals of the
clients the person may read clinical content of, sent within the period chosen."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Count, DurationField, ExpressionWrapper, F, Q, Sum

from casebridge.access.policy import Action, Someone, client_filter
from casebridge.clients.models import Client
from casebridge.directory.models import Attribute, Service
from casebridge.directory.taxonomy import SERVICE_CATEGORIES
from casebridge.referrals.models import Referral
from casebridge.referrals.statuses import FINAL, Reason, ReferralStatus

# Periods a supervisor looks back over, in days (None: every referral ever sent).
PERIODS: dict[str, tuple[str, int | None]] = {
    "90": ("The last 90 days", 90),
    "365": ("The last 12 months", 365),
    "all": ("Since the start", None),
}
NOT_IN_DIRECTORY = "Not in the directory"


@dataclass
class Tally:
    """The counts behind one row of the measures."""

    label: str
    sent: int = 0
    connected: int = 0
    completed: int = 0
    rejected: int = 0
    no_show: int = 0
    closed: int = 0
    connect_time: timedelta = field(default_factory=timedelta)

    def add(self, other: "Tally") -> None:
        for name in ("sent", "connected", "completed", "rejected", "no_show", "closed"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.connect_time += other.connect_time

    @staticmethod
    def _share(part: int, whole: int) -> int | None:
        return round(100 * part / whole) if whole else None

    @property
    def connected_share(self) -> int | None:
        return self._share(self.connected, self.sent)

    @property
    def completed_share(self) -> int | None:
        """Completed among those closed: the rest were declined, cancelled or failed."""
        return self._share(self.completed, self.closed)

    @property
    def rejected_share(self) -> int | None:
        return self._share(self.rejected, self.sent)

    @property
    def no_show_share(self) -> int | None:
        return self._share(self.no_show, self.sent)

    @property
    def days_to_connect(self) -> float | None:
        """Average days from sending to the client being connected."""
        if not self.connected:
            return None
        return round(self.connect_time.total_seconds() / 86400 / self.connected, 1)


@dataclass
class Measures:
    overall: Tally
    by_service: list[Tally]
    by_category: list[Tally]


def referral_measures(user: Someone, *, period: str, now: datetime) -> Measures:
    """The measures over the referrals sent in the period to the clients `user` may read
    clinical content of (emergency access aside): two queries."""
    days = PERIODS.get(period, PERIODS["90"])[1]
    sent = Referral.objects.filter(
        client__in=Client.objects.filter(
            client_filter(user, Action.READ_CLINICAL, include_emergency=False)
        ).values("pk"),
        sent_at__isnull=False,
    )
    if days is not None:
        sent = sent.filter(sent_at__gte=now - timedelta(days=days))
    waited = ExpressionWrapper(F("connected_at") - F("sent_at"), output_field=DurationField())
    rows = (
        sent.values("service_id", "service__name", "provider_name")
        .annotate(
            sent=Count("pk"),
            connected=Count("pk", filter=Q(connected_at__isnull=False)),
            completed=Count("pk", filter=Q(status=ReferralStatus.COMPLETED)),
            rejected=Count("pk", filter=Q(status=ReferralStatus.REJECTED)),
            no_show=Count("pk", filter=Q(status_reason=Reason.NO_SHOW)),
            closed=Count("pk", filter=Q(status__in=FINAL)),
            connect_time=Sum(waited, filter=Q(connected_at__isnull=False)),
        )
        .order_by()
    )
    overall = Tally("Every referral")
    by_service: dict[Any, Tally] = {}
    for row in rows:
        key = row["service_id"] or ("named", row["provider_name"])
        label = row["service__name"] or row["provider_name"]
        tally = by_service.setdefault(key, Tally(label))
        tally.add(_tally(row))
        overall.add(_tally(row))
    return Measures(
        overall=overall,
        by_service=sorted(by_service.values(), key=lambda t: (-t.sent, t.label.lower())),
        by_category=_by_category(by_service),
    )


def _tally(row: Mapping[str, Any]) -> Tally:
    return Tally(
        label="",
        sent=row["sent"],
        connected=row["connected"],
        completed=row["completed"],
        rejected=row["rejected"],
        no_show=row["no_show"],
        closed=row["closed"],
        connect_time=row["connect_time"] or timedelta(),
    )


def _by_category(by_service: dict[Any, Tally]) -> list[Tally]:
    """Each directory category's services added up; a service in two categories counts in
    both, and referrals to providers named by hand are a row of their own."""
    service_ids = [key for key in by_service if isinstance(key, int)]
    # HSDS ids are unique within an agency's directory, not across agencies.
    services = {
        (organisation_id, hsds_id): pk
        for pk, organisation_id, hsds_id in Service.objects.filter(pk__in=service_ids).values_list(
            "pk", "organisation_id", "hsds_id"
        )
    }
    categories: dict[str, Tally] = {}
    for organisation_id, link_id, name in Attribute.objects.filter(
        organisation_id__in={organisation_id for organisation_id, _ in services},
        link_entity="service",
        link_id__in=[hsds_id for _, hsds_id in services],
        taxonomy_term__taxonomy__hsds_id=SERVICE_CATEGORIES,
    ).values_list("organisation_id", "link_id", "taxonomy_term__name"):
        service = services.get((organisation_id, link_id))
        if service is not None:
            categories.setdefault(name, Tally(name)).add(by_service[service])
    unlisted = Tally(NOT_IN_DIRECTORY)
    for key, tally in by_service.items():
        if not isinstance(key, int):
            unlisted.add(tally)
    found = sorted(categories.values(), key=lambda t: (-t.sent, t.label.lower()))
    return found + ([unlisted] if unlisted.sent else [])
