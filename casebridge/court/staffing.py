"""The staffing report: what the court team reads before a status hearing, for each participant
on the docket, built from the record since the court's previous hearing: treatment and meeting
attendance, every drug test and what it found, missed obligations (appointments, call-ins, drawn
days without a test), phase progress, the incentives and sanctions given at the previous
hearing, and the case manager's recommendation.

A person sees the participants whose records they may read with clinical content (the access
policy); the others are counted, never named. The report leaves the program only as a PDF, and
only with the categories of information each participant's consents let the program share with
the court for court purposes: every participant in it is recorded as a disclosure, under the
consent that covers it, and the redisclosure notice (42 CFR 2.32) goes with it. A participant no
consent covers is left out of the PDF, and the page says so.

Reading the report costs the same few queries however long the docket is."""

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from casebridge.access.policy import Action
from casebridge.accounts.models import User
from casebridge.audit.services import audit_record_many
from casebridge.clients.models import Client
from casebridge.consents.gate import DisclosureRequest, Recipient, decide
from casebridge.consents.models import Consent, ConsentStatus, InformationCategory, Purpose
from casebridge.consents.notices import REDISCLOSURE_NOTICE
from casebridge.consents.services import DisclosureRefused, disclosure_record
from casebridge.court.models import (
    CourtResponse,
    Hearing,
    Obligation,
    ObligationKind,
    Participant,
    ParticipantStatus,
    StaffingNote,
)
from casebridge.court.progress import (
    Criterion,
    Ratio,
    days_without_use,
    phase_criteria,
    proposed,
    ratios,
    record_facts,
)
from casebridge.monitoring.appointment_statuses import AppointmentStatus
from casebridge.monitoring.models.appointments import Appointment, AppointmentKind
from casebridge.monitoring.models.recovery import DrugScreen, MeetingAttendance, ScreenStatus
from casebridge.monitoring.services.screens import findings
from casebridge.pdfdoc import MUTED, Document

CRIMINAL_JUSTICE_NOTICE = (
    "Where a participant consented as a condition of their referral to the court (42 CFR 2.35), "
    "the court team may use and share this information only to carry out their official duties "
    "regarding the participant's conditional release or the proceeding the consent was given for."
)
# The report's parts, each the category of information a consent must cover to share it.
SHARED_PARTS = (
    (InformationCategory.PROGRESS, "Phase progress, responses and recommendation"),
    (InformationCategory.ATTENDANCE, "Treatment and meetings"),
    (InformationCategory.DRUG_SCREENS, "Drug tests"),
)


@dataclass
class Entry:
    """One participant on the docket."""

    participant: Participant
    since: date
    until: date
    days_in_phase: int
    days_without_use: int
    criteria: list[Criterion]
    ratio: Ratio
    tests: list[tuple[date, str]] = field(default_factory=list)
    skipped_tests: int = 0
    meetings: int = 0
    kept: int = 0
    missed: list[tuple[date, str]] = field(default_factory=list)
    responses: list[CourtResponse] = field(default_factory=list)
    # Call-ins missed, and drawn days with no test at all (the day's check found them).
    missed_obligations: list[tuple[date, str]] = field(default_factory=list)
    note: StaffingNote | None = None
    shared: frozenset[str] = frozenset()
    # For each shared part, the consent that covers it (shared_categories).
    covering: dict[str, int] = field(default_factory=dict)

    @property
    def client(self) -> Client:
        return self.participant.client

    @property
    def proposed(self) -> bool:
        return proposed(self.criteria)


@dataclass
class Staffing:
    hearing: Hearing
    previous: Hearing | None
    entries: list[Entry]
    others: int  # participants on the docket whose records this person does not hold


def previous_hearing(hearing: Hearing) -> Hearing | None:
    return (
        Hearing.objects.filter(
            court_program_id=hearing.court_program_id, held_on__lt=hearing.held_on
        )
        .order_by("-held_on", "-id")
        .first()
    )


