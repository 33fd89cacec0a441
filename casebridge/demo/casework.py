"""What a client's case holds beyond the day-to-day records, for `generate`: the stage history
and assignments, the biopsychosocial assessment and the measures given every few weeks after
it, Part 2 consents and what was disclosed under them, alerts, safety plans, coaching sessions,
discharge summaries and aftercare plans, and the audit trail of who viewed and changed what.

Written in bulk like the rest of the benchmark data (demo.bulk.Table), each told on the timeline
as the services tell it, at the time it happened. The audit rows join the organisation's chain
exactly as audit.services.audit_record would write them one by one (the next position, the
previous row's hash, the keyed hash over the same canonical body), so the trail still verifies.
"""

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from django.core.management.color import no_style
from django.db import connection
from django.utils import timezone

from casebridge.access.models import BreakGlassGrant
from casebridge.accounts.models import Organisation, Program, Role, User
from casebridge.alerts.models import (
    Alert,
    AlertKind,
    AlertState,
    Channel,
    Notification,
    NotificationPreference,
    Priority,
)
from casebridge.alerts.rules import CONCERN_NEEDS_ACTION, ENDED_BECAUSE, RULES
from casebridge.assessments.biopsychosocial import (
    ASAM_DIMENSIONS,
    LEVEL_NAMES,
    NEED_DOMAINS,
    suggest_level,
)
from casebridge.assessments.definitions import Instrument, instrument
from casebridge.assessments.models import Addendum, Assessment, InstrumentResponse
from casebridge.assessments.scoring import AnswersInvalid, score
from casebridge.audit.canonical import canonical_json, storable
from casebridge.audit.keys import current_key
from casebridge.audit.models import (
    LEGACY_CHAIN,
    AuditAction,
    AuditChainHead,
    AuditEvent,
    HashScheme,
    chain_of,
)
from casebridge.audit.services import GENESIS
from casebridge.clients.extensions import timeline_kind
from casebridge.clients.models import (
    AssignmentChange,
    AssignmentRole,
    Client,
    StageChange,
    TimelineEntry,
)
from casebridge.clients.stages import ORDER, Stage
from casebridge.consents.models import (
    Consent,
    Disclosure,
    DisclosureMethod,
    ExpiryKind,
    InformationCategory,
    Purpose,
    RecipientKind,
    SignatureMethod,
)
from casebridge.demo.bulk import Table
from casebridge.discharge.models import AftercarePlan, DischargeSummary
from casebridge.monitoring.models import CoachingSession
from casebridge.monitoring.models.contacts import CoachingKind, CoachingTopic
from casebridge.monitoring.models.recovery import CoachSharing
from casebridge.safety.models import (
    CRISIS_LINE_988,
    AfterHoursContact,
    OnCallOpening,
    OnCallShift,
    SafetyPlan,
    SafetyPlanSignature,
    SignerRole,
)
from casebridge.safety.models import SignatureMethod as SafetySignature

Tell = Callable[..., None]  # generate's Tables.tell: a timeline entry at the time it happened

# Days a move from each stage to the next takes: (fewest, most). Registration is at least 241
# days ago, so even the slowest case has reached its stage by now.
STAGE_DAYS: dict[str, tuple[int, int]] = {
    "engagement": (3, 10),
    "assessment": (7, 21),
    "planning": (3, 10),
    "implementation": (30, 60),
    "monitoring": (30, 60),
    "review": (14, 60),
}
SECONDARY_SHARE = 0.15  # clients with a secondary case manager
COACHED_SHARE = 0.20  # clients with a peer or sober coach
CONSENTED_SHARE = 0.85  # clients past engagement with consents
SAFETY_PLAN_SHARE = 0.10
# Measures and how often they are given, in days: (instrument, every, jitter). The PHQ-9 and
# GAD-7 monthly as the programs' schedules ask, the BAM monthly, the BARC-10 every other month.
MEASURES: tuple[tuple[str, int, int], ...] = (
    ("phq9", 28, 7),
    ("gad7", 28, 7),
    ("bam", 30, 5),
    ("barc10", 60, 14),
)
MEASURED_DAYS = 120  # the last four months of measures, after the one at intake
# At intake, once: the AUDIT-C for alcohol, the DAST-10 for other drugs.
INTAKE_MEASURE = {"alcohol": "auditc"}
MOOD = ("phq9", "gad7")
VIEWS_PER_CLIENT = (6, 24)
BREAK_GLASS_SHARE = 0.01  # clients whose record someone outside the case opened in an emergency  # record views by staff, over the months of the case
STAFF_NETWORK = "10.20"  # staff machines' addresses, as the audit trail records them


@dataclass
class CaseClient:
    """What the case records of one generated client are made from."""

    pk: int
    program_id: int
    stage: str
    registered_at: datetime
    name: str
    primary: int
    secondary: int | None
    coach: int | None
    substance: str
    collaterals: list[tuple[int, str]] = field(default_factory=list)  # (id, name)


@dataclass(frozen=True)
class Staff:
    """The synthetic staff the records name, and how the trail names them."""

    registrar: int
    managers: list[int]
    coaches: list[int]
    names: dict[int, str]  # id -> display name
    usernames: dict[int, str]


def _day(moment: datetime) -> date:
    return timezone.localtime(moment).date()


def _house_date(day: date) -> str:
    return f"{day:%b} {day.day}, {day.year}"


