"""Contact standards: which contacts count towards the program's rule (a contact every N days)
under each model of case management, and "last contact" moving with them, at the boundaries."""

import pytest
from django.utils import timezone

from casebridge.accounts.models import CaseManagementModel, ProgramModelRule
from casebridge.clients.queries import due_list
from casebridge.monitoring import queries
from casebridge.monitoring.models import ContactStandard
from casebridge.monitoring.standards import DEFAULT_COUNTING, counting_types
from tests.monitoring.helpers import days_ago, write_note

MODELS = [model.value for model in CaseManagementModel]


@pytest.fixture
def weekly(world):
    """A contact every 7 days under every model in the client's program."""
    ProgramModelRule.objects.filter(program=world.program).delete()
    for model in MODELS:
        ProgramModelRule.objects.create(
            program=world.program, model=model, contact_every_days=7, caseload_cap=30
        )
    return world


def _client_under(world, model):
    client = world.client
    client.case_management_model = model
    client.save()
    return client


def _contact(client, by, contact_type, days, **extra):
    return write_note(
        client, by, sign=True, contact_type=contact_type, contact_at=days_ago(days), **extra
    )


def _due(client):
    client.refresh_from_db()
    [item] = [
        item for item in due_list(client, client.next_contact_due_at, []) if item.label == "Contact"
    ]
    return item


@pytest.mark.parametrize("model", MODELS)
def test_a_counting_contact_seven_days_ago_is_due_today_and_not_overdue(weekly, model):
    client = _client_under(weekly, model)
    _contact(client, weekly.alice, "face_to_face", 7)
    item = _due(client)
    assert item.due_on == timezone.localdate()
    assert not item.is_overdue(timezone.localdate())


@pytest.mark.parametrize("model", MODELS)
def test_a_counting_contact_eight_days_ago_is_overdue(weekly, model):
    client = _client_under(weekly, model)
    _contact(client, weekly.alice, "face_to_face", 8)
    assert _due(client).is_overdue(timezone.localdate())


@pytest.mark.parametrize("model", MODELS)
def test_an_attempt_does_not_move_last_contact_but_is_kept_as_last_attempt(weekly, model):
    client = _client_under(weekly, model)
    contact = _contact(client, weekly.alice, "face_to_face", 8)
    attempt = _contact(client, weekly.alice, "attempted", 1)
    client.refresh_from_db()
    assert client.last_contact_at == contact.contact_at
    assert _due(client).is_overdue(timezone.localdate())
    times = queries.contact_times(client)
    assert (times.last_contact_at, times.last_attempt_at) == (
        contact.contact_at,
        attempt.contact_at,
    )


@pytest.mark.parametrize("model", MODELS)
def test_a_text_or_a_collateral_contact_never_counts_by_default(weekly, model):
    client = _client_under(weekly, model)
    _contact(client, weekly.alice, "text", 1)
    _contact(client, weekly.alice, "collateral", 1)
    client.refresh_from_db()
    assert client.last_contact_at is None


def test_a_text_does_not_count_under_intensive_case_management(weekly):
    client = _client_under(weekly, CaseManagementModel.INTENSIVE)
    _contact(client, weekly.alice, "face_to_face", 8)
    _contact(client, weekly.alice, "text", 0)
    assert _due(client).is_overdue(timezone.localdate())


@pytest.mark.parametrize(
    ("model", "counts"),
    [("intensive", False), ("clinical", True), ("brokerage", True), ("strengths", True)],
)
def test_a_phone_call_counts_except_under_intensive(weekly, model, counts):
    client = _client_under(weekly, model)
    call = _contact(client, weekly.alice, "phone", 2)
    client.refresh_from_db()
    assert (client.last_contact_at == call.contact_at) is counts


def test_a_draft_is_not_a_contact_until_signed(weekly):
    write_note(weekly.client, weekly.alice, contact_at=days_ago(1))
    weekly.client.refresh_from_db()
    assert weekly.client.last_contact_at is None


def test_the_latest_contact_counts_even_when_its_note_was_written_first(weekly):
    newer = _contact(weekly.client, weekly.alice, "phone", 1)
    _contact(weekly.client, weekly.alice, "face_to_face", 5)  # a late note of an older visit
    weekly.client.refresh_from_db()
    assert weekly.client.last_contact_at == newer.contact_at


def test_a_program_may_count_other_types_for_a_model(weekly):
    ContactStandard.objects.create(
        program=weekly.program, model="intensive", counting_types=["face_to_face", "text"]
    )
    client = _client_under(weekly, CaseManagementModel.INTENSIVE)
    text = _contact(client, weekly.alice, "text", 1)
    client.refresh_from_db()
    assert client.last_contact_at == text.contact_at
    assert counting_types(weekly.program.pk, "intensive") == {"face_to_face", "text"}
    assert counting_types(weekly.program.pk, "clinical") == DEFAULT_COUNTING["clinical"]


def test_an_attempt_never_counts_even_when_a_program_lists_it(weekly):
    ContactStandard.objects.create(
        program=weekly.program, model="clinical", counting_types=["attempted", "phone"]
    )
    assert counting_types(weekly.program.pk, "clinical") == {"phone"}


def test_changing_a_programs_standard_moves_last_contact_of_its_clients(weekly):
    client = _client_under(weekly, CaseManagementModel.INTENSIVE)
    visit = _contact(client, weekly.alice, "face_to_face", 6)
    text = _contact(client, weekly.alice, "text", 1)
    client.refresh_from_db()
    assert client.last_contact_at == visit.contact_at
    standard = ContactStandard.objects.create(
        program=weekly.program, model="intensive", counting_types=["face_to_face", "text"]
    )
    client.refresh_from_db()
    assert client.last_contact_at == text.contact_at
    standard.delete()
    client.refresh_from_db()
    assert client.last_contact_at == visit.contact_at


def test_the_defaults_are_the_documented_ones():
    in_person = {"face_to_face", "visit", "accompaniment"}
    assert DEFAULT_COUNTING["intensive"] == in_person
    for model in ("brokerage", "clinical", "strengths"):
        assert DEFAULT_COUNTING[model] == in_person | {"phone", "video"}