def _start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def staffing(user: User, hearing: Hearing, today: date | None = None) -> Staffing:
    """The hearing's staffing report as `user` may read it (about a dozen queries), the read
    audited for each participant shown."""
    today = today or timezone.localdate()
    previous = previous_hearing(hearing)
    until = min(hearing.held_on, today)
    docket = list(
        Participant.objects.filter(
            court_program_id=hearing.court_program_id,
            status=ParticipantStatus.ACTIVE,
            entered_on__lte=hearing.held_on,
        )
        .select_related("client", "phase", "court_program")
        .order_by("docket_number", "pk")
    )
    readable = set(
        Client.objects.restrict(user, Action.READ_CLINICAL)
        .filter(pk__in=[p.client_id for p in docket])
        .values_list("pk", flat=True)
    )
    shown = [p for p in docket if p.client_id in readable]
    entries = docket_entries(shown, hearing, previous, until, today)
    audit_record_many(
        actor=user,
        action="view",
        object_type="court_staffing",
        changes={"hearing": hearing.pk},
        records=[(e.client.organisation_id, e.client.pk, e.participant.pk) for e in entries],
    )
    return Staffing(hearing, previous, entries, len(docket) - len(shown))


def docket_entries(
    participants: Sequence[Participant],
    hearing: Hearing,
    previous: Hearing | None,
    until: date,
    today: date,
) -> list[Entry]:
    if not participants:
        return []
    facts = record_facts(participants, today)
    ratio_of = ratios(p.pk for p in participants)
    entries: dict[int, Entry] = {}
    for p in participants:
        since = (
            max(previous.held_on + timedelta(days=1), p.entered_on) if previous else p.entered_on
        )
        entries[p.client_id] = Entry(
            participant=p,
            since=since,
            until=until,
            days_in_phase=(today - p.phase_started_on).days,
            days_without_use=days_without_use(p, today, facts[p.pk]),
            criteria=phase_criteria(p, today, facts[p.pk]),
            ratio=ratio_of.get(p.pk, Ratio(0, 0)),
        )
    client_ids = list(entries)
    earliest = min(e.since for e in entries.values())

    def within(client_id: int, day: date) -> Entry | None:
        entry = entries.get(client_id)
        return entry if entry is not None and entry.since <= day <= entry.until else None

    screens = (
        DrugScreen.objects.filter(
            client_id__in=client_ids, collected_on__gte=earliest, collected_on__lte=until
        )
        .prefetch_related("results")
        .order_by("collected_on", "id")
    )
    for screen in screens:
        entry = within(screen.client_id, screen.collected_on)
        if entry is None:
            continue
        entry.tests.append((screen.collected_on, findings(screen, list(screen.results.all()))))
        if screen.status in (ScreenStatus.MISSED, ScreenStatus.REFUSED):
            entry.skipped_tests += 1
    for client_id, day in MeetingAttendance.objects.filter(
        client_id__in=client_ids, attended_on__gte=earliest, attended_on__lte=until
    ).values_list("client_id", "attended_on"):
        entry = within(client_id, day)
        if entry is not None:
            entry.meetings += 1
    kinds = dict(AppointmentKind.choices)
    for client_id, starts_at, status, kind in (
        Appointment.objects.filter(
            client_id__in=client_ids,
            starts_at__gte=_start(earliest),
            starts_at__lt=_start(until + timedelta(days=1)),
            status__in=[AppointmentStatus.ATTENDED, AppointmentStatus.MISSED],
        )
        .order_by("starts_at")
        .values_list("client_id", "starts_at", "status", "kind")
    ):
        entry = within(client_id, timezone.localdate(starts_at))
        if entry is None:
            continue
        if status == AppointmentStatus.ATTENDED:
            entry.kept += 1
        else:
            entry.missed.append((timezone.localdate(starts_at), str(kinds.get(kind, kind))))
    by_participant = {e.participant.pk: e for e in entries.values()}
    kinds_said = dict(ObligationKind.choices)
    for participant_id, on, kind in (
        Obligation.objects.filter(
            participant_id__in=list(by_participant), kept=False, day__gte=earliest, day__lte=until
        )
        .order_by("day", "kind")
        .values_list("participant_id", "day", "kind")
    ):
        entry = by_participant[participant_id]
        if entry.since <= on <= entry.until:
            entry.missed_obligations.append((on, str(kinds_said[kind])))
    last_given = previous.held_on if previous else date.min
    for response in (
        CourtResponse.objects.filter(
            participant_id__in=list(by_participant),
            hearing__held_on__gte=last_given,
            hearing__held_on__lt=hearing.held_on,
        )
        .select_related("hearing", "behaviour")
        .order_by("hearing__held_on", "id")
    ):
        by_participant[response.participant_id].responses.append(response)
    for note in StaffingNote.objects.filter(
        hearing=hearing, participant_id__in=list(by_participant)
    ).select_related("written_by"):
        by_participant[note.participant_id].note = note
    return [by_participant[p.pk] for p in participants]


