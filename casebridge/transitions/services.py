"""Every write about levels of care: admissions, discharges, transitions and their warm hand-off.

Each runs in one transaction, validates before saving, audits and tells the timeline. The
client's program changes here and only here: an admission to one of the organisation's programs
moves the client into it (clients.services.client_program_move).
"""

from datetime import date, datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from casebridge.access.policy import Action
from casebridge.accounts.models import Program, User
from casebridge.assessments.models import Assessment, AssessmentStatus
from casebridge.audit.services import audit_record
from casebridge.audit.versions import check_record_version, check_version
from casebridge.clients.extensions import due_changed
from casebridge.clients.models import Client
from casebridge.clients.services import client_program_move, timeline_add
from casebridge.consents.gate import Recipient
from casebridge.consents.models import Disclosure, DisclosureMethod, InformationCategory
from casebridge.consents.services import DisclosureRefused, disclosure_record
from casebridge.directory.models import Service
from casebridge.referrals.models import Referral
from casebridge.referrals.statuses import ReferralStatus
from casebridge.transitions import levels, signals
from casebridge.transitions.models import (
    HANDOFF_DUE_DAYS,
    DischargeType,
    Episode,
    HandoffItem,
    HandoffKind,
    HandoffState,
    TimelineKind,
    Transition,
    TransitionStatus,
)

# The earliest day a stay can be recorded for, and how far ahead a planned leaving day may be.
EARLIEST = date(1990, 1, 1)
PLANNED_AHEAD_DAYS = 30
TEXT_LIMIT = 500
DETAILS_LIMIT = 300
# Where a referral to the next level says the client started there.
STARTED = frozenset({ReferralStatus.IN_PROGRESS, ReferralStatus.COMPLETED})
CHANGED = (
    "Someone else changed this transition while you were working, so nothing was saved. "
    "Look at it again and retry."
)
ITEM_CHANGED = (
    "Someone else updated this step while you were working, so nothing was saved. "
    "Look at it again and retry."
)


def day(value: date) -> str:
    return f"{value:%b} {value.day}, {value.year}"


def _place(
    *, program: Program | None, service: Service | None, place_name: str, client: Client
) -> tuple[Program | None, Service | None, str]:
    """Where a stay is: one of the organisation's programs, a directory service, or a place
    named by hand; its name is kept as it is now."""
    name = (place_name or "").strip()
    if program is not None:
        if program.organisation_id != client.organisation_id:
            raise ValidationError({"program": "Choose one of your organisation's programs."})
        return program, None, program.name
    if service is not None:
        if service.organisation_id != client.organisation_id:
            raise ValidationError({"place_name": "Choose a service of your agency's directory."})
        provider = service.provider.name if service.provider else ""
        named = name or service.name or provider or "A service in the directory"
        return None, service, named[:200]
    if not name:
        raise ValidationError(
            {"place_name": "Say where: one of our programs, a service in the directory, or a name."}
        )
    if len(name) > 200:
        raise ValidationError({"place_name": "Keep the name of the place under 200 characters."})
    return None, None, name


def _text(errors: dict[str, str], name: str, value: str, limit: int, required: str = "") -> str:
    text = (value or "").strip()
    if required and not text:
        errors[name] = required
    elif len(text) > limit:
        errors[name] = f"Keep this under {limit} characters (it has {len(text)})."
    return text


def _check_day(errors: dict[str, str], name: str, value: date | None, *, latest: date) -> None:
    if value is None:
        errors[name] = "Give the date."
    elif value < EARLIEST:
        errors[name] = f"The date is too long ago; check the year ({value.year})."
    elif value > latest:
        errors[name] = f"The date cannot be later than {day(latest)}."


def _refuse(errors: dict[str, str]) -> None:
    if errors:
        raise ValidationError(errors)


def _signed_assessment(client: Client, assessment: Assessment | None) -> Assessment | None:
    if assessment is None:
        return None
    if assessment.client_id != client.pk or assessment.status != AssessmentStatus.SIGNED:
        raise ValidationError({"assessment": "Choose one of this client's signed assessments."})
    return assessment


