"""generate fills every table a client's case has: secondary case managers and coaches, stage
histories and assignments, assessments and the measures given every few weeks after them, Part 2
consents (some revoked or ended) and disclosures, alerts, safety plans, coaching, discharge
summaries, follow-up calls, the on-call rota, and an audit trail whose chain still verifies.
The generated organisation works: its pages answer, and an alert sweep over it runs."""

import itertools
from collections import Counter
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from casebridge.accounts.models import Role, User
from casebridge.alerts.models import Alert, AlertState
from casebridge.assessments.definitions import definition_of
from casebridge.assessments.models import Assessment, InstrumentResponse
from casebridge.assessments.scoring import score
from casebridge.audit.models import AuditEvent
from casebridge.audit.services import audit_check
from casebridge.clients.models import AssignmentChange, Client, StageChange
from casebridge.clients.stages import ORDER
from casebridge.consents.models import Consent
from casebridge.demo.management.commands.generate import BENCH_USER, ORGANISATION
from casebridge.monitoring.models.recovery import DrugScreen

CLIENTS = 200

# What generate may leave empty, and why: settings a program administrator makes (rules,
# standards and the directory's import records), sign-in machinery (sessions, devices, lock-outs,
# tokens), the task queue and the mail outbox, and records made only by a person at a keyboard
# (access changes awaiting a second person, the admin's log, uploads, advocacy applications,
# calendar feeds, summaries sent out). Emergency access is rare: a client in a hundred. Every
# other table gets rows.
MAY_BE_EMPTY = {
    "access.BreakGlassGrant",
    "accounts.ApiToken",
    "accounts.StaffChange",
    "admin.LogEntry",
    "advocacy.Application",
    "advocacy.ApplicationDocument",
    "advocacy.ApplicationEvent",
    "alerts.AlertRule",
    "auth.Group",
    "axes.AccessAttempt",
    "axes.AccessAttemptExpiration",
    "axes.AccessFailureLog",
    "axes.AccessLog",
    "background.EmailDelivery",
    "background.PeriodicRound",
    "background.WorkerHeartbeat",
    "directory.Accessibility",
    "directory.Contact",
    "directory.CostOption",
    "directory.DirectoryImport",
    "directory.Funding",
    "directory.MetaTableDescription",
    "directory.Metadata",
    "directory.Program",
    "directory.ProviderIdentifier",
    "directory.RequiredDocument",
    "directory.ServiceArea",
    "discharge.SummaryDisclosure",
    "django_tasks_database.DBTaskResult",
    "followups.FollowUpRules",
    "monitoring.CalendarFeed",
    "monitoring.ContactStandard",
    "otp_static.StaticDevice",
    "otp_static.StaticToken",
    "otp_totp.TOTPDevice",
    "referrals.ReferralRules",
    "sessions.Session",
}


