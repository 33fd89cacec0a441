"""`casebridge seed-demo`: one organisation, its programs, a login per role and ~40 synthetic
clients spread across the stages, with collaterals, flags and timelines. Deterministic with --seed.
"""

import random
from datetime import timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction
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
from casebridge.demo.names import (
    FIRST_NAMES,
    GOALS,
    LANGUAGES,
    LAST_NAMES,
    PLAN_IDEAS,
    PREFERRED,
    PRONOUNS,
    STAGE_REASONS,
)
from casebridge.plans import services as plan_services
from casebridge.plans.models import CarePlan, PlanRules, PlanSignature

PROGRAMS = [
    ("Residential", CaseManagementModel.CLINICAL),
    ("Intensive outpatient", CaseManagementModel.CLINICAL),
    ("Aftercare", CaseManagementModel.STRENGTHS),
    ("Treatment court", CaseManagementModel.INTENSIVE),
]
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
        programs.append(program)
    return organisation, programs


PLANNED_STAGES = {"planning", "implementation", "monitoring", "review"}


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
            self._clients(rng, programs, staff, options["clients"])
        self.stdout.write(self.style.SUCCESS(f"Demo data loaded for {DEMO_ORGANISATION}."))
        self.stdout.write(f"Logins (password for all: {DEMO_PASSWORD}):")
        for role, username in demo_logins():
            self.stdout.write(f"  {role:<24} {username}")

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
                if role not in {Role.ADMIN, Role.AUDITOR}:
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
                address=f"{rng.randint(10, 999)} {rng.choice(['Oak', 'Maple', 'River', 'Main', 'Cedar'])} St",
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
            self._backdate(client, now, registered_days_ago, rng)

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

    def _backdate(self, client: Client, now: Any, days_ago: int, rng: random.Random) -> None:
        """Spread the demo case's history over its synthetic lifetime (demo data only)."""
        start = now - timedelta(days=days_ago)
        entries = list(TimelineEntry.objects.filter(client=client).order_by("id"))
        step = timedelta(days=days_ago) / (len(entries) + 1)
        for position, entry in enumerate(entries):
            entry.at = start + step * position
        TimelineEntry.objects.bulk_update(entries, ["at"])
        last_contact = (
            None
            if client.stage == "engagement" and rng.random() < 0.5
            else now - timedelta(days=rng.randint(0, 25), hours=rng.randint(0, 23))
        )
        Client.objects.filter(pk=client.pk).update(
            registered_at=start, last_contact_at=last_contact
        )
