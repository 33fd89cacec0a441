"""Assigning a coach with an intensity and an agreement: one transaction, audited, the client's
assignment history kept (clients.services.client_assign).

Who may: a supervisor of the client's program (the `assign` action), and the client's case
managers too where the program lets them (CoachingRules)."""

from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from casebridge.access.policy import Action
from casebridge.accounts.models import User
from casebridge.audit.services import audit_record
from casebridge.audit.versions import check_version
from casebridge.clients.models import Client
from casebridge.clients.queries import user_may
from casebridge.clients.services import client_assign
from casebridge.coaching.models import CoachingAgreement, CoachingRules, Intensity
from casebridge.inputs import text_problem

OBJECT_TYPE = "coaching_agreement"


def may_assign_coach(user: User, client: Client) -> bool:
    if user_may(user, client, Action.ASSIGN):
        return True
    return (
        user_may(user, client, Action.PLAN)
        and CoachingRules.objects.filter(
            program_id=client.program_id, case_managers_assign=True
        ).exists()
    )


def coach_assign(
    *,
    client: Client,
    by: User,
    coach: User,
    intensity: str,
    agreement: str,
    started_on: date,
    version: int,
) -> CoachingAgreement:
    """The coach starts (or the same coach goes on under a new agreement): the agreement in
    effect ends the day this one starts."""
    if not may_assign_coach(by, client):
        raise ValidationError("Assigning a coach is the supervisor's in this program.")
    errors: dict[str, str] = {}
    if intensity not in Intensity.values:
        errors["intensity"] = "Choose how often the coach is in touch."
    problem = text_problem(agreement, multiline=True, max_length=4000)
    if not agreement.strip():
        problem = "Write what the client and the coach agreed."
    if problem:
        errors["agreement"] = problem
    if started_on > timezone.localdate() + timedelta(days=30):
        errors["started_on"] = "Start within the next 30 days."
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = Client.objects.select_for_update().get(pk=client.pk)
        check_version(
            current=locked.version,
            version=version,
            client_id=client.pk,
            object_type="client",
            object_id=client.pk,
        )
        # Checks the coach (a coach of the client's program); the history is kept.
        assigned = client_assign(
            client=locked,
            by=by,
            role="coach",
            to_user=coach,
            reason=f"Coaching: {Intensity(intensity).label.lower()}",
            version=version,
        )
        if assigned.version == version:
            # The same coach under a new agreement: still a change to the record, so a form
            # opened before it is refused, not merged.
            Client.objects.filter(pk=client.pk).update(version=F("version") + 1)
        current = (
            CoachingAgreement.objects.select_for_update()
            .filter(client=client, ended_on__isnull=True)
            .first()
        )
        if current is not None:
            if started_on < current.started_on:
                raise ValidationError(
                    {"started_on": "Start on or after the day the present agreement started."}
                )
            current.ended_on = started_on
            current.save(update_fields=["ended_on"])
        made = CoachingAgreement(
            client=client,
            coach=coach,
            intensity=intensity,
            agreement=agreement.strip(),
            started_on=started_on,
            made_by=by,
        )
        made.full_clean()
        made.save()
        audit_record(
            actor=by,
            action="create",
            client_id=client.pk,
            object_type=OBJECT_TYPE,
            object_id=made.pk,
            changes={
                "coach": [current.coach_id if current else None, coach.pk],
                "intensity": [current.intensity if current else None, intensity],
                "ended": [None, current.pk if current else None],
            },
        )
    return made