def _overlap(client: Client, admitted_on: date, exclude: int | None = None) -> Episode | None:
    """A stay of the client's that the new one, from `admitted_on` on, would overlap. A stay
    may begin the day the last one ended (a same-day transfer)."""
    stays = Episode.objects.filter(client=client).filter(
        Q(discharged_on__isnull=True) | Q(discharged_on__gt=admitted_on)
    )
    if exclude is not None:
        stays = stays.exclude(pk=exclude)
    return stays.order_by("admitted_on").first()


def _audit(
    by: User | None,
    episode_or_transition: Any,
    action: str,
    changes: dict[str, Any],
    *,
    partner: str = "",
) -> None:
    audit_record(
        actor=by,
        action=action,
        client_id=episode_or_transition.client_id,
        object_type=type(episode_or_transition).__name__.lower(),
        object_id=episode_or_transition.pk,
        changes=changes,
        actor_name=partner,
        # A staff member's organisation is the trail's; a partner acting through a link has
        # none, so the client's is looked up.
        organisation_id=None
        if by is not None
        else Client.objects.filter(pk=episode_or_transition.client_id)
        .values_list("organisation_id", flat=True)
        .first(),
    )


def _admit(
    *,
    client: Client,
    by: User | None,
    level: str,
    admitted_on: date,
    program: Program | None,
    service: Service | None,
    place_name: str,
    assessment: Assessment | None,
    partner: str = "",
    transition: Transition | None = None,
) -> Episode:
    """The admission itself, in the caller's transaction (the client row locked)."""
    errors: dict[str, str] = {}
    if level not in levels.ORDER:
        errors["level"] = "Choose a level of care from the list."
    _check_day(errors, "admitted_on", admitted_on, latest=timezone.localdate())
    _refuse(errors)
    program, service, name = _place(
        program=program, service=service, place_name=place_name, client=client
    )
    assessment = _signed_assessment(client, assessment)
    other = _overlap(client, admitted_on)
    if other is not None:
        if other.discharged_on is None:
            message = (
                f"The client is still at {other.place_name} ({levels.short_name(other.level)}) "
                f"since {day(other.admitted_on)}. Record that they left first."
            )
        else:
            message = (
                f"This overlaps the stay at {other.place_name} from {day(other.admitted_on)} to "
                f"{day(other.discharged_on)}. Choose a day on or after {day(other.discharged_on)}."
            )
        raise ValidationError({"admitted_on": message})
    episode = Episode(
        client=client,
        level=level,
        program=program,
        service=service,
        place_name=name,
        admitted_on=admitted_on,
        assessment=assessment,
        admitted_by=by,
        admitted_by_partner=partner[:200],
    )
    episode.full_clean()
    episode.save()
    _audit(
        by,
        episode,
        "create",
        {
            "level": [None, level],
            "place_name": [None, name],
            "admitted_on": [None, admitted_on.isoformat()],
            "program": [None, program.pk if program else None],
            "assessment": [None, assessment.pk if assessment else None],
        },
        partner=partner,
    )
    if program is not None and program.pk != client.program_id:
        client_program_move(
            client=client,
            by=by,
            to_program=program,
            reason=f"Admitted to {levels.LevelOfCare(level).label} on {day(admitted_on)}",
        )
    who = f" (confirmed by {partner})" if partner else ""
    timeline_add(
        client=client,
        kind=TimelineKind.EPISODE,
        summary=f"Admitted to {levels.short_name(level)} at {name} on {day(admitted_on)}{who}"[
            :300
        ],
        actor=by,
    )
    transition_id = transition.pk if transition else None
    transaction.on_commit(
        lambda: signals.admitted.send(
            sender=Episode,
            client_id=client.pk,
            episode_id=episode.pk,
            admitted_on=admitted_on,
            transition_id=transition_id,
        ),
        robust=True,
    )
    return episode


def episode_admit(
    *,
    client: Client,
    by: User,
    level: str,
    admitted_on: date,
    program: Program | None = None,
    service: Service | None = None,
    place_name: str = "",
    assessment: Assessment | None = None,
) -> Episode:
    """Record where the client is now: a stay at a level of care that no open transition
    leads to (the first one, or after a time out of care). A transition's admission goes
    through transition_admit, which closes the transition too."""
    with transaction.atomic():
        locked = Client.objects.select_for_update().get(pk=client.pk)
        open_transition = Transition.objects.filter(
            client=locked, status=TransitionStatus.OPEN
        ).first()
        if open_transition is not None:
            raise ValidationError(
                {
                    "level": "A transition to "
                    f"{open_transition.to_place_name} is waiting for the admission: confirm it "
                    "there, or cancel the transition first."
                }
            )
        return _admit(
            client=locked,
            by=by,
            level=level,
            admitted_on=admitted_on,
            program=program,
            service=service,
            place_name=place_name,
            assessment=assessment,
        )


