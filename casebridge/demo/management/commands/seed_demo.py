"""`casebridge seed-demo`: one organisation, its programs, a login per role and ~40 synthetic
clients spread across the stages, with collaterals, flags, timelines, contact notes, check-ins and
coaching sessions. Deterministic with --seed.

Everything is recorded through the services, so the audit trail, the timeline and what the
caseload shows follow from it: a client's last contact and next contact due are worked out from
the signed contact notes, never set here. Only times are moved back afterwards (demo data only),
so the history spreads over weeks instead of happening in one second.
"""

import random
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction
from django.db.models import Max, QuerySet, Value
from django.db.models.functions import Replace
from django.utils import timezone

from casebridge.accounts.demo import DEMO_ORGANISATION, DEMO_PASSWORD, DEMO_STAFF, demo_logins
from casebridge.accounts.models import (
    CaseManagementModel,
    Organisation,
    Program,
    ProgramModelRule,
    Role,
    User,
)
from casebridge.alerts.services import sweep as alerts_sweep
from casebridge.assessments import services as assessment_services
from casebridge.assessments.biopsychosocial import ASAM_DIMENSIONS, NEED_DOMAINS, suggest_level
from casebridge.assessments.models import InstrumentResponse, InstrumentSchedule
from casebridge.clients import services, stages
from casebridge.clients.models import (
    Client,
    FlagKind,
    ReferralSource,
    Relationship,
    Substance,
    TimelineEntry,
)
from casebridge.consents import services as consent_services
from casebridge.consents.gate import Recipient
from casebridge.consents.models import (
    DisclosureMethod,
    ExpiryKind,
    Purpose,
    RecipientKind,
    SignatureMethod,
)
from casebridge.demo.coaching import coaching_generate
from casebridge.demo.court import court_demo, court_setup
from casebridge.demo.family import family_contacts_generate, family_demo
from casebridge.demo.names import (
    ATTEMPT_PARTS,
    FIRST_NAMES,
    GOALS,
    LANGUAGES,
    LAST_NAMES,
    NOTE_PARTS,
    PLAN_IDEAS,
    PREFERRED,
    PRONOUNS,
    STAGE_REASONS,
)
from casebridge.demo.recovery_capital import capital_generate
from casebridge.directory.models import Taxonomy, TaxonomyTerm
from casebridge.directory.services import directory_import
from casebridge.directory.taxonomy import load_builtin_taxonomy
from casebridge.monitoring import queries as monitoring_queries
from casebridge.monitoring import services as monitoring_services
from casebridge.monitoring.models import (
    CoachingKind,
    CoachingTopic,
    ContactNote,
    ContactNoteRules,
    ContactType,
    Sleep,
)
from casebridge.monitoring.statuses import NoteStatus
from casebridge.plans import services as plan_services
from casebridge.plans.models import CarePlan, PlanRules, PlanSignature
from casebridge.transitions import services as care_services

PROGRAMS = [
    ("Residential", CaseManagementModel.CLINICAL),
    ("Intensive outpatient", CaseManagementModel.CLINICAL),
    ("Aftercare", CaseManagementModel.STRENGTHS),
    ("Treatment court", CaseManagementModel.INTENSIVE),
]
# How each program writes contact notes: the format, and whether a supervisor co-signs them.
NOTE_RULES = {
    "Residential": ("soap", False),
    "Intensive outpatient": ("dap", False),
    "Aftercare": ("girp", False),
    "Treatment court": ("birp", True),
}
# Days between expected contacts and caseload caps per model (a program may change them).
MODEL_RULES = {
    CaseManagementModel.BROKERAGE: (30, 60),
    CaseManagementModel.CLINICAL: (14, 30),
    CaseManagementModel.STRENGTHS: (14, 30),
    CaseManagementModel.INTENSIVE: (3, 12),
}