class AuditTrail:
    """Audit events collected for a batch of clients, then written at the end of the
    organisation's chain, its head locked for the batch's transaction. Each lot written is in
    time order; a later lot may go back in time, as the chain's order is the order of writing
    (a trail imported from another system looks the same)."""

    def __init__(self, organisation_id: int, now: datetime, usernames: dict[int, str]) -> None:
        self.organisation_id = organisation_id
        self.now = now
        self.usernames = usernames
        self.chain = chain_of(organisation_id)
        self.key = current_key()
        self.events: list[tuple[datetime, int, str, int, str, str, dict[str, Any]]] = []
        self.head: AuditChainHead | None = None
        self.table: Table | None = None
        self.last_id: int | None = None
        self.written = 0

    def add(
        self,
        at: datetime,
        actor: int,
        action: str,
        client_id: int,
        object_type: str,
        object_id: object,
        changes: dict[str, Any] | None = None,
    ) -> None:
        if at <= self.now:
            self.events.append(
                (at, actor, action, client_id, object_type, str(object_id), changes or {})
            )

    def begin(self) -> None:
        """Lock the chain's head for this transaction (made on the chain's first event, from
        where the rows written before keyed hashing end, as audit_record starts a chain)."""
        head = AuditChainHead.objects.select_for_update().filter(chain=self.chain).first()
        if head is None:
            legacy = AuditChainHead.objects.filter(chain=LEGACY_CHAIN)
            start = legacy.values_list("last_hash", flat=True).first() or GENESIS
            head = AuditChainHead.objects.create(chain=self.chain, last_hash=start)
        self.head = head
        self.table = Table(AuditEvent, self.now)

    def write(self) -> None:
        """Chain the events collected so far, oldest first, and add them to the table.

        The hash is the audit key's over audit.services.keyed_body: canonical JSON of the list
        of columns, which is the canonical JSON of each column joined (canonical.canonical_json
        of a list); the columns that repeat (who, which client, the action) are encoded once."""
        assert self.head is not None and self.table is not None
        head, key, table = self.head, self.key, self.table
        encoded: dict[object, str] = {}

        def canonical(value: Any) -> str:
            found = encoded.get(value)
            if found is None:
                found = encoded[value] = canonical_json(value)
            return found

        start = ",".join(
            canonical_json(part)
            for part in (HashScheme.HMAC_SHA256_V1.value, key.key_id, self.chain)
        )
        organisation = canonical_json(self.organisation_id)
        self.events.sort(key=lambda event: event[0])
        for at, actor, action, client_id, object_type, object_id, changes in self.events:
            seq = head.last_seq + 1
            changes = storable(changes)
            username = self.usernames.get(actor, "")
            address = f"{STAFF_NETWORK}.{actor // 250 % 250}.{actor % 250 + 1}"
            body = ",".join(
                (
                    start,
                    canonical_json(seq),
                    canonical_json(head.last_hash),
                    canonical_json(at.astimezone(UTC).isoformat(timespec="microseconds")),
                    organisation,
                    canonical(actor),
                    canonical(username),
                    canonical(action),
                    canonical(client_id),
                    canonical(object_type),
                    canonical(object_id),
                    canonical_json(changes) if changes else "{}",
                    canonical(address),
                )
            )
            digest = key.sign_event(f"[{body}]".encode())
            self.last_id = table.add(
                at=at,
                actor_id=actor,
                actor_username=username,
                organisation_id=self.organisation_id,
                action=action,
                client_id=client_id,
                object_type=object_type,
                object_id=object_id,
                changes=changes,
                remote_addr=address,
                chain=self.chain,
                seq=seq,
                scheme=HashScheme.HMAC_SHA256_V1,
                key_id=key.key_id,
                prev_hash=head.last_hash,
                hash=digest,
            )
            head.last_seq, head.last_hash = seq, digest
        table.flush()
        self.written += len(self.events)
        self.events = []

    def finish(self) -> None:
        """Write what is left and move the head to the newest event."""
        assert self.head is not None and self.table is not None
        self.write()
        if self.last_id is not None:
            AuditChainHead.objects.filter(pk=self.head.pk).update(
                last_hash=self.head.last_hash,
                last_seq=self.head.last_seq,
                last_event_id=self.last_id,
            )
        self.head = self.table = None