def _discharge(
    episode: Episode,
    by: User,
    *,
    discharged_on: date,
    discharge_type: str,
    reason: str,
    latest: date,
) -> None:
    """Close a locked open stay, in the caller's transaction."""
    errors: dict[str, str] = {}
    if episode.discharged_on is not None:
        raise ValidationError(
            f"The stay at {episode.place_name} already ended on {day(episode.discharged_on)}."
        )
    _check_day(errors, "discharged_on", discharged_on, latest=latest)
    if discharged_on is not None and not errors and discharged_on < episode.admitted_on:
        errors["discharged_on"] = (
            f"The client cannot leave before they were admitted ({day(episode.admitted_on)})."
        )
    if discharge_type not in DischargeType.values:
        errors["discharge_type"] = "Choose how the stay ended."
    reason = _text(errors, "discharge_reason", reason, TEXT_LIMIT)
    _refuse(errors)
    episode.discharged_on = discharged_on
    episode.discharge_type = discharge_type
    episode.discharge_reason = reason
    episode.discharged_by = by
    episode.version += 1
    episode.full_clean()
    episode.save()
    _audit(
        by,
        episode,
        "update",
        {
            "discharged_on": [None, discharged_on.isoformat()],
            "discharge_type": ["", discharge_type],
            "version": [episode.version - 1, episode.version],
        },
    )
    label = DischargeType(discharge_type).label.lower()
    timeline_add(
        client=episode.client,
        kind=TimelineKind.EPISODE,
        summary=f"Left {episode.place_name} ({levels.short_name(episode.level)}) on "
        f"{day(discharged_on)}: {label}"[:300],
        detail=reason,
        actor=by,
        # How and why a stay ended (left against advice, went to jail) is clinical.
        needs_action=Action.READ_CLINICAL,
    )


def episode_discharge(
    *,
    episode: Episode,
    by: User,
    version: int,
    discharged_on: date,
    discharge_type: str,
    reason: str = "",
) -> Episode:
    """Record that the client left a level of care with no next level planned (care ended).
    Leaving for another level is transition_open, which records the leaving too."""
    with transaction.atomic():
        Client.objects.select_for_update().get(pk=episode.client_id)
        current = Episode.objects.select_for_update().select_related("client").get(pk=episode.pk)
        check_record_version(current, version, object_type="episode", message=CHANGED)
        _discharge(
            current,
            by,
            discharged_on=discharged_on,
            discharge_type=discharge_type,
            reason=reason,
            latest=timezone.localdate(),
        )
        client_id, episode_id = current.client_id, current.pk
        transaction.on_commit(
            lambda: signals.care_ended.send(
                sender=Episode,
                client_id=client_id,
                episode_id=episode_id,
                discharged_on=discharged_on,
                discharge_type=discharge_type,
            ),
            robust=True,
        )
    return current


def _may_plan(person: User, client: Client) -> bool:
    """Whether the access policy lets this person work the client's care (not by emergency)."""
    return (
        person.is_active
        and Client.objects.restrict(person, Action.PLAN, include_emergency=False)
        .filter(pk=client.pk)
        .exists()
    )


def _owner_for(kind: str, client: Client, by: User) -> User:
    """Who sees a hand-off step through by default: the primary case manager (or whoever opened
    the transition). Any step can be given to someone else on the client's team."""
    return client.primary_case_manager or by