@pytest.fixture(scope="module")
def generated(django_db_setup, django_db_blocker):
    """One generated organisation for the whole module (generating is the slow part), rolled
    back afterwards so the other modules find the database as they expect it."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command(
            "generate",
            clients=CLIENTS,
            caseload=20,
            records_per_client=30,
            directory_services=16,
            seed=11,
            stdout=StringIO(),
        )
        yield
        transaction.set_rollback(True)


pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("generated")]


def clients():
    return Client.objects.filter(organisation__name=ORGANISATION)


def test_every_table_but_settings_sign_in_and_keyboard_only_records_has_rows():
    labels = {model._meta.label for model in apps.get_models()}
    assert labels >= MAY_BE_EMPTY, "a table named here no longer exists"
    empty = sorted(
        model._meta.label
        for model in apps.get_models()
        if model._meta.label not in MAY_BE_EMPTY and not model._base_manager.exists()
    )
    assert empty == []


def test_some_clients_share_a_case_manager_and_some_have_a_coach():
    with_secondary = clients().filter(secondary_case_manager__isnull=False)
    assert 0.08 * CLIENTS <= with_secondary.count() <= 0.25 * CLIENTS
    for client in with_secondary:
        assert client.secondary_case_manager_id != client.primary_case_manager_id
        assert client.secondary_case_manager.role == Role.CASE_MANAGER
    coached = clients().filter(coach__isnull=False)
    assert 0.1 * CLIENTS <= coached.count() <= 0.3 * CLIENTS
    assert set(coached.values_list("coach__role", flat=True)) == {Role.COACH}
    assert (
        User.objects.filter(role=Role.COACH, coached_clients__isnull=False).distinct().count() >= 2
    )
    # Each assignment has its history row.
    assert AssignmentChange.objects.filter(role="coach").count() == coached.count()


def test_case_managers_and_coaches_work_in_the_programs_of_their_clients():
    for client in clients().select_related("primary_case_manager", "secondary_case_manager"):
        for person in (client.primary_case_manager, client.secondary_case_manager, client.coach):
            if person is not None:
                assert person.programs.filter(pk=client.program_id).exists()
    supervisors = User.objects.filter(role=Role.SUPERVISOR, organisation__name=ORGANISATION)
    assert supervisors.exists() and all(s.programs.exists() for s in supervisors)


def test_each_client_has_the_history_of_the_stages_it_went_through():
    for client in clients():
        moves = list(
            StageChange.objects.filter(client=client)
            .order_by("moved_at", "id")
            .values_list("from_stage", "to_stage", "moved_at")
        )
        assert [to for _, to, _ in moves] == ORDER[: ORDER.index(client.stage) + 1]
        assert moves[0][2] == client.registered_at
        assert [at for _, _, at in moves] == sorted(at for _, _, at in moves)


def test_the_audit_trail_has_dozens_of_rows_a_client_and_its_chain_verifies():
    report = audit_check()
    assert report.problems == []
    assert report.events == AuditEvent.objects.count()
    views = Counter(
        AuditEvent.objects.filter(action="view", object_type="client").values_list(
            "client_id", flat=True
        )
    )
    assert set(views) == set(clients().values_list("pk", flat=True))
    assert AuditEvent.objects.count() >= 24 * CLIENTS
    # In the order they happened, each named with who it was.
    rows = list(AuditEvent.objects.order_by("seq").values_list("at", "actor_username"))
    assert all(name for _, name in rows)


def test_measures_are_scored_as_the_instrument_says_every_few_weeks_after_assessment():
    responses = InstrumentResponse.objects.all()
    assert {"phq9", "gad7", "bam", "barc10"} <= set(responses.values_list("instrument", flat=True))
    for response in responses[:300]:
        definition = definition_of(response.instrument, response.version)
        assert definition is not None
        result = score(definition, response.answers, response.context)
        assert result.scores == response.scores
        assert result.primary == response.primary_score
    past_assessment = clients().exclude(stage__in=["engagement", "assessment"])
    for client in past_assessment[:40]:
        days = sorted(
            r.administered_at
            for r in InstrumentResponse.objects.filter(client=client, instrument="phq9")
        )
        assert days, client.stage
        gaps = [(later - earlier).days for earlier, later in itertools.pairwise(days)]
        assert all(14 <= gap <= 40 for gap in gaps)
    assert not InstrumentResponse.objects.filter(client__stage="engagement").exists()
    signed = Assessment.objects.filter(status="signed")
    assert signed.count() >= past_assessment.count()
    assert Assessment.objects.filter(status="draft", client__stage="assessment").exists()


def test_most_clients_past_engagement_have_consents_some_revoked_or_ended():
    past = clients().exclude(stage="engagement")
    consented = past.filter(consents__isnull=False).distinct().count()
    assert consented >= 0.6 * past.count()
    consents = Consent.objects.all()
    assert consents.filter(status="revoked", revoked_on__isnull=False).exists()
    assert consents.filter(recipient_kind="tpo", expiry_kind="none").exists()
    # Ended on their date, still on the record as they were signed.
    assert consents.filter(status="active", expires_on__lt=timezone.localdate()).exists()
    assert not consents.filter(client__stage="engagement").exists()


def test_alerts_name_the_record_behind_them_and_the_sweep_takes_them_as_its_own():
    from casebridge.alerts.services import sweep

    alerts = Alert.objects.all()
    states = Counter(alerts.values_list("state", flat=True))
    assert states[AlertState.OPEN] and states[AlertState.RESOLVED]
    for alert in alerts.filter(kind="screen")[:50]:
        screen = DrugScreen.objects.get(pk=int(alert.key.removeprefix("screen-")))
        assert screen.client_id == alert.client_id
        assert screen.outcome in {"positive", "refused", "missed"}
    before = Counter(alerts.values_list("kind", flat=True))
    kept = set(alerts.values_list("pk", flat=True))
    sweep()
    # What generate alerted on, the sweep finds already there under the same key: not one kind
    # generate writes gets a second alert. (The sweep adds kinds generate leaves to it, such as
    # contact overdue, and how many depends on the day it runs.)
    after = Counter(Alert.objects.values_list("kind", flat=True))
    assert {kind: after[kind] for kind in before} == before
    assert kept <= set(Alert.objects.values_list("pk", flat=True))
    assert set(after) > set(before)


def test_the_caseload_and_a_client_page_answer_for_bench_cm(client):
    bench = User.objects.get(username=BENCH_USER)
    client.force_login(bench)
    assert client.get(reverse("caseload")).status_code == 200
    mine = clients().filter(primary_case_manager=bench).first()
    assert client.get(reverse("client_overview", args=[mine.pk])).status_code == 200


def test_a_supervisor_pages_through_the_team():
    from django.test import Client as Browser

    supervisor = User.objects.filter(role=Role.SUPERVISOR, organisation__name=ORGANISATION).first()
    browser = Browser()
    browser.force_login(supervisor)
    assert browser.get(reverse("team")).status_code == 200
    team = User.objects.filter(programs__in=supervisor.programs.all(), role=Role.CASE_MANAGER)
    assert team.distinct().count() > 1


def test_the_intervention_plans_list_of_bench_cm_is_a_full_page_however_few_the_clients():
    from casebridge.family.models import InterventionPlan
    from casebridge.family.queries import PLANS_PER_PAGE

    bench = User.objects.get(username=BENCH_USER)
    being_planned = InterventionPlan.objects.filter(lead=bench, client=None)
    assert being_planned.count() >= PLANS_PER_PAGE
