"""The people tests are written about (after healthchecks' BaseTestCase):
alice is the client's assigned case manager, bob works in the same program but is not assigned,
charlie is a case manager in another organisation; sue supervises the program, otto another
program; cody is the client's coach, ivy does intake, ada administers, aud audits."""

import os
from types import SimpleNamespace

import pytest

from casebridge.accounts.models import Role
from tests.factories import (
    ClientFactory,
    OrganisationFactory,
    ProgramFactory,
    ProgramModelRuleFactory,
    StaffFactory,
)
from tests.isolation import forget_local_caches
from tests.redis_db import queue_tests_url
from tests.shared_database import SharedDatabase


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "uploads"
    # Audit checkpoints written by a test (or by `clock`) never land among the real ones.
    settings.AUDIT_CHECKPOINT_DIR = tmp_path / "audit-checkpoints"
    # Argon2 is deliberately slow; tests that check hashing ask for it themselves.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    forget_local_caches()


@pytest.fixture
def due_not_kept(settings):
    """Due items asked afresh on every page, as on a first look: what query counts measure."""
    settings.CACHES = {
        **settings.CACHES,
        "due": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"},
    }


@pytest.fixture
def world(db):
    """One agency with two programs and a person in every role, plus a second agency."""
    org = OrganisationFactory(name="Riverside", case_number_prefix="RS")
    program = ProgramFactory(organisation=org, name="Outpatient")
    other_program = ProgramFactory(organisation=org, name="Residential")
    ProgramModelRuleFactory(program=program, contact_every_days=14)
    alice = StaffFactory(username="alice", first_name="Alice", organisation=org, programs=[program])
    bob = StaffFactory(username="bob", first_name="Bob", organisation=org, programs=[program])
    sue = StaffFactory(
        username="sue", first_name="Sue", organisation=org, role=Role.SUPERVISOR, programs=[program]
    )
    otto = StaffFactory(
        username="otto",
        first_name="Otto",
        organisation=org,
        role=Role.SUPERVISOR,
        programs=[other_program],
    )
    cody = StaffFactory(
        username="cody", first_name="Cody", organisation=org, role=Role.COACH, programs=[program]
    )
    ivy = StaffFactory(
        username="ivy", first_name="Ivy", organisation=org, role=Role.INTAKE, programs=[program]
    )
    ada = StaffFactory(
        username="ada", first_name="Ada", organisation=org, role=Role.ADMIN, is_staff=True
    )
    aud = StaffFactory(username="aud", first_name="Aud", organisation=org, role=Role.AUDITOR)
    other_org = OrganisationFactory(name="Elsewhere", case_number_prefix="EW")
    other_org_program = ProgramFactory(organisation=other_org, name="Outpatient")
    charlie = StaffFactory(
        username="charlie",
        first_name="Charlie",
        organisation=other_org,
        programs=[other_org_program],
    )
    client = ClientFactory(
        program=program,
        legal_first_name="Jamie",
        legal_last_name="Rivera",
        primary_case_manager=alice,
        coach=cody,
        registered_by=ivy,
        stage="monitoring",
    )
    engagement_client = ClientFactory(
        program=program,
        legal_first_name="Morgan",
        legal_last_name="Lee",
        primary_case_manager=alice,
        registered_by=ivy,
        stage="engagement",
    )
    foreign_client = ClientFactory(
        program=other_org_program,
        primary_case_manager=charlie,
        registered_by=charlie,
    )
    return SimpleNamespace(**locals())


@pytest.fixture
def rq_settings(settings):
    import redis

    connection = redis.Redis.from_url(queue_tests_url())
    try:
        connection.ping()
    except redis.ConnectionError:
        if os.environ.get("CI"):
            raise
        pytest.skip("Redis is not running on 127.0.0.1:6379")
    connection.flushdb()
    settings.RQ_QUEUES = {"default": {"URL": queue_tests_url()}}
    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    yield
    connection.flushdb()


@pytest.fixture
def shared_database(transactional_db: None, tmp_path) -> SharedDatabase:
    """The test database handed to a subprocess. It needs `transactional_db`: SQLite's backup of
    an in-memory database waits for ever inside the transaction an ordinary test runs in."""
    return SharedDatabase(tmp_path)