def transition_open(
    *,
    client: Client,
    by: User,
    to_level: str,
    left_on: date,
    reason: str,
    discharge_type: str = DischargeType.TRANSFERRED,
    to_program: Program | None = None,
    to_service: Service | None = None,
    to_place_name: str = "",
    referral: Referral | None = None,
    episode_version: int | None = None,
) -> Transition:
    """The client leaves the level they are at for another: the stay ends on `left_on` and a
    transition opens with its hand-off checklist, until the next level confirms the admission."""
    with transaction.atomic():
        locked = (
            # Only the client row is locked: PostgreSQL locks no nullable side of a join.
            Client.objects.select_for_update(of=("self",))
            .select_related("primary_case_manager", "coach")
            .get(pk=client.pk)
        )
        current = (
            Episode.objects.select_for_update()
            .filter(client=locked, discharged_on__isnull=True)
            .first()
        )
        if current is None:
            raise ValidationError(
                {"to_level": "Record where the client is now before planning where they go next."}
            )
        if episode_version is not None:
            check_record_version(current, episode_version, object_type="episode", message=CHANGED)
        if Transition.objects.filter(client=locked, status=TransitionStatus.OPEN).exists():
            raise ValidationError(
                {"to_level": "A transition is already open for this client; finish it first."}
            )
        errors: dict[str, str] = {}
        if to_level not in levels.ORDER:
            errors["to_level"] = "Choose the next level of care from the list."
        elif to_level == current.level:
            errors["to_level"] = (
                f"The client is already at {levels.LevelOfCare(to_level).label}. Choose another "
                "level, or record a move within the same level as a new stay."
            )
        reason = _text(errors, "reason", reason, TEXT_LIMIT, "Say why the client is moving on.")
        if referral is not None and referral.client_id != locked.pk:
            errors["referral"] = "Choose one of this client's referrals."
        if discharge_type not in DischargeType.values or discharge_type == DischargeType.DIED:
            errors["discharge_type"] = "Choose how the stay is ending."
        _check_day(
            errors,
            "left_on",
            left_on,
            latest=timezone.localdate() + timedelta(days=PLANNED_AHEAD_DAYS),
        )
        _refuse(errors)
        program, service, name = _place(
            program=to_program, service=to_service, place_name=to_place_name, client=locked
        )
        current.client = locked
        _discharge(
            current,
            by,
            discharged_on=left_on,
            discharge_type=discharge_type,
            reason=reason,
            latest=timezone.localdate() + timedelta(days=PLANNED_AHEAD_DAYS),
        )
        transition = Transition(
            client=locked,
            from_episode=current,
            to_level=to_level,
            to_program=program,
            to_service=service,
            to_place_name=name,
            referral=referral,
            left_on=left_on,
            reason=reason,
            opened_by=by,
        )
        transition.full_clean()
        transition.save()
        HandoffItem.objects.bulk_create(
            HandoffItem(
                transition=transition,
                kind=kind,
                owner=_owner_for(kind, locked, by),
                due_on=left_on + timedelta(days=HANDOFF_DUE_DAYS[kind]),
            )
            for kind in HandoffKind.values
        )
        due_changed([transition.client_id])
        _audit(
            by,
            transition,
            "create",
            {
                "from_level": [None, current.level],
                "to_level": [None, to_level],
                "to_place_name": [None, name],
                "left_on": [None, left_on.isoformat()],
            },
        )
        direction = levels.direction(current.level, to_level).replace("_", " ")
        timeline_add(
            client=locked,
            kind=TimelineKind.TRANSITION,
            summary=f"Transition opened ({direction}): {levels.short_name(current.level)} → "
            f"{levels.short_name(to_level)} at {name}"[:300],
            detail=reason,
            actor=by,
            needs_action=Action.READ_CLINICAL,
        )
    return transition


def _locked_transition(transition: Transition, version: int | None) -> Transition:
    Client.objects.select_for_update().get(pk=transition.client_id)
    current = (
        Transition.objects.select_for_update(of=("self",))
        .select_related("client", "from_episode", "to_program", "to_service")
        .get(pk=transition.pk)
    )
    check_record_version(current, version, object_type="transition", message=CHANGED)
    if current.status != TransitionStatus.OPEN:
        raise ValidationError(f"This transition is already {current.get_status_display().lower()}.")
    return current


def _close(current: Transition, by: User | None, status: str) -> None:
    current.status = status
    current.closed_at = timezone.now()
    current.closed_by = by
    current.version += 1
    current.full_clean()
    current.save()