class Casework:
    """The case records of one batch of clients (see the module's docstring)."""

    def __init__(
        self,
        *,
        rng: random.Random,
        now: datetime,
        tell: Tell,
        staff: Staff,
        audit: AuditTrail,
    ) -> None:
        self.rng = rng
        self.now = now
        self.today = _day(now)
        self.tell = tell
        self.staff = staff
        self.audit = audit
        self.stage_changes = Table(StageChange, now)
        self.assignments = Table(AssignmentChange, now)
        self.assessments = Table(Assessment, now)
        self.addenda = Table(Addendum, now)
        self.responses = Table(InstrumentResponse, now)
        self.consents = Table(Consent, now)
        self.disclosures = Table(Disclosure, now)
        self.alerts = Table(Alert, now)
        self.notifications = Table(Notification, now)
        self.safety_plans = Table(SafetyPlan, now)
        self.signatures = Table(SafetyPlanSignature, now)
        self.coaching = Table(CoachingSession, now)
        self.sharing = Table(CoachSharing, now)
        self.summaries = Table(DischargeSummary, now)
        self.aftercare = Table(AftercarePlan, now)
        self.break_glass = Table(BreakGlassGrant, now)
        self.all = [
            self.stage_changes,
            self.assignments,
            self.assessments,
            self.addenda,
            self.responses,
            self.consents,
            self.disclosures,
            self.alerts,
            self.notifications,
            self.safety_plans,
            self.signatures,
            self.coaching,
            self.sharing,
            self.summaries,
            self.aftercare,
            self.break_glass,
        ]
        self.definitions = {code: instrument(code) for code in ("auditc", "dast10", "bam")}
        self.definitions |= {code: instrument(code) for code, _, _ in MEASURES}
        self.alert_keys: set[tuple[int, str, str]] = set()

    @property
    def rows(self) -> int:
        return sum(len(table.rows) for table in self.all)

    def flush(self) -> None:
        for table in self.all:
            table.flush()
        self.audit.write()

    def models(self) -> list[Any]:
        return [table.model for table in self.all]

    # One client

    def add(self, client: CaseClient) -> None:
        moved = self._stages(client)
        self._assignments(client)
        conclusion = moved.get("conclusion")
        assessed = moved.get("planning")
        if "assessment" in moved:
            self._assessments(client, moved["assessment"], assessed, conclusion)
        if assessed is not None:
            self._measures(client, assessed, conclusion or self.now)
        if "assessment" in moved and self.rng.random() < CONSENTED_SHARE:
            self._consents(client, moved["assessment"], conclusion)
        if self.rng.random() < SAFETY_PLAN_SHARE:
            self._safety_plans(client)
        if client.coach is not None:
            self._coaching(client, conclusion or self.now)
        if conclusion is not None:
            self._discharge(client, conclusion)
        if self.rng.random() < 0.02:
            self._concern(client)
        self._views(client, conclusion or self.now)

    def _stages(self, client: CaseClient) -> dict[str, datetime]:
        """A history row and a timeline entry for each move from registration to the client's
        stage. Returns when the client reached each stage."""
        rng = self.rng
        at = client.registered_at
        moved = {"engagement": at}
        self.stage_changes.add(
            client_id=client.pk,
            from_stage="",
            to_stage="engagement",
            reason="Registered",
            moved_by_id=self.staff.registrar,
            moved_at=at,
        )
        self.audit.add(at, self.staff.registrar, AuditAction.CREATE, client.pk, "client", client.pk)
        stage = "engagement"
        for following in ORDER[1 : ORDER.index(client.stage) + 1]:
            low, high = STAGE_DAYS[stage]
            at = at + timedelta(days=rng.randint(low, high), hours=rng.randint(0, 6))
            at = min(at, self.now - timedelta(hours=1))
            self.stage_changes.add(
                client_id=client.pk,
                from_stage=stage,
                to_stage=following,
                reason="Ready for the next step." if following != "conclusion" else "Completed.",
                moved_by_id=client.primary,
                moved_at=at,
            )
            self.tell(client.pk, "stage", at, f"Moved to {Stage(following).label}", client.primary)
            self.audit.add(
                at,
                client.primary,
                AuditAction.UPDATE,
                client.pk,
                "client",
                client.pk,
                {"stage": [stage, following]},
            )
            moved[following] = at
            stage = following
        return moved

    def _assignments(self, client: CaseClient) -> None:
        rng = self.rng
        given = [(AssignmentRole.PRIMARY, client.primary, client.registered_at)]
        for role, user in (
            (AssignmentRole.SECONDARY, client.secondary),
            (AssignmentRole.COACH, client.coach),
        ):
            if user is not None:
                at = client.registered_at + timedelta(days=rng.randint(2, 60))
                given.append((role, user, min(at, self.now - timedelta(hours=2))))
        for role, user, at in given:
            self.assignments.add(
                client_id=client.pk,
                role=role,
                to_user_id=user,
                reason="" if role == AssignmentRole.PRIMARY else "Shares the caseload.",
                changed_by_id=self.staff.registrar,
                changed_at=at,
            )
            label = AssignmentRole(role).label
            self.tell(
                client.pk,
                "assignment",
                at,
                f"{label}: now {self.staff.names.get(user, 'nobody')}",
                self.staff.registrar,
            )
            self.audit.add(
                at,
                self.staff.registrar,
                AuditAction.UPDATE,
                client.pk,
                "client",
                client.pk,
                {str(role): [None, user]},
            )

    # Assessment and measures

    def _assessments(
        self,
        client: CaseClient,
        started: datetime,
        signed: datetime | None,
        conclusion: datetime | None,
    ) -> None:
        """The first assessment, a draft while the client is in assessment and signed when they
        moved on; half the clients in review or beyond were reassessed since."""
        rng = self.rng
        first = self._assessment(client, started, signed, previous=None)
        if signed is None or client.stage not in {"review", "conclusion"} or rng.random() < 0.5:
            return
        again = signed + timedelta(days=rng.randint(60, 120))
        if again >= (conclusion or self.now) - timedelta(days=2):
            return
        self._assessment(client, again, again + timedelta(days=rng.randint(1, 5)), first)

    def _assessment(
        self,
        client: CaseClient,
        started: datetime,
        signed: datetime | None,
        previous: tuple[int, datetime] | None,
    ) -> tuple[int, datetime]:
        rng = self.rng
        ratings = {
            dimension: rng.choices((0, 1, 2, 3, 4), (15, 35, 30, 15, 5))[0]
            for dimension, _ in ASAM_DIMENSIONS
        }
        suggested, _ = suggest_level(ratings)
        chosen, reason = suggested, ""
        if rng.random() < 0.1:
            chosen = rng.choice([level for level in LEVEL_NAMES if level != suggested])
            reason = "The client's circumstances call for a different level."
        signed = min(signed, self.now) if signed is not None else None
        carried: dict[str, Any] = {"from": "registration", "unconfirmed": []}
        if previous is not None:
            carried = {
                "from": "assessment",
                "assessment_id": previous[0],
                "signed_on": _day(previous[1]).isoformat(),
                "unconfirmed": [],
            }
        row: dict[str, Any] = {
            "client_id": client.pk,
            "sections": {
                "medical": {"conditions": "None reported.", "doctor": "Eastside Health Center"},
                "family": {"household": rng.choice(["Alone", "Partner", "Parents", "Shelter"])},
            },
            "substances": [
                {
                    "substance": client.substance,
                    "age_first_use": rng.randint(12, 30),
                    "pattern": "daily" if rng.random() < 0.6 else "weekly",
                    "route": rng.choice(["oral", "smoked", "injected", "snorted"]),
                    "last_use": "",
                    "overdoses": rng.choice([0, 0, 0, 1, 2]),
                    "withdrawal": "",
                    "prior_treatment": "",
                }
            ],
            "needs": {
                domain: {"severity": rng.choices((0, 1, 2, 3), (40, 30, 20, 10))[0], "reason": ""}
                for domain, _ in NEED_DOMAINS
            },
            "asam": {str(d): {"rating": r, "rationale": ""} for d, r in ratings.items()},
            "carried_over": carried,
            "suggested_level": suggested,
            "chosen_level": chosen if signed else "",
            "level_override_reason": reason if signed else "",
            "created_by_id": client.primary,
            "created_at": started,
            "updated_at": signed or started,
        }
        if signed is not None:
            row |= {
                "status": "signed",
                "signed_by_id": client.primary,
                "signed_at": signed,
                "version": 3,
            }
        pk = self.assessments.add(**row)
        self.tell(client.pk, "assessment", started, "Assessment started", client.primary)
        self.audit.add(started, client.primary, AuditAction.CREATE, client.pk, "assessment", pk)
        if signed is None:
            return pk, started
        level = f"level {chosen} ({LEVEL_NAMES.get(chosen, '')})"
        self.tell(
            client.pk,
            "assessment",
            signed,
            f"Assessment signed: {level}",
            client.primary,
            detail=reason,
        )
        self.audit.add(
            signed,
            client.primary,
            AuditAction.UPDATE,
            client.pk,
            "assessment",
            pk,
            {"status": ["draft", "signed"], "version": [2, 3]},
        )
        if rng.random() < 0.05:
            written_at = min(self.now, signed + timedelta(days=rng.randint(1, 30)))
            self.addenda.add(
                assessment_id=pk,
                text="The client remembered an earlier treatment episode (2019, outpatient).",
                written_by_id=client.primary,
                written_at=written_at,
            )
        return pk, signed

    def _measures(self, client: CaseClient, since: datetime, until: datetime) -> None:
        """The intake screen once, then each of MEASURES on its schedule while the case is
        open: scores that mostly improve (a few clients get worse), answered item by item."""
        rng = self.rng
        # How unwell, 0 to 1, and how it moves at each measure.
        level = rng.uniform(0.2, 0.7)
        drift = rng.uniform(-0.06, -0.01) if rng.random() < 0.85 else rng.uniform(0.01, 0.05)
        intake = INTAKE_MEASURE.get(client.substance, "dast10")
        given: list[tuple[datetime, str]] = [(since, intake)]
        # The schedule over the last MEASURED_DAYS of the case, as the other records are.
        first = max(since, until - timedelta(days=MEASURED_DAYS))
        for code, every, jitter in MEASURES:
            at = first + timedelta(days=rng.randint(0, 3), hours=1)
            while at < until:
                given.append((at, code))
                at += timedelta(days=every + rng.randint(-jitter, jitter))
        given.sort()
        previous: dict[str, int] = {}
        start = since
        for at, code in given:
            weeks = (at - start).days / 28
            severity = min(1.0, max(0.0, level + drift * weeks + rng.uniform(-0.1, 0.1)))
            if code == "bam":
                # The BAM's risk items run high only with heavy use (its cut-off is 12 of 24).
                severity *= 0.7
            self._response(client, code, at, severity, previous)

    def _response(
        self,
        client: CaseClient,
        code: str,
        at: datetime,
        severity: float,
        previous: dict[str, int],
    ) -> None:
        rng = self.rng
        definition = self.definitions[code]
        result = score(definition, *self._answers(definition, severity))
        band = result.band.label if result.band else ""
        by_client = rng.random() < 0.3
        pk = self.responses.add(
            client_id=client.pk,
            instrument=definition.code,
            version=definition.version,
            answers=result.answers,
            context={question.id: question.options[0][0] for question in definition.context},
            scores=result.scores,
            primary_score=result.primary,
            band=band,
            positive=result.positive,
            safety_concern=bool(result.safety_messages),
            completed_by_client=by_client,
            administered_by_id=client.primary,
            administered_at=at,
        )
        if result.primary is not None:
            summary = f"{definition.name}: {result.primary}" + (f" ({band})" if band else "")
        elif band:
            summary = f"{definition.name}: {band}"
        else:
            summary = f"{definition.name}: " + ", ".join(
                f"{name} {value}" for name, value in result.scores.items()
            )
        self.tell(client.pk, "measure", at, summary, client.primary)
        self.audit.add(
            at,
            client.primary,
            AuditAction.CREATE,
            client.pk,
            "instrument_response",
            pk,
            {"instrument": [None, definition.code], "scores": [None, result.scores]},
        )
        on = _day(at)
        before = previous.get(code)
        if result.primary is not None:
            previous[code] = result.primary
        worse = result.primary - before if result.primary is not None and before is not None else 0
        if code in MOOD and worse >= 5:
            name = definition.name
            self._alert(
                client,
                AlertKind.MOOD_WORSE,
                f"response-{pk}",
                f"{name} {result.primary}, up {worse} from {before}",
                on,
                [f"{name} on {_house_date(on)}: {result.primary}."],
                at,
                window=30,
            )
        risk = result.scores.get("risk") if code == "bam" else None
        if risk is not None and risk >= 12:
            self._alert(
                client,
                AlertKind.BAM_RISK,
                f"response-{pk}",
                f"Recovery check-up (BAM) risk score {risk} of 24",
                on,
                [f"BAM on {_house_date(on)}: risk factors {risk} (the program's cut-off is 12)."],
                at,
                window=30,
            )

    def _answers(
        self, definition: Instrument, severity: float
    ) -> tuple[dict[str, int], dict[str, str]]:
        """Answers around `severity` (0 well, 1 unwell), asked as the skip logic asks them;
        safety questions answered no (a yes is a same-day safety response, not a statistic)."""
        rng = self.rng
        wellness = definition.higher_is_better
        safety_items = {str(rule["item"]) for rule in definition.safety}
        answers: dict[str, int] = {}
        for item in definition.items:
            if not item.is_asked(answers):
                continue
            values = sorted(item.values)
            if item.id in safety_items:
                answers[item.id] = values[0]
                continue
            # Points grow with severity; reversed items and measures where higher is better
            # (recovery capital) the other way.
            towards = severity if not wellness else 1 - severity
            if item.reverse:
                towards = 1 - towards
            index = round(towards * (len(values) - 1) + rng.uniform(-1, 1))
            answers[item.id] = values[min(len(values) - 1, max(0, index))]
        for item_id, other, _ in definition.consistency:
            if item_id in answers and other in answers:
                answers[item_id] = min(answers[item_id], answers[other])
        context = {question.id: question.options[0][0] for question in definition.context}
        try:
            score(definition, answers, context)
        except AnswersInvalid:
            # Skip logic the answers above changed: ask again with the lowest answers.
            answers = {}
            for item in definition.items:
                if item.is_asked(answers):
                    answers[item.id] = min(item.values)
        return answers, context

    # Consents

    def _consents(self, client: CaseClient, signed: datetime, conclusion: datetime | None) -> None:
        """A single consent for treatment, payment and operations for most, and consents to
        named recipients: probation, the court, family on the record, an employer. Some were
        revoked, some end on a date that has passed, a few are drafts; a quarter of those in
        effect were used to share something."""
        rng = self.rng
        wanted: list[tuple[str, str, str, int | None]] = []  # (kind, name, purpose, collateral)
        if rng.random() < 0.7:
            wanted.append((RecipientKind.TPO, "", Purpose.TREATMENT, None))
        if rng.random() < 0.4:
            wanted.append(
                (RecipientKind.NAMED, "County Probation Department", Purpose.PROBATION, None)
            )
        if rng.random() < 0.25:
            wanted.append(
                (RecipientKind.NAMED, "Montgomery County Treatment Court", Purpose.COURT, None)
            )
        if client.collaterals and rng.random() < 0.5:
            person, name = rng.choice(client.collaterals)
            wanted.append((RecipientKind.COLLATERAL, name, Purpose.FAMILY, person))
        if rng.random() < 0.1:
            wanted.append((RecipientKind.NAMED, "Second Chance Staffing", Purpose.EMPLOYMENT, None))
        for kind, name, purpose, collateral in wanted:
            at = min(self.now, signed + timedelta(days=rng.randint(0, 30), hours=rng.randint(0, 4)))
            self._consent(client, kind, name, purpose, collateral, at, conclusion)

    def _consent(
        self,
        client: CaseClient,
        kind: str,
        name: str,
        purpose: str,
        collateral: int | None,
        at: datetime,
        conclusion: datetime | None,
    ) -> None:
        rng = self.rng
        on = _day(at)
        tpo = kind == RecipientKind.TPO
        categories = (
            [InformationCategory.ALL_SUD]
            if tpo
            else sorted(
                rng.sample(
                    [
                        InformationCategory.ATTENDANCE,
                        InformationCategory.DRUG_SCREENS,
                        InformationCategory.PROGRESS,
                        InformationCategory.PLAN,
                    ],
                    k=rng.randint(1, 3),
                )
            )
        )
        row: dict[str, Any] = {
            "client_id": client.pk,
            "patient_name": client.name,
            "disclosing_party": "Synthetic Benchmark Agency",
            "categories": categories,
            "recipient_kind": kind,
            "recipient_collateral_id": collateral,
            "recipient_name": name,
            "purpose": purpose,
            "right_to_revoke_explained": True,
            "created_by_id": client.primary,
            "created_at": at,
        }
        if rng.random() < 0.05:  # started, never signed
            pk = self.consents.add(**row)
            self.tell(client.pk, "consent", at, "Consent started (draft)", client.primary)
            self.audit.add(at, client.primary, AuditAction.CREATE, client.pk, "consent", pk)
            return
        if tpo:
            row |= {"expiry_kind": ExpiryKind.NONE}
        elif rng.random() < 0.3:
            row |= {"expiry_kind": ExpiryKind.EVENT, "expiry_event": "End of treatment"}
            if conclusion is not None:
                row["expiry_event_happened_on"] = _day(conclusion)
        else:
            row |= {
                "expiry_kind": ExpiryKind.DATE,
                "expires_on": on + timedelta(days=rng.choice([90, 180, 365])),
            }
        row |= {
            "status": "active",
            "signature_method": rng.choice([SignatureMethod.DRAWN, SignatureMethod.UPLOADED]),
            "signed_by": client.name,
            "signed_on": on,
            "version": 2,
        }
        revoked = rng.random() < 0.08
        if revoked:
            revoked_on = on + timedelta(days=rng.randint(7, 120))
            if revoked_on < self.today:
                row |= {
                    "status": "revoked",
                    "revoked_on": revoked_on,
                    "revocation_method": rng.choice(["in person", "phone", "writing"]),
                    "revocation_note": "The client no longer wants this shared.",
                    "revoked_by_id": client.primary,
                    "version": 3,
                }
            else:
                revoked = False
        pk = self.consents.add(**row)
        label = "treatment, payment and operations" if tpo else name
        self.tell(
            client.pk,
            "consent",
            at,
            f"Consent signed: share with {label}",
            client.primary,
            detail=Purpose(purpose).label,
        )
        self.audit.add(at, client.primary, AuditAction.CREATE, client.pk, "consent", pk)
        if revoked:
            when = timezone.make_aware(datetime.combine(row["revoked_on"], datetime.min.time()))
            when += timedelta(hours=11)
            self.tell(client.pk, "consent", when, f"Consent revoked: {label}", client.primary)
            self.audit.add(
                when,
                client.primary,
                AuditAction.UPDATE,
                client.pk,
                "consent",
                pk,
                {"status": ["active", "revoked"]},
            )
            return
        ends = row.get("expires_on")
        if ends is not None and self.today <= ends <= self.today + timedelta(days=30):
            self._alert(
                client,
                AlertKind.CONSENT_ENDING,
                f"consent-{pk}-{ends.isoformat()}",
                f"Consent to share with {label} ends {_house_date(ends)}",
                ends,
                [f"Signed {_house_date(on)}; ends {_house_date(ends)}."],
                self.now - timedelta(hours=rng.randint(1, 48)),
            )
        if tpo or rng.random() >= 0.25:
            return
        for _ in range(rng.randint(1, 3)):
            shared_at = at + timedelta(days=rng.randint(7, 150), hours=rng.randint(0, 6))
            if shared_at >= self.now or (ends is not None and _day(shared_at) > ends):
                continue
            disclosure = self.disclosures.add(
                client_id=client.pk,
                consent_id=pk,
                recipient=name,
                recipient_collateral_id=collateral,
                categories=categories[:1],
                purpose=purpose,
                description="Attendance and progress since the last report.",
                method=rng.choice(
                    [DisclosureMethod.EMAILED, DisclosureMethod.FAXED, DisclosureMethod.PHONE]
                ),
                disclosed_at=shared_at,
                disclosed_by_id=client.primary,
            )
            self.tell(
                client.pk,
                "disclosure",
                shared_at,
                f"Information shared with {name}",
                client.primary,
                detail="Attendance and progress since the last report.",
            )
            self.audit.add(
                shared_at, client.primary, AuditAction.CREATE, client.pk, "disclosure", disclosure
            )

    # Alerts

    def _alert(
        self,
        client: CaseClient,
        kind: str,
        key: str,
        title: str,
        fact_on: date,
        facts: list[str],
        opened_at: datetime,
        *,
        window: int | None = None,
        ended: datetime | None = None,
        needs_action: str = "",
        raised_by: int | None = None,
    ) -> None:
        """An alert as the sweep opens it; then worked on. One that ended by itself (its facts
        stopped being true) is resolved automatically then; otherwise a recent one is open,
        seen or snoozed, and one older than its rule looks back was resolved by a person."""
        rng = self.rng
        if (client.pk, kind, key) in self.alert_keys or opened_at > self.now:
            return
        self.alert_keys.add((client.pk, kind, key))
        concern = kind == AlertKind.CONCERN
        rule = RULES.get(kind)
        row: dict[str, Any] = {
            "client_id": client.pk,
            "kind": kind,
            "key": key[:60],
            "priority": rule.priority if rule else Priority.HIGH,
            "title": title[:200],
            "facts": facts,
            "fact_on": fact_on,
            "act_url_name": rule.act_url_name if rule else "client_overview",
            "needs_action": needs_action or (rule.needs_action if rule else CONCERN_NEEDS_ACTION),
            "opened_at": opened_at,
            "raised_by_id": raised_by if concern else None,
        }
        old = window is not None and fact_on < self.today - timedelta(days=window)
        if ended is not None and ended <= self.now:
            row |= {
                "state": AlertState.RESOLVED,
                "resolved_at": ended,
                "resolved_automatically": True,
                "resolution_note": ENDED_BECAUSE[kind],
                "version": 2,
            }
        elif old or client.stage == "conclusion":
            row |= {
                "state": AlertState.RESOLVED,
                "resolved_at": min(self.now, opened_at + timedelta(days=rng.randint(0, 5))),
                "resolved_by_id": client.primary,
                "resolution_note": "Talked it through with the client.",
                "version": 2,
            }
        else:
            state = rng.choices(
                (AlertState.OPEN, AlertState.ACKNOWLEDGED, AlertState.SNOOZED), (60, 30, 10)
            )[0]
            row["state"] = state
            if state == AlertState.ACKNOWLEDGED:
                row |= {
                    "acknowledged_by_id": client.primary,
                    "acknowledged_at": min(
                        self.now, opened_at + timedelta(hours=rng.randint(1, 30))
                    ),
                    "version": 2,
                }
            elif state == AlertState.SNOOZED:
                row |= {
                    "snoozed_until": self.today + timedelta(days=rng.randint(1, 7)),
                    "version": 2,
                }
        pk = self.alerts.add(**row)
        if row["priority"] <= Priority.HIGH:
            sent = opened_at + timedelta(minutes=rng.randint(1, 20))
            self.notifications.add(
                alert_id=pk,
                user_id=client.primary,
                channel=Channel.EMAIL,
                created_at=opened_at,
                send_after=opened_at,
                delivery_key=f"alerts-{client.primary}-{opened_at:%Y%m%d%H%M}"
                if sent < self.now
                else "",
                sent_at=sent if sent < self.now else None,
            )

    def screen_found(
        self, client: CaseClient, screen_id: int, day: date, outcome: str, at: datetime
    ) -> None:
        """A drug screen that was positive, refused or missed (monitoring's screens)."""
        words = {"positive": "unexpected positive", "refused": "refused", "missed": "missed"}
        self._alert(
            client,
            AlertKind.SCREEN,
            f"screen-{screen_id}",
            f"Drug screen on {_house_date(day)}: {words[outcome]}",
            day,
            [f"Drug screen of {_house_date(day)} recorded as {words[outcome]}."],
            at,
            window=30,
        )

    def missed_appointment(
        self,
        client: CaseClient,
        appointment_id: int,
        label: str,
        court: bool,
        day: date,
        at: datetime,
        followed_up_at: datetime | None,
        clinical: bool,
    ) -> None:
        kind = AlertKind.MISSED_COURT if court else AlertKind.MISSED_APPOINTMENT
        self._alert(
            client,
            kind,
            f"appointment-{appointment_id}",
            f"Missed: {label} on {_house_date(day)}",
            day,
            [f"Recorded as missed; nobody has followed it up yet ({_house_date(day)})."],
            at,
            window=30 if court else 14,
            ended=followed_up_at,
            needs_action="read_clinical" if clinical else "",
        )

    def reported_use(self, client: CaseClient, check_in_id: int, at: datetime) -> None:
        day = _day(at)
        self._alert(
            client,
            AlertKind.REPORTED_USE,
            f"check-in-{check_in_id}",
            f"Said they used, at the check-in on {_house_date(day)}",
            day,
            [f"Check-in of {_house_date(day)}: use since the last check-in."],
            at + timedelta(minutes=5),
            window=14,
        )

    def _concern(self, client: CaseClient) -> None:
        rng = self.rng
        by = client.secondary or client.coach or client.primary
        at = self.now - timedelta(days=rng.randint(0, 40), hours=rng.randint(1, 8))
        if at <= client.registered_at:
            return
        name = self.staff.names.get(by, "staff")
        self._alert(
            client,
            AlertKind.CONCERN,
            f"concern-{at:%Y%m%d%H%M%S%f}-{by}",
            f"Concern from {name}",
            _day(at),
            ["Missed two groups and was not answering the phone."],
            at,
            window=14,
            raised_by=by,
        )

    # Safety plans, coaching, discharge

    def _safety_plans(self, client: CaseClient) -> None:
        """Version 1 drafted with the client and signed by both; a quarter were redone since
        (the earlier version replaced); a few have a new draft under way."""
        rng = self.rng
        at = client.registered_at + timedelta(days=rng.randint(3, 90))
        versions = 2 if rng.random() < 0.25 else 1
        previous: int | None = None
        staff = self.staff.names.get(client.primary, "Case manager")
        for sequence in range(1, versions + 1):
            if at >= self.now - timedelta(days=1):
                return
            activated = at + timedelta(days=rng.randint(0, 2), hours=1)
            replaced = None
            if sequence < versions:
                replaced = activated + timedelta(days=rng.randint(30, 120))
                if replaced >= self.now:
                    replaced, versions = None, sequence
            pk = self.safety_plans.add(
                client_id=client.pk,
                sequence=sequence,
                status="replaced" if replaced else "active",
                previous_id=previous,
                warning_signs="Not sleeping\nSkipping meetings\nPayday",
                coping_steps="Go for a walk\nCall my sponsor\nShower and music",
                distractions="Coffee shop on Third St\nMy sister's house",
                help_contacts="Sister Maria 937-555-0142\nSponsor Dave 937-555-0177",
                professionals=f"{CRISIS_LINE_988}\n{staff} 937-555-0100",
                safe_environment="Medicines kept by my sister\nNo alcohol at home",
                reasons_for_living="My daughter\nGetting my licence back",
                created_by_id=client.primary,
                created_at=at,
                locked_at=activated - timedelta(minutes=30),
                activated_at=activated,
                replaced_at=replaced,
                version=2,
            )
            for role, method, name in (
                (SignerRole.CLIENT, SafetySignature.ON_SCREEN, client.name),
                (SignerRole.STAFF, SafetySignature.SIGNED_IN, staff),
            ):
                self.signatures.add(
                    plan_id=pk,
                    role=role,
                    method=method,
                    name=name,
                    recorded_by_id=client.primary,
                    signed_at=activated - timedelta(minutes=30 if role == "client" else 0),
                )
            self.tell(
                client.pk,
                "safety_plan",
                at,
                f"Safety plan version {sequence} drafted",
                client.primary,
            )
            self.tell(
                client.pk,
                "safety_plan",
                activated,
                f"Safety plan version {sequence} is in effect",
                client.primary,
            )
            self.audit.add(at, client.primary, AuditAction.CREATE, client.pk, "safety_plan", pk)
            previous = pk
            at = replaced or at
            if replaced:
                at = replaced - timedelta(days=1)
        if previous is not None and rng.random() < 0.1:
            at = self.now - timedelta(days=rng.randint(1, 10))
            if at > client.registered_at:
                pk = self.safety_plans.add(
                    client_id=client.pk,
                    sequence=versions + 1,
                    status="draft",
                    previous_id=previous,
                    warning_signs="Not sleeping\nSkipping meetings",
                    created_by_id=client.primary,
                    created_at=at,
                )
                self.tell(
                    client.pk,
                    "safety_plan",
                    at,
                    f"Safety plan version {versions + 1} drafted",
                    client.primary,
                )

    def _coaching(self, client: CaseClient, until: datetime) -> None:
        """A session most weeks since the coach was given, recorded by the coach; half the
        coached clients agreed to share their screens with them."""
        rng = self.rng
        assert client.coach is not None
        start = client.registered_at + timedelta(days=rng.randint(2, 60))
        day = _day(start)
        end = _day(min(until, self.now))
        topics = list(CoachingTopic.values)
        count = 0
        while day < end and count < 30:
            if rng.random() < 0.75:
                kind = rng.choices(list(CoachingKind.values), (40, 30, 5, 20, 5))[0]
                minutes = rng.choice((15, 30, 45, 60, 90))
                chosen = sorted(rng.sample(topics, k=rng.randint(1, 3)))
                recorded_at = timezone.make_aware(datetime.combine(day, datetime.min.time()))
                recorded_at += timedelta(hours=rng.randint(12, 20))
                recorded_at = min(recorded_at, self.now)
                pk = self.coaching.add(
                    client_id=client.pk,
                    session_on=day,
                    kind=kind,
                    duration_minutes=minutes,
                    topics=chosen,
                    next_step=rng.choice(
                        ["", "Go to the Tuesday meeting together.", "Call Friday."]
                    ),
                    recorded_by_id=client.coach,
                    recorded_at=recorded_at,
                )
                labels = ", ".join(CoachingTopic(t).label.lower() for t in chosen)
                self.tell(
                    client.pk,
                    "coaching",
                    recorded_at,
                    f"Coaching session on {_house_date(day)}: {CoachingKind(kind).label}, "
                    f"{minutes} minutes; {labels}",
                    client.coach,
                )
                self.audit.add(
                    recorded_at, client.coach, AuditAction.CREATE, client.pk, "coaching_session", pk
                )
                count += 1
            day += timedelta(days=rng.randint(5, 10))
        if rng.random() < 0.5:
            self.sharing.add(
                client_id=client.pk,
                screens=True,
                medications=rng.random() < 0.5,
                agreed_on=_day(start),
                recorded_by_id=client.primary,
                recorded_at=start,
            )

    def _discharge(self, client: CaseClient, concluded: datetime) -> None:
        """For most concluded clients an aftercare plan and a discharge summary signed as final
        a few days after the discharge day (a few still drafts)."""
        rng = self.rng
        on = _day(concluded)
        staff = self.staff.names.get(client.primary, "Case manager")
        if rng.random() < 0.6:
            written = concluded - timedelta(days=rng.randint(0, 3))
            self.aftercare.add(
                client_id=client.pk,
                starts_on=on,
                outpatient="Bridge IOP, Tuesdays and Thursdays 6 pm",
                mutual_help="Tuesday Big Book, St. Mark's hall",
                recovery_housing=rng.choice(["", "Hope House, 937-555-0190"]),
                coach="Weekly with the peer coach" if client.coach else "",
                relapse_prevention="Call the sponsor before payday\nNo bars after work",
                created_by_id=client.primary,
                created_at=written,
                updated_at=written,
            )
            self.tell(client.pk, "aftercare", written, "Aftercare plan written", client.primary)
        chance = rng.random()
        if chance >= 0.8:
            return
        drafted = min(self.now, concluded + timedelta(hours=rng.randint(1, 48)))
        final = chance < 0.7
        finalised = min(self.now, drafted + timedelta(days=rng.randint(1, 5)))
        facts: dict[str, Any] = {
            "episodes": [],
            "referrals": [],
            "goals": [],
            "instruments": [],
            "medications": [],
            "aftercare": None,
        }
        pk = self.summaries.add(
            client_id=client.pk,
            status="final" if final else "draft",
            discharged_on=on,
            recommendations="Keep going to meetings; aftercare as planned.",
            facts=facts if final else {},
            created_by_id=client.primary,
            created_at=drafted,
            finalised_at=finalised if final else None,
            finalised_by_id=client.primary if final else None,
            signed_name=staff if final else "",
            version=2 if final else 1,
        )
        self.tell(client.pk, "discharge", drafted, "Discharge summary drafted", client.primary)
        self.audit.add(
            drafted, client.primary, AuditAction.CREATE, client.pk, "discharge_summary", pk
        )
        if final:
            self.tell(
                client.pk,
                "discharge",
                finalised,
                f"Discharge summary signed as final by {staff}",
                client.primary,
            )

    # The trail

    def _views(self, client: CaseClient, until: datetime) -> None:
        """Staff opening the record: the case managers most, the coach now and then, and a
        print or an export of it once in a while."""
        rng = self.rng
        readers = [client.primary] * 6
        if client.secondary is not None:
            readers += [client.secondary] * 2
        if client.coach is not None:
            readers.append(client.coach)
        span = max(1, int((min(until, self.now) - client.registered_at).total_seconds()))
        for _ in range(rng.randint(*VIEWS_PER_CLIENT)):
            at = client.registered_at + timedelta(seconds=rng.randrange(span))
            reader = rng.choice(readers)
            opened_to = rng.choices(("", "read_clinical", "record_contact"), (70, 20, 10))[0]
            self.audit.add(
                at,
                reader,
                AuditAction.VIEW,
                client.pk,
                "client",
                client.pk,
                {"opened_to": opened_to} if opened_to else {},
            )
        if rng.random() < 0.1:
            at = client.registered_at + timedelta(seconds=rng.randrange(span))
            self.audit.add(
                at, client.primary, AuditAction.PRINT, client.pk, "care_plan", "", {"pages": 3}
            )
        if rng.random() < BREAK_GLASS_SHARE and len(self.staff.managers) > 1:
            # Someone outside the case, in an emergency, for the few minutes it allows.
            reader = rng.choice(self.staff.managers)
            if reader in (client.primary, client.secondary):
                return
            at = client.registered_at + timedelta(seconds=rng.randrange(span))
            reason = "The client is at the emergency department and their worker is away."
            expires = at + timedelta(minutes=60)
            grant = self.break_glass.add(
                user_id=reader,
                client_id=client.pk,
                reason=reason,
                granted_at=at,
                expires_at=expires,
            )
            self.audit.add(
                at,
                reader,
                AuditAction.BREAK_GLASS,
                client.pk,
                "break_glass_grant",
                grant,
                {"reason": reason, "expires_at": expires.isoformat()},
            )
            self.audit.add(
                at + timedelta(minutes=2), reader, AuditAction.VIEW, client.pk, "client", client.pk
            )