def ensure_organisation(name: str, prefix: str) -> tuple[Organisation, list[Program]]:
    organisation, _ = Organisation.objects.get_or_create(
        name=name, defaults={"case_number_prefix": prefix}
    )
    programs = []
    for program_name, model in PROGRAMS:
        program, _ = Program.objects.get_or_create(
            organisation=organisation, name=program_name, defaults={"default_model": model}
        )
        for rule_model, (days, cap) in MODEL_RULES.items():
            ProgramModelRule.objects.get_or_create(
                program=program,
                model=rule_model,
                defaults={"contact_every_days": days, "caseload_cap": cap},
            )
        for code, days in (("phq9", 30), ("gad7", 30), ("auditc", 90), ("dast10", 90)):
            InstrumentSchedule.objects.get_or_create(
                program=program, instrument=code, defaults={"every_days": days}
            )
        # Treatment court plans are reviewed monthly and co-signed; others every 90 days.
        court = program_name == "Treatment court"
        PlanRules.objects.get_or_create(
            program=program,
            defaults={"review_every_days": 30 if court else 90, "supervisor_cosign": court},
        )
        note_format, cosign = NOTE_RULES.get(program_name, ("dap", False))
        ContactNoteRules.objects.get_or_create(
            program=program, defaults={"note_format": note_format, "supervisor_cosign": cosign}
        )
        programs.append(program)
    return organisation, programs


# The demo agency's resource directory: a dozen services around Dayton, Ohio, where the demo
# clients live, as an Open Referral HSDS file imported the way an administrator would.
DEMO_DIRECTORY = Path(__file__).resolve().parents[2] / "data" / "directory.json"
DEMO_DIRECTORY_ADMIN = "admin"
# The demo clients' ZIP codes, near the directory's services; every tenth address has none, so
# the directory shows what it says when distance cannot be worked out.
DEMO_ZIP_CODES = ["45402", "45403", "45404", "45405", "45406", "45409", "45410", "45414", "45417"]


def _town(index: int) -> str:
    if index % 10 == 9:
        return ""
    return f", Dayton, OH {DEMO_ZIP_CODES[index % len(DEMO_ZIP_CODES)]}"


# The level of care each demo program gives, the stays clients had before, and where they go.
DEMO_PROGRAM_LEVELS = {
    "Residential": "3.5",
    "Intensive outpatient": "2.1",
    "Aftercare": "aftercare",
    "Treatment court": "1",
}
DEMO_EARLIER_STAYS = [
    ("wm", "Miami Valley Withdrawal Unit"),
    ("3.7", "St. Elizabeth Recovery Unit"),
    ("3.5", "Hope House"),
]
DEMO_NEXT_PLACES = ["Bridge Outpatient Clinic", "Oakwood Recovery Residence", "Eastside Aftercare"]

PLANNED_STAGES = {"planning", "implementation", "monitoring", "review"}
# The contacts of demo notes, face to face most often, and where each happened.
CONTACTS = [ContactType.FACE_TO_FACE] * 3 + [ContactType.PHONE] * 2 + [ContactType.VISIT]
PLACES = {
    ContactType.FACE_TO_FACE: "The office",
    ContactType.VISIT: "The client's home",
    ContactType.PHONE: "By phone",
    ContactType.ATTEMPTED: "By phone",
}