def transition_admit(
    *,
    transition: Transition,
    by: User | None,
    version: int | None,
    admitted_on: date,
    assessment: Assessment | None = None,
    partner: str = "",
) -> Episode:
    """The next level confirms the admission: a new stay begins there and the transition closes.
    `by` is None and `partner` names them when the receiving partner confirmed it through the
    referral's link."""
    with transaction.atomic():
        current = _locked_transition(transition, version)
        if admitted_on is not None and admitted_on < current.left_on:
            raise ValidationError(
                {
                    "admitted_on": "The admission cannot be before the client left "
                    f"({day(current.left_on)})."
                }
            )
        episode = _admit(
            client=current.client,
            by=by,
            level=current.to_level,
            admitted_on=admitted_on,
            program=current.to_program,
            service=current.to_service,
            place_name=current.to_place_name,
            assessment=assessment,
            partner=partner,
            transition=current,
        )
        current.to_episode = episode
        _close(current, by, TransitionStatus.ADMITTED)
        _audit(
            by,
            current,
            "update",
            {
                "status": ["open", "admitted"],
                "admitted_on": [None, admitted_on.isoformat()],
                "version": [current.version - 1, current.version],
            },
            partner=partner,
        )
        waited = (admitted_on - current.left_on).days
        timeline_add(
            client=current.client,
            kind=TimelineKind.TRANSITION,
            summary=f"Transition complete: admitted at {current.to_place_name} "
            f"{waited} day{'s' if waited != 1 else ''} after leaving"[:300],
            actor=by,
        )
    return episode


def transition_cancel(*, transition: Transition, by: User, version: int, reason: str) -> Transition:
    """The move will not happen (the client declined, the place fell through): the transition
    closes and its open steps are no longer needed. A client who has not left yet (the leaving
    day is still ahead) stays where they are: that stay opens again. One who has left is out of
    care until a new stay is recorded, and follow-ups start."""
    errors: dict[str, str] = {}
    reason = _text(errors, "cancel_reason", reason, TEXT_LIMIT, "Say why the move is off.")
    _refuse(errors)
    with transaction.atomic():
        current = _locked_transition(transition, version)
        current.cancel_reason = reason
        _close(current, by, TransitionStatus.CANCELLED)
        _end_items(current, by, "The transition was cancelled.")
        _audit(
            by,
            current,
            "update",
            {"status": ["open", "cancelled"], "version": [current.version - 1, current.version]},
        )
        timeline_add(
            client=current.client,
            kind=TimelineKind.TRANSITION,
            summary=f"Transition to {current.to_place_name} cancelled"[:300],
            detail=reason,
            actor=by,
            needs_action=Action.READ_CLINICAL,
        )
        episode = Episode.objects.select_for_update().get(pk=current.from_episode_id)
        if current.left_on > timezone.localdate():
            _stay_on(episode, by)
        else:
            _tell_care_ended(current.client_id, episode)
    return current


def _stay_on(episode: Episode, by: User | None) -> None:
    """A planned move is off before the client left: the stay they are in goes on."""
    was = episode.discharged_on
    episode.discharged_on = None
    episode.discharge_type = ""
    episode.discharge_reason = ""
    episode.discharged_by = None
    episode.version += 1
    episode.full_clean()
    episode.save()
    _audit(
        by,
        episode,
        "update",
        {
            "discharged_on": [was.isoformat() if was else None, None],
            "version": [episode.version - 1, episode.version],
        },
    )
    timeline_add(
        client=episode.client,
        kind=TimelineKind.EPISODE,
        summary=f"Stays at {episode.place_name} ({levels.short_name(episode.level)})"[:300],
        actor=by,
    )


def _tell_care_ended(client_id: int, episode: Episode) -> None:
    """Once the transaction commits: the client left this stay with nowhere next."""
    discharged_on, discharge_type = episode.discharged_on, episode.discharge_type
    transaction.on_commit(
        lambda: signals.care_ended.send(
            sender=Transition,
            client_id=client_id,
            episode_id=episode.pk,
            discharged_on=discharged_on,
            discharge_type=discharge_type,
        ),
        robust=True,
    )


def _end_items(transition: Transition, by: User | None, why: str) -> int:
    due_changed([transition.client_id])
    return HandoffItem.objects.filter(transition=transition, state=HandoffState.OPEN).update(
        state=HandoffState.NOT_NEEDED,
        details=why[:DETAILS_LIMIT],
        done_at=timezone.now(),
        done_by=by,
    )


