"""What a court team member reads through their own read-only account.

A judge, prosecutor, defence attorney or probation officer signs in with the role "Court team
member (read only)" and a seat in one court (CourtTeamMember, set by the program administrator).
They reach no client record of the program: the access policy gives their kind of account
nothing. They read, for the participants the case manager named them for, the staffing report
of each of their court's hearings, and only the parts each participant consented to share with
them: with the court by its name (or the judge on the client's contacts) for the judge; with
the participant's contact in that seat, or the member's office by name, for the others.

Each time a member opens a hearing's report, the gate decides again: a consent revoked or ended
since takes the participant out. The first reading of a participant's part of a report, and
any later one whose words have changed (a new test, say), is recorded as a disclosure under the
consent that covers it (as a PDF sent would be); every reading is on the audit trail."""

from dataclasses import dataclass, field
from datetime import date

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from casebridge.access.policy import Principal, PrincipalKind, Someone, principal_of
from casebridge.audit.services import audit_record_many
from casebridge.consents.gate import Recipient
from casebridge.consents.models import Disclosure, DisclosureMethod
from casebridge.court.models import (
    CourtTeamMember,
    Hearing,
    Participant,
    ParticipantStatus,
    Seat,
)
from casebridge.court.progress import Ratio
from casebridge.court.staffing import (
    Entry,
    Sent,
    court_recipient,
    disclose,
    docket_entries,
    previous_hearing,
    shared_categories,
    shared_lines,
)

RECENT_HEARINGS = 6  # hearings held, on the member's page
UPCOMING_HEARINGS = 6


def member_for(principal: Principal | None) -> CourtTeamMember | None:
    """The seat of a court team member's account in an active court of their agency."""
    if (
        principal is None
        or principal.kind != PrincipalKind.COURT_TEAM
        or principal.organisation_id is None
    ):
        return None
    return (
        CourtTeamMember.objects.select_related("court_program", "user")
        .filter(
            user=principal.account,
            court_program__organisation_id=principal.organisation_id,
            court_program__active=True,
        )
        .first()
    )


def member_of(user: Someone) -> CourtTeamMember | None:
    return member_for(principal_of(user))


def team_recipient(member: CourtTeamMember, participant: Participant) -> Recipient:
    """The member, as a participant's consent would name them."""
    if member.seat == Seat.JUDGE:
        return court_recipient(participant)
    return Recipient(
        name=member.agency_name or member.user.get_full_name() or member.user.username,
        collateral_id=getattr(participant, f"{member.seat}_id"),
    )


def served(member: CourtTeamMember) -> QuerySet[Participant]:
    """The participants taking part in the member's court whom the case manager named them for."""
    return Participant.objects.filter(
        team_accounts=member,
        court_program_id=member.court_program_id,
        client__organisation_id=member.court_program.organisation_id,
        status=ParticipantStatus.ACTIVE,
    )


def may_read_hearing(principal: Principal, hearing: Hearing) -> bool:
    """Object rule: a member reads their own court's hearings (what of each, team_report says)."""
    member = member_for(principal)
    return member is not None and hearing.court_program_id == member.court_program_id


@dataclass
class TeamDocket:
    member: CourtTeamMember
    participants: list[Participant]  # those a consent lets the member read at all
    withheld: int  # those named for the member whom no consent covers
    upcoming: list[Hearing] = field(default_factory=list)
    held: list[Hearing] = field(default_factory=list)


def team_docket(member: CourtTeamMember, today: date | None = None) -> TeamDocket:
    """The member's court: its hearings, and who they read, by name and docket only (what the
    court knows already); reading it is audited for each participant named."""
    today = today or timezone.localdate()
    named = list(served(member).select_related("client", "court_program").order_by("docket_number"))
    entries = [_bare(p, today) for p in named]
    shared_categories(entries, today, lambda p: team_recipient(member, p))
    readable = [e.participant for e in entries if e.shared]
    hearings = Hearing.objects.filter(court_program_id=member.court_program_id)
    audit_record_many(
        actor=member.user,
        action="view",
        object_type="court_team_docket",
        changes={"court": member.court_program_id},
        records=[(p.client.organisation_id, p.client_id, p.pk) for p in readable],
    )
    return TeamDocket(
        member=member,
        participants=readable,
        withheld=len(named) - len(readable),
        upcoming=list(hearings.filter(held_on__gte=today).order_by("held_on")[:UPCOMING_HEARINGS]),
        held=list(hearings.filter(held_on__lt=today).order_by("-held_on")[:RECENT_HEARINGS]),
    )


def _bare(participant: Participant, today: date) -> Entry:
    """An entry with nothing but the participant, to ask the gate what may be shared."""
    return Entry(
        participant=participant,
        since=today,
        until=today,
        days_in_phase=0,
        days_without_use=0,
        criteria=[],
        ratio=Ratio(0, 0),
    )


@dataclass
class TeamReport:
    hearing: Hearing
    previous: Hearing | None
    entries: list[Entry]  # each with only its shared parts to show
    withheld: int  # participants on the docket, named for the member, no consent covers
    # Each entry with its shared parts: (category, heading, lines), as the PDF words them.
    rows: list[tuple[Entry, list[tuple[str, str, list[str]]]]] = field(default_factory=list)


def team_report(member: CourtTeamMember, hearing: Hearing, today: date | None = None) -> TeamReport:
    """A hearing's staffing report as the member may read it. Each participant's shared parts
    are recorded as a disclosure the first time the member reads them, and again whenever the
    words they read have changed since; all in one transaction."""
    today = today or timezone.localdate()
    previous = previous_hearing(hearing)
    named = list(
        served(member)
        .filter(entered_on__lte=hearing.held_on)
        .select_related("client", "phase", "court_program")
        .order_by("docket_number", "pk")
    )
    entries = docket_entries(named, hearing, previous, min(hearing.held_on, today), today)
    shared_categories(entries, today, lambda p: team_recipient(member, p))
    shown = [e for e in entries if e.shared]
    # The hearing's own number keeps two hearings of one day apart.
    description = (
        f"Staffing report for the hearing of {hearing.held_on:%b} {hearing.held_on.day}, "
        f"{hearing.held_on:%Y} (no. {hearing.pk}), {hearing.court_program.name}, read by "
        f"{member.user.get_full_name() or member.user.username} ({member.get_seat_display()})"
    )
    with transaction.atomic():
        # What this member read of each participant for this hearing, in the words they read
        # it: recorded again only when the words have changed since (a new test, say).
        already: Sent = {
            (client_id, tuple(sorted(categories)), body)
            for client_id, categories, body in Disclosure.objects.filter(
                client_id__in=[e.client.pk for e in shown],
                disclosed_by=member.user,
                description=description,
            ).values_list("client_id", "categories", "body")
        }
        kept = []
        for entry in shown:
            disclose(
                entry,
                team_recipient(member, entry.participant),
                by=member.user,
                description=description,
                method=DisclosureMethod.ACCOUNT,
                already=already,
            )
            if entry.shared:
                kept.append(entry)
        audit_record_many(
            actor=member.user,
            action="view",
            object_type="court_team_staffing",
            changes={"hearing": hearing.pk},
            records=[(e.client.organisation_id, e.client.pk, e.participant.pk) for e in kept],
        )
    return TeamReport(
        hearing=hearing,
        previous=previous,
        entries=kept,
        withheld=len(entries) - len(kept),
        rows=[(e, shared_lines(e)) for e in kept],
    )
