"""The referral packet: what the provider receives with a referral, as a PDF for staff and as the
page the provider's link shows.

It holds the referral itself (provider, service, how soon, why, the need and goal it serves, who
referred and how to reach them; the need and the goal only where the assessment or the care plan
was consented to), who the client is (name, date of birth, pronouns, language: what the provider
needs to know whom the referral is for, and nothing to reach the client by, since the provider
reaches the case manager), then only the information the disclosure recorded when the referral
was sent covered, and the redisclosure notice 42 CFR 2.32 requires on every disclosure.

What went out is what the disclosure records: the record as it was on the day of sending, kept
on the referral (`Referral.packet`), so a later look by the provider discloses nothing newer.
When the consent behind that disclosure has been revoked or has ended, there is no packet:
giving it again would be a disclosure the client no longer agrees to.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.utils import timezone

from casebridge.assessments.biopsychosocial import (
    ASAM_DIMENSIONS,
    LEVEL_NAMES,
    NEED_DOMAINS,
    NEED_SEVERITY,
)
from casebridge.assessments.definitions import definition_of
from casebridge.assessments.models import Assessment, AssessmentStatus, InstrumentResponse
from casebridge.clients.models import Client, StageChange
from casebridge.clients.stages import Stage
from casebridge.consents.gate import state_on
from casebridge.consents.models import InformationCategory
from casebridge.consents.notices import REDISCLOSURE_NOTICE
from casebridge.monitoring.appointment_statuses import AppointmentStatus
from casebridge.monitoring.models.appointments import Appointment, AppointmentKind
from casebridge.monitoring.models.recovery import DrugScreen, Medication, MeetingAttendance
from casebridge.monitoring.services.screens import findings
from casebridge.pdfdoc import INK, MUTED, Document
from casebridge.plans.models import CarePlan, PlanReview
from casebridge.plans.statuses import PlanStatus
from casebridge.referrals.models import Referral
from casebridge.referrals.statuses import ReferralStatus

# How far back attendance and drug screens go, and how many entries a list holds at most: a
# provider deciding on a referral needs the recent picture, not the whole record.
LOOK_BACK_DAYS = 90
MOST = 30

NEED_LABELS = dict(NEED_DOMAINS)
SEVERITY_LABELS = dict(NEED_SEVERITY)

CATEGORY_LABELS = dict(InformationCategory.choices)


class PacketWithheld(Exception):
    """There is no packet to give for this referral; the message says why, in plain words."""


@dataclass(frozen=True)
class Section:
    """One category of information the client consented to share, as recorded today."""

    category: str
    heading: str
    lines: list[str]
    empty: str  # what the section says when nothing of the kind is recorded


@dataclass(frozen=True)
class Packet:
    referral_id: int
    agency: str
    title: str
    prepared_on: date
    referral_facts: list[tuple[str, str]]
    client_facts: list[tuple[str, str]]
    sections: list[Section] = field(default_factory=list)
    notice: str = REDISCLOSURE_NOTICE["en"]

    @property
    def categories(self) -> list[str]:
        return [section.category for section in self.sections]


def packet_refusal(referral: Referral) -> str:
    """Why no packet can be given for this referral, or "" when one can."""
    if referral.status == ReferralStatus.DRAFT:
        return "This referral has not been sent, so nothing has been shared with the provider yet."
    disclosure = referral.disclosure
    if disclosure is None or disclosure.consent is None:
        return (
            "No information from the client's record was shared with this referral under a "
            "consent, so there is no packet to give. To share some, record the client's consent "
            "and make a new referral with that information."
        )
    state = state_on(disclosure.consent, timezone.localdate())
    if state != "active":
        return (
            f"The consent this referral was sent under is {state}, so its packet can no longer "
            "be given. If the client agrees again, record a new consent and make a new referral."
        )
    return ""


def _day(moment: date | datetime | None) -> str:
    if moment is None:
        return ""
    day = timezone.localdate(moment) if isinstance(moment, datetime) else moment
    return f"{day:%b} {day.day}, {day:%Y}"


def _assessment(client: Client) -> list[str]:
    lines: list[str] = []
    signed = (
        Assessment.objects.filter(client=client, status=AssessmentStatus.SIGNED)
        .order_by("-signed_at", "-id")
        .first()
    )
    if signed is not None:
        lines.append(f"Assessment signed on {_day(signed.signed_at)}.")
        level = signed.chosen_level or signed.suggested_level
        if level:
            lines.append(f"Level of care: ASAM {level} ({LEVEL_NAMES.get(level, level)}).")
        for number, name in ASAM_DIMENSIONS:
            rated = (signed.asam or {}).get(str(number)) or {}
            if isinstance(rated, dict) and rated.get("rating") is not None:
                lines.append(f"ASAM dimension {number}, {name}: {rated['rating']} of 4.")
        for domain, label in NEED_DOMAINS:
            need = (signed.needs or {}).get(domain) or {}
            severity = need.get("severity") if isinstance(need, dict) else None
            if severity:
                lines.append(f"Need, {label.lower()}: {SEVERITY_LABELS.get(severity, severity)}.")
    seen: set[str] = set()
    responses = InstrumentResponse.objects.filter(client=client).order_by("-administered_at", "-id")
    for response in responses[:200]:
        if response.instrument in seen or len(seen) >= 10:
            continue
        seen.add(response.instrument)
        found = definition_of(response.instrument, response.version)
        name = found.name if found else response.instrument
        score = "" if response.primary_score is None else f" score {response.primary_score}"
        band = f", {response.band}" if response.band else ""
        lines.append(f"{name} on {_day(response.administered_at)}:{score}{band}.")
    return lines


def _plan(client: Client) -> list[str]:
    plan = (
        CarePlan.objects.filter(client=client, status=PlanStatus.ACTIVE)
        .order_by("-activated_at", "-id")
        .first()
    )
    if plan is None:
        return []
    lines = [f"Care plan in effect since {_day(plan.activated_at or plan.created_at)}."]
    goals = plan.goals.select_related("problem").prefetch_related("objectives")
    for goal in goals.order_by("problem__position", "position", "id")[:MOST]:
        area = NEED_LABELS.get(goal.problem.need_domain, "Other")
        lines.append(
            f"Goal ({area.lower()}, by {_day(goal.target_date)}): {goal.own_words} "
            f"How everyone will know: {goal.measurable}"
        )
        for objective in goal.objectives.all():
            lines.append(f"    Step: {objective.text}")
    return lines


# "Attendance" is attendance at treatment and recovery support: not court, probation, medical or
# psychiatric appointments, which other categories (or no consent at all) cover.
ATTENDANCE_KINDS = (
    AppointmentKind.THERAPY,
    AppointmentKind.GROUP,
    AppointmentKind.MOUD,
    AppointmentKind.DRUG_TEST,
    AppointmentKind.MUTUAL_HELP,
)


def _attendance(client: Client) -> list[str]:
    since = timezone.now() - timedelta(days=LOOK_BACK_DAYS)
    lines = []
    kept = Appointment.objects.filter(
        client=client,
        kind__in=ATTENDANCE_KINDS,
        starts_at__gte=since,
        status__in=[AppointmentStatus.ATTENDED, AppointmentStatus.MISSED],
    ).order_by("-starts_at", "-id")
    for appointment in kept[:MOST]:
        lines.append(
            f"{_day(appointment.starts_at)}: {appointment.get_kind_display()}, "
            f"{appointment.get_status_display().lower()}."
        )
    meetings = MeetingAttendance.objects.filter(
        client=client, attended_on__gte=timezone.localdate() - timedelta(days=LOOK_BACK_DAYS)
    ).count()
    if meetings:
        lines.append(
            f"Mutual-help meetings attended in the last {LOOK_BACK_DAYS} days: {meetings}."
        )
    return lines


def _drug_screens(client: Client) -> list[str]:
    since = timezone.localdate() - timedelta(days=LOOK_BACK_DAYS)
    screens = (
        DrugScreen.objects.filter(client=client, collected_on__gte=since)
        .prefetch_related("results")
        .order_by("-collected_on", "-id")
    )
    return [
        f"{_day(screen.collected_on)}: {findings(screen, list(screen.results.all()))}."
        for screen in screens[:MOST]
    ]


def _diagnoses(client: Client) -> list[str]:
    # The case record keeps no diagnoses; the section says so rather than guess one.
    return []


def _progress(client: Client) -> list[str]:
    reviews = (
        PlanReview.objects.filter(plan__client=client)
        .prefetch_related("ratings__goal")
        .order_by("-reviewed_at", "-id")
    )
    lines = []
    for review in reviews[:3]:
        lines.append(
            f"Review on {_day(review.reviewed_at)} ({review.get_reason_display().lower()}): "
            f"{review.summary} Decision: {review.get_outcome_display().lower()}."
        )
        for rating in review.ratings.all():
            lines.append(f"    {rating.goal.own_words}: {rating.get_rating_display().lower()}.")
    return lines


def _discharge(client: Client) -> list[str]:
    if client.stage != Stage.CONCLUSION:
        return []
    ended = (
        StageChange.objects.filter(client=client, to_stage=Stage.CONCLUSION)
        .order_by("-moved_at", "-id")
        .first()
    )
    if ended is None:
        return []
    return [f"Case concluded on {_day(ended.moved_at)}: {ended.reason}"]


def _medications(client: Client) -> list[str]:
    # Substance use disorder records: the medications for a use disorder, not every medicine.
    current = (
        Medication.objects.filter(client=client, stopped_on__isnull=True)
        .exclude(use_disorder="")
        .order_by("-started_on", "-id")
    )
    lines = []
    for medication in current[:MOST]:
        by = f", prescribed by {medication.prescriber}" if medication.prescriber else ""
        lines.append(
            f"{medication.drug}, {medication.dose}, since {_day(medication.started_on)}{by}."
        )
    return lines


Filler = Callable[[Client], list[str]]

# Per category: its heading, what fills it, and what it says when nothing is recorded.
CONTENTS: dict[str, tuple[str, Filler, str]] = {
    InformationCategory.ASSESSMENT: (
        "Assessment results",
        _assessment,
        "No signed assessment or screening results are recorded.",
    ),
    InformationCategory.PLAN: ("Care plan", _plan, "No care plan is in effect."),
    InformationCategory.ATTENDANCE: (
        f"Attendance (last {LOOK_BACK_DAYS} days)",
        _attendance,
        f"No appointments or meetings are recorded in the last {LOOK_BACK_DAYS} days.",
    ),
    InformationCategory.DRUG_SCREENS: (
        f"Drug screen results (last {LOOK_BACK_DAYS} days)",
        _drug_screens,
        f"No drug screens are recorded in the last {LOOK_BACK_DAYS} days.",
    ),
    InformationCategory.DIAGNOSES: (
        "Diagnoses",
        _diagnoses,
        "No diagnoses are recorded in the agency's case record.",
    ),
    InformationCategory.PROGRESS: (
        "Progress summaries",
        _progress,
        "No plan reviews are recorded yet.",
    ),
    InformationCategory.DISCHARGE: (
        "Discharge summary",
        _discharge,
        "The client has not been discharged.",
    ),
}
# "All substance use disorder records" covers every category above, and the medications.
MEDICATIONS = (
    "medications",
    "Medications for a substance use disorder",
    _medications,
    "No current medications for a substance use disorder are recorded.",
)


def _sections(client: Client, categories: list[str]) -> list[Section]:
    granted = set(categories)
    everything = InformationCategory.ALL_SUD in granted
    sections = []
    for category, (heading, fill, empty) in CONTENTS.items():
        if everything or category in granted:
            sections.append(Section(str(category), heading, fill(client), empty))
    if everything:
        category, heading, fill, empty = MEDICATIONS
        sections.append(Section(category, heading, fill(client), empty))
    return sections


def _client_facts(client: Client) -> list[tuple[str, str]]:
    facts = [
        ("Name", client.legal_name),
        ("Goes by", client.preferred_name),
        ("Pronouns", client.pronouns),
        ("Date of birth", _day(client.date_of_birth)),
        ("Preferred language", client.preferred_language),
        ("Agency case number", client.case_number),
    ]
    return [(label, text) for label, text in facts if text]


def packet_snapshot(referral: Referral, categories: list[str]) -> dict[str, Any]:
    """What goes out with the referral as it is sent: who the client is and each consented
    category as the record holds it today, kept on the referral (JSON)."""
    client = referral.client
    return {
        "prepared_on": timezone.localdate().isoformat(),
        "categories": sorted(categories),
        "client_facts": [list(fact) for fact in _client_facts(client)],
        "sections": [
            [section.category, section.heading, section.lines, section.empty]
            for section in _sections(client, categories)
        ],
    }


def _from_snapshot(snapshot: dict[str, Any]) -> tuple[date, list[tuple[str, str]], list[Section]]:
    return (
        date.fromisoformat(snapshot["prepared_on"]),
        [(str(label), str(text)) for label, text in snapshot["client_facts"]],
        [
            Section(str(category), str(heading), [str(line) for line in lines], str(empty))
            for category, heading, lines, empty in snapshot["sections"]
        ],
    )


def referral_packet(referral: Referral) -> Packet:
    """The packet for a sent referral whose consent still covers it, as it was sent;
    PacketWithheld otherwise."""
    problem = packet_refusal(referral)
    if problem:
        raise PacketWithheld(problem)
    assert referral.disclosure is not None  # packet_refusal said so
    client = referral.client
    categories = set(referral.disclosure.categories)
    everything = InformationCategory.ALL_SUD in categories
    if referral.packet:
        prepared_on, client_facts, sections = _from_snapshot(referral.packet)
    else:
        # Sent before packets were kept: the consented categories as the record holds them now.
        prepared_on = timezone.localdate()
        client_facts = _client_facts(client)
        sections = _sections(client, sorted(categories))
    referrer = referral.created_by
    agency = client.organisation.name
    reach = ", ".join(bit for bit in [referrer.email] if bit) or "through the agency"
    # The need and the goal are the assessment's and the care plan's words.
    need = NEED_LABELS.get(referral.need_domain, "")
    goal = referral.goal.own_words if referral.goal else ""
    referral_facts = [
        ("Provider", referral.provider_name),
        ("Service", referral.service_name),
        ("Provider's contact", referral.provider_contact),
        ("How soon", referral.get_urgency_display()),
        ("Why the client is referred", referral.reason),
        (
            "The need it serves",
            need
            if everything or categories & {InformationCategory.ASSESSMENT, InformationCategory.PLAN}
            else "",
        ),
        (
            "The goal it serves",
            goal if everything or InformationCategory.PLAN in categories else "",
        ),
        ("Sent on", _day(referral.sent_at)),
        ("Referred by", f"{referrer.display_name}, {agency} ({client.program.name})"),
        ("How to reach them", reach),
    ]
    label = referral.service_name or referral.provider_name
    return Packet(
        referral_id=referral.pk,
        agency=agency,
        title=f"Referral to {label}",
        prepared_on=prepared_on,
        referral_facts=[(k, v) for k, v in referral_facts if v],
        client_facts=client_facts,
        sections=sections,
    )


def packet_pdf(packet: Packet) -> bytes:
    """The packet as a PDF (US Letter), in the fonts fpdf2 has built in (casebridge.pdfdoc)."""
    pdf = Document(
        title=packet.title,
        author=packet.agency,
        lang="en",
        footer=(
            f"{packet.title} · {packet.agency} · Confidential: 42 CFR Part 2 · "
            "Page {page} of {pages}"
        ),
    )

    def paragraph(text: str, size: float = 10.5, colour: tuple[int, int, int] = INK) -> None:
        # A line the packet indents (a step under a goal) starts with four spaces.
        pdf.paragraph(text.strip(), size, colour, indent=6 if text.startswith("    ") else 0)

    pdf.heading(packet.title, 18)
    paragraph(f"From {packet.agency}, prepared on {_day(packet.prepared_on)}.", 10, MUTED)
    pdf.ln(3)
    pdf.heading("The referral")
    for label, text in packet.referral_facts:
        pdf.fact(label, text)
    pdf.ln(3)
    pdf.heading("The client")
    for label, text in packet.client_facts:
        pdf.fact(label, text)
    for section in packet.sections:
        pdf.ln(3)
        pdf.heading(section.heading)
        for line in section.lines or [section.empty]:
            paragraph(line)
            pdf.ln(0.8)
    pdf.ln(4)
    pdf.heading("Notice to the recipient (42 CFR 2.32)", 11)
    paragraph(packet.notice, 9.5)
    return pdf.finished()