def _locked_item(item: HandoffItem, version: int | None) -> HandoffItem:
    Client.objects.select_for_update().get(pk=item.transition.client_id)
    current = (
        HandoffItem.objects.select_for_update().select_related("transition__client").get(pk=item.pk)
    )
    check_version(
        current=current.version,
        version=version if version is not None else -1,
        client_id=current.transition.client_id,
        object_type="handoff_item",
        object_id=current.pk,
        message=ITEM_CHANGED,
    )
    return current


def handoff_item_save(
    *,
    item: HandoffItem,
    by: User,
    version: int | None,
    state: str,
    owner: User | None,
    due_on: date | None,
    details: str = "",
    appointment_at: datetime | None = None,
) -> HandoffItem:
    """Update one step of the hand-off: its owner and due day, or that it is done (with what
    was done) or not needed (with why). Records are sent through handoff_records_send."""
    errors: dict[str, str] = {}
    if state not in HandoffState.values:
        errors["state"] = "Choose whether the step is to do, done or not needed."
    details = _text(errors, "details", details, DETAILS_LIMIT)
    with transaction.atomic():
        current = _locked_item(item, version)
        transition = current.transition
        if transition.status != TransitionStatus.OPEN:
            raise ValidationError("This transition is closed; its steps can no longer change.")
        client = transition.client
        if owner is not None and not _may_plan(owner, client):
            errors["owner"] = (
                f"{owner.display_name} does not work with this client; choose someone who does."
            )
        _check_day(
            errors,
            "due_on",
            due_on,
            latest=transition.left_on + timedelta(days=365),
        )
        if state == HandoffState.DONE:
            if current.kind == HandoffKind.RECORDS_SENT and current.disclosure_id is None:
                errors["state"] = (
                    "Records go out through the consent check: use “Send records” on this step."
                )
            if current.kind == HandoffKind.APPOINTMENT:
                if appointment_at is None:
                    errors["appointment_at"] = "Give the appointment's date and time."
                if not details:
                    errors["details"] = "Say where the appointment is."
            if current.kind == HandoffKind.MEDICATION_BRIDGE and not details:
                errors["details"] = (
                    "Say who doses or prescribes until the next prescriber takes over."
                )
            if current.kind == HandoffKind.CLIENT_REACHED and not details:
                errors["details"] = "Say how the client was reached and how they are."
        if state == HandoffState.NOT_NEEDED and not details:
            errors["details"] = "Say why this step is not needed."
        if appointment_at is not None and (
            appointment_at.year < EARLIEST.year or appointment_at.year > 9000
        ):
            errors["appointment_at"] = "Check the appointment's date."
        _refuse(errors)
        before = {
            "state": current.state,
            "owner": current.owner_id,
            "due_on": current.due_on.isoformat(),
        }
        current.state = state
        current.owner = owner
        current.due_on = due_on  # type: ignore[assignment]  # checked above
        current.details = details
        current.appointment_at = appointment_at if current.kind == HandoffKind.APPOINTMENT else None
        if state == HandoffState.OPEN:
            current.done_at, current.done_by = None, None
        elif before["state"] != state or current.done_at is None:
            current.done_at, current.done_by = timezone.now(), by
        current.version += 1
        current.full_clean()
        current.save()
        after = {"state": state, "owner": current.owner_id, "due_on": current.due_on.isoformat()}
        audit_record(
            actor=by,
            action="update",
            client_id=client.pk,
            object_type="handoff_item",
            object_id=current.pk,
            organisation_id=client.organisation_id,
            changes={k: [before[k], after[k]] for k in after if before[k] != after[k]}
            | {"version": [current.version - 1, current.version]},
        )
        if before["state"] != state and state != HandoffState.OPEN:
            word = "done" if state == HandoffState.DONE else "not needed"
            timeline_add(
                client=client,
                kind=TimelineKind.TRANSITION,
                summary=f"Hand-off step {word}: {current.get_kind_display()}"[:300],
                actor=by,
            )
    return current