class Command(BaseCommand):
    help = "Load the demo organisation, staff logins and ~40 synthetic clients."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--seed", type=int, default=2026, help="Same seed, same data.")
        parser.add_argument("--clients", type=int, default=40)
        parser.add_argument(
            "--if-empty", action="store_true", help="Do nothing if the demo organisation exists."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["if_empty"] and Organisation.objects.filter(name=DEMO_ORGANISATION).exists():
            self.stdout.write("Demo data already loaded.")
            return
        rng = random.Random(options["seed"])
        with transaction.atomic():
            organisation, programs = ensure_organisation(DEMO_ORGANISATION, "RB")
            staff = self._staff(organisation, programs)
            # The shared categories the file's services are filed under (already there, unless
            # the tables were emptied since the migration loaded them).
            load_builtin_taxonomy(Taxonomy, TaxonomyTerm)
            directory_import(
                organisation=organisation, path=DEMO_DIRECTORY, by=staff[DEMO_DIRECTORY_ADMIN]
            )
            self._clients(rng, programs, staff, options["clients"])
            # A drug court set up with its phases, colours and schedule of responses, and a few
            # of the case manager's clients taking part in it.
            court = court_setup(organisation, programs[0])
            court_demo(
                court, staff["casemanager"], staff["supervisor"], judge_account=staff["judge"]
            )
            # A family's intervention plan, days away.
            family_demo(programs[0], staff["casemanager"], staff["casemanager2"])
            # Coaching agreements for the coached clients; case managers assign coaches in the
            # first program.
            coaching_generate(
                organisation=organisation, programs=programs, rng=rng, now=timezone.now()
            )
            # Support networks, own words and contacts with the family for the clients in care.
            in_care = Client.objects.filter(
                organisation=organisation, stage__in=["implementation", "monitoring", "review"]
            )
            capital_generate(
                clients=in_care, rng=rng, now=timezone.now(), by_id=staff["casemanager"].pk
            )
            family_contacts_generate(
                client_ids=[c.pk for c in in_care],
                rng=rng,
                now=timezone.now(),
                by_id=staff["casemanager"].pk,
            )
        # What the demo's record already says needs attention, on My Day from the first page.
        found = alerts_sweep()
        self.stdout.write(self.style.SUCCESS(f"Demo data loaded for {DEMO_ORGANISATION}."))
        self.stdout.write(f"Alerts open: {found.opened}.")
        self.stdout.write(f"Logins (password for all: {DEMO_PASSWORD}):")
        for role, username in demo_logins():
            self.stdout.write(f"  {role:<32} {username}")

    def _staff(self, organisation: Organisation, programs: list[Program]) -> dict[str, Any]:
        users = {}
        for username, first, last, role in DEMO_STAFF:
            user, created = get_user_model().objects.get_or_create(
                username=username,
                defaults={
                    "first_name": first,
                    "last_name": last,
                    "email": f"{username}@riverbend.example",
                    "organisation": organisation,
                    "role": role,
                },
            )
            if created:
                user.set_password(DEMO_PASSWORD)
                user.save()
                if role not in {Role.ADMIN, Role.AUDITOR, Role.COURT_TEAM}:
                    user.programs.set(programs)
            users[username] = user
        return users

    def _clients(
        self, rng: random.Random, programs: list[Program], staff: dict[str, Any], count: int
    ) -> None:
        now = timezone.now()
        case_managers = [staff["casemanager"], staff["casemanager2"]]
        stage_weights = [5, 5, 5, 6, 10, 4, 5]
        for index in range(count):
            first = rng.choice(FIRST_NAMES)
            last = rng.choice(LAST_NAMES)
            program = programs[index % len(programs)]
            registered_days_ago = rng.randint(5, 300)
            case_manager = case_managers[index % 2] if index % 7 else staff["casemanager"]
            client = services.client_register(
                by=staff["intake"],
                confirm_new_person=True,
                program=program,
                legal_first_name=first,
                legal_last_name=last,
                preferred_name=PREFERRED.get(first, "") if rng.random() < 0.5 else "",
                pronouns=rng.choice(PRONOUNS),
                date_of_birth=(now - timedelta(days=rng.randint(19 * 365, 64 * 365))).date(),
                phone=f"555{rng.randint(2000000, 9999999)}",
                email=f"{first.lower()}.{last.lower()}{index}@example.org"
                if rng.random() < 0.6
                else "",
                address=f"{rng.randint(10, 999)} {rng.choice(['Oak', 'Maple', 'River', 'Main', 'Cedar'])} St"
                + _town(index),
                preferred_language=rng.choice(LANGUAGES),
                emergency_contact_name=f"{rng.choice(FIRST_NAMES)} {last}",
                emergency_contact_phone=f"555{rng.randint(2000000, 9999999)}",
                referral_source=rng.choice(
                    [s.value for s in ReferralSource]
                    if program.name != "Treatment court"
                    else [ReferralSource.COURT.value]
                ),
                referral_source_detail="",
                primary_substances=rng.sample(
                    [s.value for s in Substance if s != Substance.OTHER], k=rng.randint(1, 2)
                ),
                case_management_model=program.default_model,
                goals_in_own_words=rng.choice(GOALS),
            )
            client = services.client_assign(
                client=client,
                by=staff["supervisor"],
                role="primary_case_manager",
                to_user=case_manager,
                reason="Intake hand-off",
                version=client.version,
            )
            if rng.random() < 0.35:
                client = services.client_assign(
                    client=client,
                    by=staff["supervisor"],
                    role="coach",
                    to_user=staff["coach"],
                    reason="Peer support requested",
                    version=client.version,
                )
            target = rng.choices(stages.ORDER, weights=stage_weights)[0]
            for stage in stages.ORDER[1 : stages.ORDER.index(target) + 1]:
                client = services.case_move_stage(
                    client=client,
                    to_stage=stage,
                    by=case_manager,
                    reason=STAGE_REASONS[stage],
                    version=client.version,
                )
            if target == stages.Stage.MONITORING and rng.random() < 0.3:
                client = services.case_move_stage(
                    client=client,
                    to_stage=stages.Stage.ASSESSMENT,
                    by=case_manager,
                    reason="Reported use after 45 days; reassessing needs.",
                    version=client.version,
                )
            for _ in range(rng.randint(0, 3)):
                relationship = rng.choice(list(Relationship))
                collateral = services.collateral_add(
                    client=client,
                    by=case_manager,
                    name=f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
                    relationship=relationship,
                    organisation_name="County Probation"
                    if relationship == Relationship.PROBATION
                    else "",
                    phone=f"555{rng.randint(2000000, 9999999)}",
                    email="",
                    notes="",
                )
                if rng.random() < 0.6:
                    self._consent(rng, client, collateral, case_manager)
            if rng.random() < 0.2:
                services.flag_raise(
                    client=client,
                    by=case_manager,
                    kind=rng.choice(
                        [FlagKind.HIGH_RISK, FlagKind.HOUSING, FlagKind.COURT, FlagKind.SAFETY]
                    ),
                    note="Raised at intake review",
                )
            if client.stage not in {"engagement"}:
                self._measures(rng, client, case_manager, registered_days_ago)
            if client.stage in PLANNED_STAGES:
                self._plan(rng, client, case_manager, staff, registered_days_ago)
            self._backdate(client, now, registered_days_ago)
            # After the backdating, which spreads the entries so far over the case's lifetime:
            # these are dated by what they record.
            self._monitoring(rng, client, case_manager, staff, registered_days_ago)
            # Its own draws, so the clients after it come out as they always have.
            self._care_levels(random.Random(index), client, case_manager, registered_days_ago)

    def _care_levels(
        self, rng: random.Random, client: Client, by: User, registered_days_ago: int
    ) -> None:
        """Where the client has been: withdrawal management or residential care somewhere else
        first, then the program they are in now; some are moving on (a warm hand-off under
        way, or late: a gap in care), and a concluded case has left care (follow-ups due)."""
        if client.stage == stages.Stage.ENGAGEMENT or registered_days_ago < 30:
            return
        today = timezone.localdate()
        started = today - timedelta(days=registered_days_ago)
        program = Client.objects.select_related("program").get(pk=client.pk).program
        here = DEMO_PROGRAM_LEVELS.get(program.name, "1")
        first_level, first_place = rng.choice([s for s in DEMO_EARLIER_STAYS if s[0] != here])
        moved_on = started + timedelta(days=rng.randint(7, 21))
        first = care_services.episode_admit(
            client=client, by=by, level=first_level, admitted_on=started, place_name=first_place
        )
        step = care_services.transition_open(
            client=client,
            by=by,
            to_level=here,
            left_on=moved_on,
            reason="Finished the first stay; continuing at the next level.",
            to_program=program,
            episode_version=first.version,
        )
        stay = care_services.transition_admit(
            transition=step,
            by=by,
            version=step.version,
            admitted_on=moved_on + timedelta(days=rng.choice([0, 0, 1, 3])),
        )
        stayed = (today - stay.admitted_on).days
        if client.stage == stages.Stage.CONCLUSION and stayed > 40:
            care_services.episode_discharge(
                episode=stay,
                by=by,
                version=stay.version,
                discharged_on=today - timedelta(days=rng.randint(25, min(stayed - 1, 100))),
                discharge_type=rng.choice(["completed", "completed", "left_against_advice"]),
                reason="Finished the program.",
            )
        elif (
            client.stage in {stages.Stage.MONITORING, stages.Stage.REVIEW}
            and stayed > 20
            and rng.random() < 0.4
        ):
            care_services.transition_open(
                client=client,
                by=by,
                to_level=rng.choice([x for x in ("aftercare", "1", "residence") if x != here]),
                left_on=today - timedelta(days=rng.choice([1, 2, 9, 16])),
                reason="Stepping down after finishing this level.",
                discharge_type="completed",
                to_place_name=rng.choice(DEMO_NEXT_PLACES),
                episode_version=stay.version,
            )

    def _measures(self, rng: random.Random, client: Client, by: User, days_ago: int) -> None:
        """A PHQ-9 and GAD-7 every month or so, mostly improving, and one screen at intake."""
        now = timezone.now()
        visits = min(6, max(1, days_ago // 30))
        phq, gad = rng.randint(10, 20), rng.randint(8, 16)
        for visit in range(visits):
            when = now - timedelta(days=(visits - visit - 1) * 30 + rng.randint(3, 12))
            for code, level, items in (("phq9", phq, 9), ("gad7", gad, 7)):
                answers = {str(i): 0 for i in range(1, items + 1)}
                remaining = max(level, 0)
                for key in answers:
                    if code == "phq9" and key == "9":
                        continue  # the demo keeps item 9 at zero; safety flags are raised by hand
                    answers[key] = min(3, remaining)
                    remaining -= answers[key]
                response = assessment_services.instrument_record(
                    client=client, by=by, code=code, answers=answers
                )
                InstrumentResponse.objects.filter(pk=response.pk).update(administered_at=when)
            phq = max(0, phq + rng.randint(-5, 2))
            gad = max(0, gad + rng.randint(-4, 2))
        screen = assessment_services.instrument_record(
            client=client,
            by=by,
            code="dast10",
            answers={str(i): rng.choice([0, 1]) for i in range(1, 11)},
        )
        InstrumentResponse.objects.filter(pk=screen.pk).update(
            administered_at=now - timedelta(days=days_ago)
        )

    def _consent(self, rng: random.Random, client: Client, collateral: Any, by: User) -> None:
        """A signed consent to share with this collateral, and sometimes a letter under it."""
        purpose = {
            Relationship.PROBATION: Purpose.PROBATION,
            Relationship.ATTORNEY: Purpose.COURT,
            Relationship.EMPLOYER: Purpose.EMPLOYMENT,
            Relationship.PHYSICIAN: Purpose.TREATMENT,
            Relationship.THERAPIST: Purpose.TREATMENT,
            Relationship.PSYCHIATRIST: Purpose.TREATMENT,
        }.get(collateral.relationship, Purpose.FAMILY)
        today = timezone.localdate()
        consent = consent_services.consent_save(
            client=client,
            by=by,
            activate=True,
            categories=["attendance", "progress"],
            recipient_kind=RecipientKind.COLLATERAL,
            recipient_collateral=collateral,
            purpose=purpose,
            right_to_revoke_explained=True,
            expiry_kind=ExpiryKind.DATE,
            expires_on=today + timedelta(days=rng.choice([14, 25, 90, 180, 365])),
            signature_method=SignatureMethod.VERBAL,
            witness_name=by.display_name,
            signed_by=client.legal_name,
            signed_on=today - timedelta(days=rng.randint(1, 60)),
        )
        if rng.random() < 0.5:
            consent_services.disclosure_record(
                client=client,
                by=by,
                recipient=Recipient(name=collateral.name, collateral_id=collateral.pk),
                categories={"attendance"},
                purpose=consent.purpose,
                description="Attendance letter",
                body=f"{client.legal_name} has attended every scheduled session this month.",
                method=DisclosureMethod.PRINTED,
            )

    def _plan(
        self, rng: random.Random, client: Client, by: User, staff: dict[str, Any], days_ago: int
    ) -> None:
        """A signed assessment and a care plan: a draft in planning, signed and in effect later."""
        areas = rng.sample(sorted(PLAN_IDEAS), k=rng.randint(2, 3))
        assessment = assessment_services.assessment_start(client=client, by=by)
        ratings = {d: rng.randint(0, 3) for d, _ in ASAM_DIMENSIONS}
        assessment = assessment_services.assessment_save(
            assessment=assessment,
            by=by,
            version=assessment.version,
            sections={"strengths": {"strengths": "Determined; close to a sister; good cook"}},
            substances=[],
            needs={
                domain: {"severity": rng.choice([2, 3]) if domain in areas else 0, "reason": ""}
                for domain, _ in NEED_DOMAINS
            },
            asam={
                str(d): {"rating": r, "rationale": "Seen at assessment"} for d, r in ratings.items()
            },
            chosen_level=suggest_level(ratings)[0],
            level_override_reason="",
            sign=True,
        )
        plan = plan_services.plan_start(client=client, by=by, assessment=assessment)
        for problem in plan.problems.all():
            words, measure, step, action, who, often = PLAN_IDEAS[problem.need_domain]
            plan.refresh_from_db()
            goal = plan_services.goal_save(
                plan=plan,
                by=by,
                version=plan.version,
                problem_id=problem.pk,
                own_words=words,
                measurable=measure,
                target_date=timezone.localdate() + timedelta(days=rng.choice([60, 90, 180])),
                term=rng.choice(["short", "long"]),
                strength="Determined",
            )
            plan.refresh_from_db()
            plan_services.objective_save(
                plan=plan, by=by, version=plan.version, goal_id=goal.pk, text=step
            )
            plan.refresh_from_db()
            owner = staff["coach"] if who == "coach" and client.coach_id else by
            plan_services.intervention_save(
                plan=plan,
                by=by,
                version=plan.version,
                goal_id=goal.pk,
                action=action,
                responsible=who,
                provider_name="County services" if who == "provider" else "",
                frequency=often,
                owner=owner if who != "provider" else None,
            )
        required = plan_services.required_signers(plan)
        if client.stage == stages.Stage.PLANNING:
            if "supervisor" not in required:
                return
            required = ["client", "case_manager"]  # left for the supervisor to co-sign
        for role in required:
            plan.refresh_from_db()
            plan_services.plan_sign(
                plan=plan,
                by=staff["supervisor"] if role == "supervisor" else by,
                version=plan.version,
                role=role,
                method="verbal",
                witness_name="Front desk staff member",
            )
        if client.stage == stages.Stage.PLANNING:
            return
        # Spread activation dates so some reviews are due and a few overdue (demo data only).
        activated_at = timezone.now() - timedelta(days=rng.randint(1, min(days_ago, 120)))
        CarePlan.objects.filter(pk=plan.pk).update(activated_at=activated_at)
        PlanSignature.objects.filter(plan=plan).update(signed_at=activated_at)

    def _backdate(self, client: Client, now: Any, days_ago: int) -> None:
        """Spread the demo case's history over its synthetic lifetime (demo data only)."""
        start = now - timedelta(days=days_ago)
        entries = list(TimelineEntry.objects.filter(client=client).order_by("id"))
        step = timedelta(days=days_ago) / (len(entries) + 1)
        for position, entry in enumerate(entries):
            entry.at = start + step * position
        TimelineEntry.objects.bulk_update(entries, ["at"])
        # The next contact due follows (from registration until a contact is recorded).
        Client.objects.filter(pk=client.pk).update(registered_at=start)

    def _monitoring(
        self, rng: random.Random, client: Client, by: User, staff: dict[str, Any], days_ago: int
    ) -> None:
        """A few signed contact notes over the past weeks in the program's format (sometimes one
        an attempt that did not reach the client), check-ins with a craving and mood that move,
        and a coaching session for a coached client. Half the clients still in engagement have
        no contact recorded yet."""
        now = timezone.now()
        window = max(1, min(days_ago, 42))
        none_yet = client.stage == stages.Stage.ENGAGEMENT and rng.random() < 0.5
        days = sorted(
            rng.sample(range(window), k=min(0 if none_yet else rng.randint(2, 4), window))
        )
        attempt = rng.randrange(len(days)) if days and rng.random() < 0.4 else None
        for position, day in enumerate(reversed(days)):  # the oldest first
            contact_at = now - timedelta(days=day, hours=rng.randint(1, 8))
            self._note(rng, client, by, staff["supervisor"], contact_at, position == attempt)
        if client.stage in PLANNED_STAGES | {stages.Stage.CONCLUSION}:
            self._check_ins(rng, client, staff["coach"] if client.coach_id else by, window)
        if client.coach_id:
            session_on = timezone.localdate() - timedelta(days=rng.randint(1, min(window, 14)))
            with _dated(client, _midday(session_on)):
                monitoring_services.coaching_session_record(
                    client=client,
                    by=staff["coach"],
                    session_on=session_on,
                    kind=rng.choice(list(CoachingKind)),
                    duration_minutes=rng.choice([30, 45, 60, 90]),
                    topics=rng.sample([t.value for t in CoachingTopic], k=rng.randint(1, 3)),
                    next_step=rng.choice(
                        ["Thursday meeting together", "Call the sponsor", "Bus pass office"]
                    ),
                )

    def _note(
        self,
        rng: random.Random,
        client: Client,
        by: User,
        supervisor: User,
        contact_at: datetime,
        attempted: bool,
    ) -> None:
        """One contact note, signed some hours after the contact (now and then days after: a
        late entry), and co-signed the day after where the program asks, unless it is recent."""
        now = timezone.now()
        contact_type = ContactType.ATTEMPTED if attempted else rng.choice(CONTACTS)
        fmt = monitoring_queries.format_for(client)
        goals = monitoring_queries.goal_choices(client)
        delay = (
            timedelta(days=5)
            if rng.random() < 0.1 and now - contact_at > timedelta(days=6)
            else timedelta(hours=rng.randint(1, 20))
        )
        signed_at = min(now, contact_at + delay)
        # Whether it is a late entry, for when it was signed rather than now.
        days_after = (timezone.localdate(signed_at) - timezone.localdate(contact_at)).days
        late = days_after > monitoring_queries.note_rules(client.program_id).late_after_days
        with _dated(client, signed_at) as written:
            note = monitoring_services.note_save(
                client=client,
                by=by,
                sign=True,
                contact_at=contact_at,
                contact_type=contact_type,
                duration_minutes=5 if attempted else rng.choice([20, 30, 45, 60]),
                place=PLACES[contact_type],
                participants="" if attempted else client.display_name,
                goal_ids=[rng.choice(goals).pk] if goals and not attempted else [],
                sections={
                    section.key: ATTEMPT_PARTS.get(section.key, "Not reached.")
                    if attempted
                    else rng.choice(NOTE_PARTS.get(section.key, ["Seen as planned."]))
                    for section in fmt.sections
                },
            )
            if not late:
                written().update(summary=Replace("summary", Value(" (late entry)"), Value("")))
        ContactNote.objects.filter(pk=note.pk).update(
            created_at=contact_at, updated_at=signed_at, signed_at=signed_at, late_entry=late
        )
        if note.status == NoteStatus.AWAITING_COSIGN and now - signed_at > timedelta(days=7):
            cosigned_at = signed_at + timedelta(days=1)
            with _dated(client, cosigned_at):
                monitoring_services.note_cosign(note=note, by=supervisor)
            ContactNote.objects.filter(pk=note.pk).update(
                cosigned_at=cosigned_at, updated_at=cosigned_at
            )

    def _check_ins(self, rng: random.Random, client: Client, by: User, window: int) -> None:
        """Check-ins every week or so: mood rising and craving falling, not in a straight line,
        and now and then use reported."""
        now = timezone.now()
        mood, craving = rng.randint(2, 5), rng.randint(5, 8)
        visits = rng.randint(3, 6)
        for visit in range(visits):
            when = now - timedelta(
                days=(visits - visit - 1) * max(1, window // visits), hours=rng.randint(1, 6)
            )
            used = rng.random() < 0.15
            with _dated(client, when):
                monitoring_services.check_in_record(
                    client=client,
                    by=by,
                    checked_in_at=when,
                    mood=mood,
                    craving=craving,
                    used_since_last=used,
                    use_detail=rng.choice(["Two beers at a party", "Used once on Saturday"])
                    if used
                    else "",
                    meetings_since_last=rng.randint(0, 4),
                    sleep=rng.choice(list(Sleep)),
                    stressors=rng.choice(["", "Work", "Family", "Money worries", "Court date"]),
                    needs_help_with=rng.choice(["", "", "Bus fare", "A ride to the clinic"]),
                )
            mood = max(0, min(10, mood + rng.randint(-1, 2)))
            craving = max(0, min(10, craving + rng.randint(-2, 1) + (2 if used else 0)))


def _midday(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(12)))


@contextmanager
def _dated(client: Client, when: datetime) -> Iterator[Callable[[], QuerySet[TimelineEntry]]]:
    """The client's timeline entries written inside the block are dated `when` (demo data only).
    The block is given a function that returns those entries, to change them further."""
    before = TimelineEntry.objects.filter(client=client).aggregate(last=Max("id"))["last"] or 0

    def written() -> QuerySet[TimelineEntry]:
        return TimelineEntry.objects.filter(client=client, pk__gt=before)

    yield written
    written().update(at=when)
