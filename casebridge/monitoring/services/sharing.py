"""What the client shares with their coach beyond coaching: recording the client's choice, and
the rules that let the coach read drug screens and medications while the client wants that.

Coaching needs check-ins, meetings and coaching sessions, not a screen's substances or a
prescription (docs/decisions/0008-who-sees-what.md). A client may still want their coach to
see them, say to talk through a positive screen or a missed dose; the choice is the client's,
is recorded by staff who handle the client's consents, and can be withdrawn at any time.
"""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from casebridge.access.policy import Action, Principal, Someone
from casebridge.accounts.models import Role, User
from casebridge.audit.services import audit_record, changed_fields
from casebridge.audit.versions import check_record_version, save_version
from casebridge.clients import services as client_services
from casebridge.clients.models import Client
from casebridge.clients.queries import user_may
from casebridge.inputs import EARLIEST_DATE
from casebridge.monitoring.models.recovery import CoachSharing, RecoveryTimelineKind

OBJECT_TYPE = "coach_sharing"


def sharing_of(client: Client) -> CoachSharing | None:
    return CoachSharing.objects.filter(client=client).first()


def _shared_with_coach(principal: Principal, client: Client, what: str) -> bool:
    """Whether `principal` is this client's coach and the client shares `what` with them."""
    if principal.role != Role.COACH or client.coach_id != principal.account.pk:
        return False
    if not user_may(principal.account, client, Action.CHECK_IN):
        return False
    return CoachSharing.objects.filter(client=client, **{what: True}).exists()


def may_read_screens(principal: Principal, client: Client) -> bool:
    """Drug screens (and the days in recovery from them): clinical readers, and the coach the
    client shares them with."""
    return user_may(principal.account, client, Action.READ_CLINICAL) or _shared_with_coach(
        principal, client, "screens"
    )


def may_read_medications(principal: Principal, client: Client) -> bool:
    return user_may(principal.account, client, Action.READ_CLINICAL) or _shared_with_coach(
        principal, client, "medications"
    )


def _shared_words(sharing: CoachSharing) -> str:
    parts = [
        label
        for on, label in (
            (sharing.screens, "drug screen results"),
            (sharing.medications, "medications"),
        )
        if on
    ]
    return " and ".join(parts)


def coach_sharing_set(
    *,
    client: Client,
    by: Someone,
    screens: bool,
    medications: bool,
    agreed_on: date | None,
    version: int | None,
) -> CoachSharing:
    """Record what the client agreed to share with their coach (both off withdraws it)."""
    if not isinstance(by, User) or not user_may(by, client, Action.MANAGE_CONSENTS):
        raise ValidationError("Only staff who handle the client's consents record this.")
    errors: dict[str, str] = {}
    shares = bool(screens or medications)
    if shares:
        if not isinstance(agreed_on, date):
            errors["agreed_on"] = "Give the date the client agreed to share this with their coach."
        elif agreed_on > timezone.localdate():
            errors["agreed_on"] = "The client agrees before it is recorded. Check the date."
        elif agreed_on < EARLIEST_DATE:
            errors["agreed_on"] = "Check the year: give a date after 1900."
    else:
        agreed_on = None
    if shares and client.coach_id is None:
        errors["__all__"] = "The client has no coach yet. Name their coach on the record first."
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        Client.objects.select_for_update().filter(pk=client.pk).first()
        current = CoachSharing.objects.select_for_update().filter(client=client).first()
        if current is None:
            if not shares:
                raise ValidationError("Nothing is shared with the coach; there is nothing to stop.")
            current = CoachSharing(
                client=client,
                screens=bool(screens),
                medications=bool(medications),
                agreed_on=agreed_on,
                recorded_by=by,
            )
            current.full_clean()
            current.save()
            audit_record(
                actor=by,
                action="create",
                client_id=client.pk,
                object_type=OBJECT_TYPE,
                object_id=current.pk,
                changes={
                    "drug screens": [None, current.screens],
                    "medications": [None, current.medications],
                    "agreed on": [None, agreed_on.isoformat() if agreed_on else None],
                },
            )
        else:
            check_record_version(current, version, object_type=OBJECT_TYPE)
            before = _audited(current)
            current.screens = bool(screens)
            current.medications = bool(medications)
            current.agreed_on = agreed_on
            current.recorded_by = by
            changes = changed_fields(before, _audited(current))
            if not changes:
                return current
            save_version(current, actor=by, object_type=OBJECT_TYPE, changes=changes)
        coach = client.coach.display_name if client.coach else "their coach"
        summary = (
            f"The client shares {_shared_words(current)} with {coach}"
            if current.shares_anything
            else f"The client no longer shares drug screens or medications with {coach}"
        )
        client_services.timeline_add(
            client=client, kind=RecoveryTimelineKind.COACH_SHARING, summary=summary, actor=by
        )
    return current


def _audited(sharing: CoachSharing) -> dict[str, object]:
    return {
        "drug screens": sharing.screens,
        "medications": sharing.medications,
        "agreed on": sharing.agreed_on.isoformat() if sharing.agreed_on else None,
    }