def handoff_records_send(
    *,
    item: HandoffItem,
    by: User,
    version: int | None,
    categories: list[str],
    description: str,
    method: str = DisclosureMethod.FAXED,
) -> HandoffItem:
    """Send the records the next level needs, through the consent gate (a consent must cover
    the receiving place and every category), and mark the step done with the disclosure.
    Refused (consents.services.DisclosureRefused) when no consent covers it: nothing changes."""
    errors: dict[str, str] = {}
    chosen = sorted(set(categories))
    if not chosen or any(c not in InformationCategory.values for c in chosen):
        errors["categories"] = "Tick what goes to the next level."
    description = _text(
        errors, "description", description, DETAILS_LIMIT, "Say what is being sent."
    )
    if method not in DisclosureMethod.values:
        errors["method"] = "Choose how the records are sent."
    _refuse(errors)
    with transaction.atomic():
        current = _locked_item(item, version)
        transition = current.transition
        if current.kind != HandoffKind.RECORDS_SENT:
            raise ValidationError("Only the records step sends records.")
        if transition.status != TransitionStatus.OPEN:
            raise ValidationError("This transition is closed; its steps can no longer change.")
        refused: DisclosureRefused | None = None
        try:
            disclosure = disclosure_record(
                client=transition.client,
                by=by,
                recipient=Recipient(name=transition.to_place_name, is_health_care=True),
                categories=set(chosen),
                purpose="treatment",
                description=description,
                method=method,
            )
        except DisclosureRefused as refusal:
            # Nothing else was written: leaving the block keeps the refusal on the audit trail.
            refused = refusal
        else:
            _records_sent(current, by, disclosure, description)
    if refused is not None:
        raise refused
    return current


def _records_sent(current: HandoffItem, by: User, disclosure: Disclosure, description: str) -> None:
    """The records step is done with the disclosure that recorded the sending."""
    transition = current.transition
    current.disclosure = disclosure
    current.state = HandoffState.DONE
    current.details = description
    current.done_at, current.done_by = timezone.now(), by
    current.version += 1
    current.save()
    timeline_add(
        client=transition.client,
        kind=TimelineKind.TRANSITION,
        summary=f"Hand-off step done: records sent to {transition.to_place_name}"[:300],
        actor=by,
    )


def transitions_end_with_case(client: Client, by: User, reason: str) -> None:
    """The case is concluded: an open transition is cancelled and its steps are no longer needed
    (the case's end is on the timeline already). A client who had left has left care: follow-ups
    start; one whose leaving day was still ahead stays where they are. Runs in the stage move's
    transaction."""
    for current in Transition.objects.select_for_update().filter(
        client_id=client.pk, status=TransitionStatus.OPEN
    ):
        current.cancel_reason = f"The case was concluded: {reason}"[:TEXT_LIMIT]
        _close(current, by, TransitionStatus.CANCELLED)
        _end_items(current, by, "The case was concluded.")
        _audit(by, current, "update", {"status": ["open", "cancelled"]})
        episode = Episode.objects.select_for_update().get(pk=current.from_episode_id)
        if current.left_on > timezone.localdate():
            _stay_on(episode, by)
        else:
            _tell_care_ended(client.pk, episode)


def partner_confirmed(referral: Referral) -> Episode | None:
    """The provider of the referral a transition waits on says the client started there: the
    transition is admitted on that day.

    The referral says so by moving to "in progress" (the provider booked the first appointment
    through its link, or staff recorded that the client connected) or to "completed". A first
    appointment booked for a later day is not an admission yet: nothing happens, and staff
    confirm the admission when it has happened. Nothing happens either when no transition
    waits on this referral, or when the record cannot take it (the client was admitted
    elsewhere meanwhile): staff see the transition still open."""
    if referral.connected_at is None or referral.status not in STARTED:
        return None
    transition = Transition.objects.filter(
        referral_id=referral.pk, client_id=referral.client_id, status=TransitionStatus.OPEN
    ).first()
    # A referral that had connected before the move was planned says nothing about this move.
    if transition is None or referral.connected_at < transition.opened_at:
        return None
    today = timezone.localdate()
    started = timezone.localdate(referral.connected_at)
    if referral.status == ReferralStatus.IN_PROGRESS and referral.next_follow_up_on is not None:
        # Booked through the link, the follow-up falls the day after the first appointment.
        started = max(started, referral.next_follow_up_on - timedelta(days=1))
    if started > today:
        return None
    try:
        return transition_admit(
            transition=transition,
            by=None,
            version=transition.version,
            admitted_on=max(started, transition.left_on),
            partner=(referral.provider_name or "the receiving provider")[:200],
        )
    except ValidationError:
        return None
