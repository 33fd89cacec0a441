"""Reads of consents and disclosures: the client's consents, the accounting, what is due."""

from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from casebridge.clients.extensions import DueItem
from casebridge.clients.models import Client, Collateral
from casebridge.consents.gate import state_on
from casebridge.consents.models import Consent, ConsentStatus, Disclosure, ExpiryKind

EXPIRY_WARNING_DAYS = 30


def consents_for(client: Client) -> list[tuple[Consent, str]]:
    """The client's consents with their state today, newest first."""
    today = timezone.localdate()
    consents = client.consents.select_related("recipient_collateral", "created_by").order_by(
        "-created_at", "-id"
    )
    return [(consent, state_on(consent, today)) for consent in consents]


def expiring_consents_due(client_ids: list[int]) -> dict[int, list[DueItem]]:
    """Active consents that end within 30 days, as due items (one query for a whole page)."""
    today = timezone.localdate()
    soon = today + timedelta(days=EXPIRY_WARNING_DAYS)
    rows = Consent.objects.filter(
        client_id__in=client_ids,
        status=ConsentStatus.ACTIVE,
        expiry_kind=ExpiryKind.DATE,
        expires_on__gte=today,
        expires_on__lte=soon,
    ).values_list("client_id", "expires_on")
    due: dict[int, list[DueItem]] = {}
    for client_id, expires_on in rows:
        if expires_on is None:  # excluded by the filter; keeps the type checker honest
            continue
        due.setdefault(client_id, []).append(
            DueItem(label="Consent renewal", due_on=expires_on, url_name="consent_list")
        )
    return due


def accounting(client: Client, since: date, until: date) -> QuerySet[Disclosure, Any]:
    """Every disclosure of the client's records in the period, oldest first (42 CFR 2.24)."""
    tz = timezone.get_current_timezone()
    return (
        Disclosure.objects.filter(
            client=client,
            disclosed_at__gte=datetime.combine(since, time.min, tzinfo=tz),
            disclosed_at__lte=datetime.combine(until, time.max, tzinfo=tz),
        )
        .select_related("consent", "disclosed_by")
        .order_by("disclosed_at", "id")
    )


def disclosures_for(client: Client) -> QuerySet[Disclosure, Any]:
    return client.disclosures.select_related("consent", "disclosed_by").order_by(
        "-disclosed_at", "-id"
    )


def collateral_releases(collateral_ids: list[int]) -> dict[int, str]:
    """Collaterals named by a consent in effect today, with what it covers (one query)."""
    today = timezone.localdate()
    consents = Consent.objects.filter(
        recipient_collateral_id__in=collateral_ids, status=ConsentStatus.ACTIVE
    ).order_by("signed_on")
    found: dict[int, str] = {}
    for consent in consents:
        if consent.recipient_collateral_id is None or state_on(consent, today) != "active":
            continue
        if consent.expiry_kind == ExpiryKind.DATE and consent.expires_on:
            until = (
                f"until {consent.expires_on:%b} {consent.expires_on.day}, {consent.expires_on.year}"
            )
        elif consent.expiry_kind == ExpiryKind.EVENT:
            until = f"until {consent.expiry_event}"
        else:
            until = "no end date"
        found[consent.recipient_collateral_id] = f"{consent.get_purpose_display()}, {until}"
    return found


def court_team_of(client: Client, consent: Consent) -> list[Collateral]:
    """The client's contacts a criminal justice consent names as its court team."""
    return list(
        Collateral.objects.filter(client=client, pk__in=consent.court_team or []).order_by("name")
    )