def sequences_reset(models: list[Any]) -> None:
    """Move each id sequence past the ids given here (PostgreSQL; SQLite does it itself)."""
    statements = connection.ops.sequence_reset_sql(no_style(), models)
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


# Staff, their teams and the on-call rota


def staff_add(
    *, organisation: Organisation, programs: list[Program], clients: int, bench: User
) -> Staff:
    """Peer or sober coaches (one for every 250 clients, three at least) and a supervisor for
    each program, besides the case managers generate makes; nobody signs in as them."""
    wanted = [
        (f"synthetic-coach-{index:04d}", "Coach", f"{index}", Role.COACH, None)
        for index in range(max(3, clients // 250))
    ] + [
        (f"synthetic-sup-{program.pk}", "Supervisor", program.name, Role.SUPERVISOR, program)
        for program in programs
    ]
    have = set(
        User.objects.filter(username__in=[name for name, *_ in wanted]).values_list(
            "username", flat=True
        )
    )
    made = User.objects.bulk_create(
        [
            User(
                username=username,
                first_name="Synthetic",
                last_name=f"{title} {last}",
                organisation=organisation,
                role=role,
                password="!",  # unusable
            )
            for username, title, last, role, _ in wanted
            if username not in have
        ]
    )
    supervisor_of = {username: program for username, _, _, _, program in wanted if program}
    through = User.programs.through
    through.objects.bulk_create(
        [
            through(user_id=user.pk, program_id=supervisor_of[user.username].pk)
            for user in made
            if user.username in supervisor_of
        ],
        ignore_conflicts=True,
    )
    # How each hears of alerts: email for high ones (the default), a few by text as well, some
    # with quiet hours.
    NotificationPreference.objects.bulk_create(
        [
            NotificationPreference(
                user=user,
                sms_from=Priority.URGENT if index % 5 == 0 else None,
                sms_number="9375550100" if index % 5 == 0 else "",
                quiet_from=time(21) if index % 3 == 0 else None,
                quiet_until=time(7) if index % 3 == 0 else None,
            )
            for index, user in enumerate(made)
        ],
        ignore_conflicts=True,
    )
    names: dict[int, str] = {}
    usernames: dict[int, str] = {}
    coaches = []
    managers = []
    for pk, username, first, last in User.objects.filter(organisation=organisation).values_list(
        "pk", "username", "first_name", "last_name"
    ):
        names[pk] = f"{first} {last}".strip() or username
        usernames[pk] = username
        if username.startswith("synthetic-coach-"):
            coaches.append(pk)
        elif username.startswith("synthetic-cm-"):
            managers.append(pk)
    return Staff(
        registrar=bench.pk,
        managers=managers,
        coaches=sorted(coaches),
        names=names,
        usernames=usernames,
    )


def teams_join(organisation: Organisation) -> int:
    """Each synthetic case manager and coach works in the programs of the clients they have:
    the teams a supervisor's views page through."""
    clients = Client.objects.filter(organisation=organisation).order_by()
    pairs: set[tuple[int, int]] = set()
    for column in ("primary_case_manager_id", "secondary_case_manager_id", "coach_id"):
        pairs |= set(clients.exclude(**{column: None}).values_list(column, "program_id").distinct())
    through = User.programs.through
    through.objects.bulk_create(
        [through(user_id=user, program_id=program) for user, program in sorted(pairs)],
        ignore_conflicts=True,
    )
    return len(pairs)


ROTA_WEEKS = 26  # weeks of on-call shifts behind each program, and two ahead


def rota_generate(
    *,
    organisation: Organisation,
    programs: list[Program],
    trail: AuditTrail,
    rng: random.Random,
    now: datetime,
) -> int:
    """A weekly on-call shift in each program (Monday evening to the next Monday morning) for
    the last ROTA_WEEKS weeks and the next two, taken in turn by the program's supervisor and
    case managers; a few after-hours calls each week about the program's clients, and the
    on-call worker opening the safety plan for some. Programs with a rota keep theirs. Returns
    how many shifts."""
    shifts = Table(OnCallShift, now)
    contacts = Table(AfterHoursContact, now)
    openings = Table(OnCallOpening, now)
    timeline = Table(TimelineEntry, now)
    trail.begin()
    zone = timezone.get_current_timezone()
    today = now.astimezone(zone).date()
    monday = today - timedelta(days=today.weekday())
    names = dict(User.objects.filter(organisation=organisation).values_list("pk", "first_name"))
    made = 0
    for program in programs:
        if OnCallShift.objects.filter(program=program).exists():
            continue
        workers = list(
            User.objects.filter(
                programs=program, role__in=[Role.CASE_MANAGER, Role.SUPERVISOR]
            ).values_list("pk", flat=True)[:8]
        )
        clients = list(
            Client.objects.filter(program=program, organisation=organisation)
            .exclude(stage="conclusion")
            .values_list("pk", flat=True)[:2000]
        )
        if not workers:
            continue
        supervisor = workers[0]
        for week in range(-ROTA_WEEKS, 3):
            starts = datetime.combine(monday + timedelta(weeks=week), time(17), tzinfo=zone)
            ends = starts + timedelta(days=7, hours=-8)
            worker = workers[(week + ROTA_WEEKS) % len(workers)]
            shift = shifts.add(
                program_id=program.pk,
                user_id=worker,
                starts_at=starts,
                ends_at=ends,
                handover_note="Quiet week." if rng.random() < 0.5 else "",
                created_by_id=supervisor,
                created_at=starts - timedelta(days=14),
            )
            made += 1
            if ends > now or not clients:
                continue
            for _ in range(rng.randint(0, 3)):
                at = starts + timedelta(hours=rng.randint(1, 150))
                client = rng.choice(clients)
                follow_up = rng.random() < 0.4
                contact = contacts.add(
                    program_id=program.pk,
                    taken_by_id=worker,
                    at=at,
                    caller=rng.choice(["the client", "their mother", "the house manager"]),
                    client_id=client,
                    what_happened="Called with strong cravings after an argument at home.",
                    what_was_done="Talked through the safety plan; agreed to call the sponsor.",
                    follow_up_needed=follow_up,
                    recorded_at=at + timedelta(minutes=20),
                )
                who = names.get(worker, "On call")
                timeline.add(
                    client_id=client,
                    at=at + timedelta(minutes=20),
                    kind="after_hours",
                    needs_action=timeline_kind("after_hours").needs_action,
                    summary=f"After-hours contact taken by Synthetic {who}"[:300]
                    + (": follow-up needed" if follow_up else ""),
                    actor_id=worker,
                )
                trail.add(
                    at + timedelta(minutes=20),
                    worker,
                    AuditAction.CREATE,
                    client,
                    "after_hours_contact",
                    contact,
                    {"program": [None, program.pk], "follow_up_needed": [None, follow_up]},
                )
                if rng.random() < 0.5:
                    opening = openings.add(
                        client_id=client, shift_id=shift, opened_by_id=worker, opened_at=at
                    )
                    trail.add(
                        at,
                        worker,
                        AuditAction.ON_CALL_READ,
                        client,
                        "on_call_opening",
                        opening,
                        {"shift": shift, "program": program.pk},
                    )
    for table in (shifts, contacts, openings, timeline):
        table.flush()
    trail.finish()
    sequences_reset([OnCallShift, AfterHoursContact, OnCallOpening, TimelineEntry, AuditEvent])
    return made