# What may leave the program


def court_recipient(participant: Participant) -> Recipient:
    """The court, as a consent names it: the judge on the client's contacts, or the court by
    the name the court program gives it."""
    return Recipient(name=participant.court_program.court_name, collateral_id=participant.judge_id)


def shared_categories(
    entries: Iterable[Entry],
    on: date,
    recipient_of: Callable[[Participant], Recipient] = court_recipient,
) -> None:
    """Fill in, for each entry, which of the report's parts a consent lets the program share
    with the court (or the team member `recipient_of` names) for court purposes (one query)."""
    entries = list(entries)
    consents: dict[int, list[Consent]] = {}
    for consent in (
        Consent.objects.filter(client_id__in=[e.client.pk for e in entries])
        .exclude(status=ConsentStatus.DRAFT)
        .order_by("-signed_on", "-id")
    ):
        consents.setdefault(consent.client_id, []).append(consent)
    for entry in entries:
        recipient = recipient_of(entry.participant)
        entry.covering = {}
        for category, _ in SHARED_PARTS:
            decision = decide(
                consents.get(entry.client.pk, []),
                DisclosureRequest(recipient, frozenset({str(category)}), Purpose.COURT, on),
            )
            if decision.allowed and decision.consent is not None:
                entry.covering[str(category)] = decision.consent.pk
        entry.shared = frozenset(entry.covering)


@dataclass
class Released:
    pdf: bytes
    included: int
    left_out: list[Entry]


# What went out already: (client id, categories, the words as they went).
Sent = set[tuple[int, tuple[str, ...], str]]


def disclose(
    entry: Entry,
    recipient: Recipient,
    *,
    by: User,
    description: str,
    method: str,
    already: Sent | None = None,
) -> None:
    """Record the entry's shared parts as disclosures: one for each consent that covers some of
    them (two consents may each cover a part). A part already recorded in these very words
    (`already`) is not recorded again; one whose words changed since is. A part whose consent
    was revoked at this very moment is taken out of `entry.shared`. Runs inside the caller's
    transaction."""
    groups: dict[int, set[str]] = {}
    for category in entry.shared:
        groups.setdefault(entry.covering[category], set()).add(category)
    refused: set[str] = set()
    for categories in groups.values():
        body = entry_text(entry, categories)
        if already is not None and (entry.client.pk, tuple(sorted(categories)), body) in already:
            continue
        try:
            disclosure_record(
                client=entry.client,
                by=by,
                recipient=recipient,
                categories=categories,
                purpose=Purpose.COURT,
                description=description,
                method=method,
                body=body,
            )
        except DisclosureRefused:
            refused |= categories
    entry.shared = entry.shared - refused


def release(report: Staffing, *, by: User, method: str, today: date | None = None) -> Released:
    """The PDF of the docket for the court team: each participant with only what their consents
    let the program share, each recorded as a disclosure. All or nothing: the disclosures are
    kept only when the PDF is made."""
    today = today or timezone.localdate()
    shared_categories(report.entries, today)
    included: list[Entry] = []
    left_out: list[Entry] = []
    title = f"Staffing report: hearing of {_day(report.hearing.held_on)}"
    with transaction.atomic():
        for entry in report.entries:
            if not entry.shared:
                left_out.append(entry)
                continue
            disclose(
                entry,
                court_recipient(entry.participant),
                by=by,
                description=f"{title}, {entry.participant.court_program.name}",
                method=method,
            )
            if not entry.shared:  # a consent revoked at this very moment
                left_out.append(entry)
                continue
            included.append(entry)
        pdf = _pdf(report, included, title, today)
    return Released(pdf, len(included), left_out)


def _day(day: date) -> str:
    return f"{day:%b} {day.day}, {day:%Y}"


def shared_lines(
    entry: Entry, categories: Iterable[str] | None = None
) -> list[tuple[str, str, list[str]]]:
    """The entry's shared parts (or those of them in `categories`) as (category, heading,
    lines)."""
    wanted = entry.shared if categories is None else entry.shared & set(categories)
    parts = []
    period = f"{_day(entry.since)} to {_day(entry.until)}"
    for category, heading in SHARED_PARTS:
        if category not in wanted:
            continue
        lines: list[str] = []
        if category == InformationCategory.PROGRESS:
            lines.append(f"Day {entry.days_in_phase} of the phase.")
            if entry.proposed:
                lines.append("The record meets this phase's criteria: proposed for moving up.")
            for c in entry.criteria:
                state = "met" if c.met else "not yet" if c.met is False else "the team confirms"
                lines.append(
                    f"{c.label}: {state}" + (f" ({c.detail})" if c.met is not None else "")
                )
            given = "; ".join(
                f"{r.get_kind_display()} for {r.behaviour.name.lower()}: {r.description}"
                for r in entry.responses
            )
            lines.append(f"At the last hearing: {given or 'no incentive or sanction'}.")
            lines.append(f"Incentives to sanctions so far: {entry.ratio}.")
            lines.append(
                "Case manager's recommendation: "
                + (entry.note.recommendation if entry.note else "none written.")
            )
        elif category == InformationCategory.ATTENDANCE:
            lines.append(f"{period}: {entry.kept} appointments kept, {len(entry.missed)} missed.")
            lines += [f"Missed: {kind}, {_day(day)}" for day, kind in entry.missed]
            lines.append(f"Mutual-help meetings: {entry.meetings}.")
        else:
            lines.append(f"Days without use: {entry.days_without_use}.")
            lines.append(
                f"{period}: {len(entry.tests)} tests, {entry.skipped_tests} missed or refused."
            )
            lines += [f"{_day(day)}: {what}" for day, what in entry.tests]
            lines += [f"Missed: {what}, {_day(day)}" for day, what in entry.missed_obligations]
        parts.append((str(category), heading, lines))
    return parts


def entry_text(entry: Entry, categories: Iterable[str] | None = None) -> str:
    """What went out about this participant, as text, kept with the disclosure."""
    text = [f"Docket {entry.participant.docket_number}"]
    for _, heading, lines in shared_lines(entry, categories):
        text.append(heading)
        text += [f"  {line}" for line in lines]
    return "\n".join(text)


def _pdf(report: Staffing, entries: list[Entry], title: str, today: date) -> bytes:
    court = report.hearing.court_program
    pdf = Document(
        title=title,
        author=court.organisation.name,
        lang="en",
        footer=f"{court.name} · {title} · Confidential: 42 CFR Part 2 · Page {{page}} of {{pages}}",
    )
    pdf.heading(title, 17)
    pdf.paragraph(
        f"{court.name}, {court.court_name}. Prepared on {_day(today)} by "
        f"{court.organisation.name}. {len(entries)} participant"
        f"{'s' if len(entries) != 1 else ''}.",
        10,
        MUTED,
    )
    pdf.ln(2)
    pdf.heading("Notice to the recipient (42 CFR 2.32)", 11)
    pdf.paragraph(REDISCLOSURE_NOTICE["en"], 9)
    labels = dict(InformationCategory.choices)
    for entry in entries:
        pdf.add_page()
        client = entry.client
        pdf.heading(f"{client.display_name}: docket {entry.participant.docket_number}", 14)
        pdf.fact("Phase", f"{entry.participant.phase.number} ({entry.participant.phase.name})")
        pdf.fact("Entered", _day(entry.participant.entered_on))
        pdf.fact("Since the last hearing", f"{_day(entry.since)} to {_day(entry.until)}")
        for _, heading, lines in shared_lines(entry):
            pdf.ln(2)
            pdf.heading(heading, 12)
            for line in lines:
                pdf.paragraph(line)
                pdf.ln(0.6)
        withheld = [
            str(labels[str(category)]).lower()
            for category, _ in SHARED_PARTS
            if category not in entry.shared
        ]
        if withheld:
            pdf.ln(2)
            pdf.paragraph(
                "Not shared, as no consent covers it: " + ", ".join(withheld) + ".", 9.5, MUTED
            )
    pdf.ln(4)
    pdf.heading("Notice to the recipient (42 CFR 2.32)", 11)
    pdf.paragraph(REDISCLOSURE_NOTICE["en"], 9)
    pdf.ln(2)
    pdf.paragraph(CRIMINAL_JUSTICE_NOTICE, 9)
    return pdf.finished()
