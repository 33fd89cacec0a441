"""An administrator configures; they cannot reach client records in one step.

Every change on the configuration screens is on the audit trail with before and after values;
nobody sets another person's password; a role that reaches clients (or programs added to one,
or a new email on such an account) waits for a second person; and a token stopped by a role
change stays stopped."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from casebridge.accounts.models import (
    ApiToken,
    Program,
    ProgramModelRule,
    Role,
    StaffChange,
    User,
)
from casebridge.accounts.services import api_token_create, api_token_user
from casebridge.audit.models import AuditEvent
from casebridge.audit.services import audit_verify
from casebridge.clients.models import Client
from tests.factories import StaffFactory


def _change_form(user: User, **overrides):
    data = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "role": user.role,
        "programs": [p.pk for p in user.programs.all()],
        "is_active": "on" if user.is_active else "",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v not in ("", None)}


def _post_change(http, user, **overrides):
    return http.post(f"/admin/accounts/user/{user.pk}/change/", _change_form(user, **overrides))


@pytest.fixture
def ada2(world):
    return StaffFactory(
        username="ada2", first_name="Adele", organisation=world.org, role=Role.ADMIN
    )


# --- A role that reaches clients takes two people ------------------------------------------


def test_an_administrator_cannot_give_themselves_a_clinical_role(client, world):
    client.force_login(world.ada)
    response = _post_change(client, world.ada, role=Role.SUPERVISOR, programs=[world.program.pk])
    assert response.status_code == 200
    assert "You cannot change your own role" in response.content.decode()
    world.ada.refresh_from_db()
    assert world.ada.role == Role.ADMIN
    assert not StaffChange.objects.exists()


def test_a_new_supervisor_account_reaches_nothing_until_someone_else_confirms(client, world, ada2):
    client.force_login(world.ada)
    response = client.post(
        "/admin/accounts/user/add/",
        {
            "username": "adasecret",
            "first_name": "Ada",
            "last_name": "Again",
            "email": "ada.own@agency.example",
            "role": Role.SUPERVISOR,
            "programs": [world.program.pk],
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    created = User.objects.get(username="adasecret")
    assert created.role == Role.NONE
    assert list(created.programs.all()) == []
    assert not created.has_usable_password()
    assert not Client.objects.restrict(created, "view").exists()
    change = StaffChange.objects.get(user=created)
    assert change.changes == {"role": ["none", "supervisor"], "programs_added": [world.program.pk]}
    # The one who asked cannot confirm it.
    client.post(reverse("staff_changes"), {"change": change.pk, "confirm": "1"})
    created.refresh_from_db()
    assert created.role == Role.NONE
    # Another administrator can, and sees the email the password link goes to first.
    client.force_login(ada2)
    page = client.get(reverse("staff_changes")).content.decode()
    assert "ada.own@agency.example" in page
    client.post(reverse("staff_changes"), {"change": change.pk, "confirm": "1"})
    created.refresh_from_db()
    assert created.role == Role.SUPERVISOR
    assert list(created.programs.all()) == [world.program]
    confirmed = AuditEvent.objects.get(object_type="accounts.user", actor=ada2)
    assert confirmed.changes["role"] == ["none", "supervisor"]
    assert confirmed.changes["programs"] == [[], [world.program.pk]]


def test_changing_a_case_managers_role_waits_and_shows_on_the_team_page(client, world):
    client.force_login(world.ada)
    response = _post_change(client, world.bob, role=Role.SUPERVISOR)
    assert response.status_code == 302
    world.bob.refresh_from_db()
    assert world.bob.role == Role.CASE_MANAGER
    client.force_login(world.sue)
    team = client.get(reverse("team")).content.decode()
    assert "Roles given in the last 30 days" in team
    assert re.search(r"Bob[^<]*</td><td>Case manager → Supervisor", team)
    # sue supervises the program bob works in, so she may confirm it.
    change = StaffChange.objects.get(user=world.bob)
    client.post(reverse("staff_changes"), {"change": change.pk, "confirm": "1"})
    world.bob.refresh_from_db()
    assert world.bob.role == Role.SUPERVISOR


def test_a_supervisor_of_another_program_cannot_confirm(client, world):
    client.force_login(world.ada)
    _post_change(client, world.bob, role=Role.SUPERVISOR)
    change = StaffChange.objects.get(user=world.bob)
    client.force_login(world.otto)
    client.post(reverse("staff_changes"), {"change": change.pk, "confirm": "1"})
    world.bob.refresh_from_db()
    assert world.bob.role == Role.CASE_MANAGER


def test_the_person_a_change_is_about_cannot_confirm_it(client, world, ada2):
    client.force_login(world.ada)
    _post_change(client, ada2, role=Role.AUDITOR)
    change = StaffChange.objects.get(user=ada2)
    client.force_login(ada2)
    client.post(reverse("staff_changes"), {"change": change.pk, "confirm": "1"})
    ada2.refresh_from_db()
    assert ada2.role == Role.ADMIN


def test_an_auditor_role_is_confirmed_by_an_administrator_not_a_supervisor(client, world, ada2):
    client.force_login(world.ada)
    _post_change(client, world.bob, role=Role.AUDITOR)
    change = StaffChange.objects.get(user=world.bob)
    client.force_login(world.sue)
    client.post(reverse("staff_changes"), {"change": change.pk, "confirm": "1"})
    world.bob.refresh_from_db()
    assert world.bob.role == Role.CASE_MANAGER
    client.force_login(ada2)
    client.post(reverse("staff_changes"), {"change": change.pk, "confirm": "1"})
    world.bob.refresh_from_db()
    assert world.bob.role == Role.AUDITOR


def test_programs_added_to_a_supervisor_wait_too(client, world):
    client.force_login(world.ada)
    _post_change(client, world.sue, programs=[world.program.pk, world.other_program.pk])
    assert list(world.sue.programs.all()) == [world.program]
    change = StaffChange.objects.get(user=world.sue)
    assert change.changes == {"programs_added": [world.other_program.pk]}


def test_taking_a_program_away_applies_at_once(client, world):
    client.force_login(world.ada)
    response = _post_change(client, world.sue, programs=[])
    assert response.status_code == 302
    assert not world.sue.programs.exists()
    assert not StaffChange.objects.exists()


def test_a_new_email_on_a_clinical_account_waits(client, world):
    world.alice.email = "alice@agency.example"
    world.alice.save()
    client.force_login(world.ada)
    _post_change(client, world.alice, email="ada.own@agency.example", first_name="Alicia")
    world.alice.refresh_from_db()
    assert world.alice.email == "alice@agency.example"
    assert world.alice.first_name == "Alicia"  # what needs no second person applies
    assert StaffChange.objects.get(user=world.alice).changes == {
        "email": ["alice@agency.example", "ada.own@agency.example"]
    }


def test_a_second_change_waits_for_the_first_to_be_decided(client, world):
    client.force_login(world.ada)
    _post_change(client, world.bob, role=Role.SUPERVISOR)
    response = _post_change(client, world.bob, role=Role.COACH)
    assert response.status_code == 200
    assert "waiting for a second person" in response.content.decode()
    assert StaffChange.objects.filter(user=world.bob).count() == 1


def test_a_confirmation_after_the_role_changed_meanwhile_is_refused(client, world, ada2):
    client.force_login(world.ada)
    _post_change(client, world.bob, role=Role.SUPERVISOR)
    change = StaffChange.objects.get(user=world.bob)
    User.objects.filter(pk=world.bob.pk).update(role=Role.COACH)
    client.force_login(ada2)
    response = client.post(
        reverse("staff_changes"), {"change": change.pk, "confirm": "1"}, follow=True
    )
    assert "role changed since the request" in response.content.decode()
    world.bob.refresh_from_db()
    assert world.bob.role == Role.COACH


def test_refusing_needs_a_reason_and_keeps_the_access_as_it_was(client, world):
    client.force_login(world.ada)
    _post_change(client, world.bob, role=Role.SUPERVISOR)
    change = StaffChange.objects.get(user=world.bob)
    client.force_login(world.sue)
    client.post(reverse("staff_changes"), {"change": change.pk, "refuse": "1"})
    change.refresh_from_db()
    assert change.status == "pending"
    client.post(reverse("staff_changes"), {"change": change.pk, "refuse": "1", "note": "No"})
    change.refresh_from_db()
    assert change.status == "refused"
    world.bob.refresh_from_db()
    assert world.bob.role == Role.CASE_MANAGER


@pytest.mark.parametrize("person", ["alice", "cody", "ivy", "aud", "charlie"])
def test_only_administrators_and_supervisors_open_access_changes(client, world, person):
    client.force_login(getattr(world, person))
    assert client.get(reverse("staff_changes")).status_code == 404


def test_another_organisations_change_cannot_be_decided(client, world):
    client.force_login(world.ada)
    _post_change(client, world.bob, role=Role.SUPERVISOR)
    change = StaffChange.objects.get(user=world.bob)
    foreign_admin = StaffFactory(username="fadmin", organisation=world.other_org, role=Role.ADMIN)
    client.force_login(foreign_admin)
    assert (
        client.post(reverse("staff_changes"), {"change": change.pk, "confirm": "1"}).status_code
        == 404
    )
    world.bob.refresh_from_db()
    assert world.bob.role == Role.CASE_MANAGER


# --- Passwords: a link the person uses -----------------------------------------------------


def test_an_administrator_cannot_set_another_persons_password(client, world):
    client.force_login(world.ada)
    page = client.get(f"/admin/accounts/user/{world.alice.pk}/change/").content.decode()
    assert 'name="password' not in page
    form = client.get(f"/admin/accounts/user/{world.alice.pk}/password/")
    assert form.status_code == 403
    before = world.alice.password
    client.post(
        f"/admin/accounts/user/{world.alice.pk}/password/",
        {"password1": "taken-over-2026!", "password2": "taken-over-2026!"},
    )
    world.alice.refresh_from_db()
    assert world.alice.password == before


def test_a_new_account_gets_a_link_to_set_its_own_password(
    client, world, django_capture_on_commit_callbacks
):
    client.force_login(world.ada)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            "/admin/accounts/user/add/",
            {
                "username": "nia",
                "first_name": "Nia",
                "last_name": "Cole",
                "email": "nia@agency.example",
                "role": Role.CASE_MANAGER,
                "usable_password": "true",
                "password1": "admin-chosen-2026!",
                "password2": "admin-chosen-2026!",
            },
        )
    nia = User.objects.get(username="nia")
    assert not nia.has_usable_password()  # whatever was posted, no password was set
    [email] = mail.outbox
    assert email.to == ["nia@agency.example"]
    link = re.search(r"https?://\S+/account/password/\S+/", email.body).group(0)
    client.logout()
    page = client.get(link, follow=True)
    assert page.status_code == 200
    client.post(
        page.request["PATH_INFO"],
        {"new_password1": "my-own-passphrase-2026", "new_password2": "my-own-passphrase-2026"},
    )
    nia.refresh_from_db()
    assert nia.check_password("my-own-passphrase-2026")
    assert AuditEvent.objects.filter(
        object_type="accounts.user", object_id=str(nia.pk), actor=nia
    ).exists()
    # The link works once.
    assert "already been used" in client.get(link, follow=True).content.decode()


def test_the_staff_list_sends_password_links_and_the_trail_says_so(
    client, world, django_capture_on_commit_callbacks
):
    world.alice.email = "alice@agency.example"
    world.alice.save()
    client.force_login(world.ada)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            "/admin/accounts/user/",
            {"action": "send_password_link", "_selected_action": [world.alice.pk]},
        )
    assert [m.to for m in mail.outbox] == [["alice@agency.example"]]
    assert "/account/password/" in mail.outbox[0].body
    assert AuditEvent.objects.filter(
        actor=world.ada, object_type="accounts.user", object_id=str(world.alice.pk)
    ).exists()


# --- Everything on the configuration screens is audited ------------------------------------


def test_configuration_changes_are_audited_with_before_and_after(client, world):
    client.force_login(world.ada)
    response = client.post(
        f"/admin/accounts/organisation/{world.org.pk}/change/",
        {"name": "Riverside Recovery", "case_number_prefix": "RS", "require_two_factor": "on"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    event = AuditEvent.objects.get(object_type="accounts.organisation")
    assert event.action == "update" and event.actor == world.ada
    assert event.changes["name"] == ["Riverside", "Riverside Recovery"]
    assert event.changes["require_two_factor"] == [False, True]
    assert event.organisation_id == world.org.pk
    assert audit_verify() == []


def test_program_rules_edited_inline_are_audited(client, world):
    rule = ProgramModelRule.objects.get(program=world.program)
    client.force_login(world.ada)
    prefix = "model_rules"
    response = client.post(
        f"/admin/accounts/program/{world.program.pk}/change/",
        {
            "name": "Outpatient",
            "default_model": world.program.default_model,
            "is_active": "on",
            f"{prefix}-TOTAL_FORMS": "1",
            f"{prefix}-INITIAL_FORMS": "1",
            f"{prefix}-MIN_NUM_FORMS": "0",
            f"{prefix}-MAX_NUM_FORMS": "1000",
            f"{prefix}-0-id": rule.pk,
            f"{prefix}-0-program": world.program.pk,
            f"{prefix}-0-model": rule.model,
            f"{prefix}-0-contact_every_days": "7",
            f"{prefix}-0-caseload_cap": rule.caseload_cap,
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    event = AuditEvent.objects.get(object_type="accounts.program")
    before, after = event.changes["programmodelrule"]
    assert before[0]["contact_every_days"] == 14 and after[0]["contact_every_days"] == 7


def test_plan_rules_are_audited(client, world):
    client.force_login(world.ada)
    response = client.post(
        "/admin/plans/planrules/add/",
        {"program": world.program.pk, "review_every_days": "60", "supervisor_cosign": "on"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    event = AuditEvent.objects.get(object_type="plans.planrules")
    assert event.action == "create"
    assert event.changes["review_every_days"] == [None, 60]
    assert event.organisation_id == world.org.pk


def test_staff_changes_made_at_once_are_audited(client, world):
    client.force_login(world.ada)
    _post_change(client, world.bob, is_active="", first_name="Robert")
    event = AuditEvent.objects.get(object_type="accounts.user", object_id=str(world.bob.pk))
    assert event.changes["is_active"] == [True, False]
    assert event.changes["first_name"] == ["Bob", "Robert"]
    assert "password" not in event.changes


# --- Tokens -------------------------------------------------------------------------------


def test_a_token_stopped_by_a_role_change_stays_stopped_when_the_role_is_set_back(world):
    _, raw = api_token_create(user=world.alice, name="Reports", days=30)
    assert api_token_user(raw)[0] == world.alice
    world.alice.role = Role.COACH
    world.alice.save()
    assert api_token_user(raw) == (None, None)
    world.alice.role = Role.CASE_MANAGER
    world.alice.save()
    assert api_token_user(raw) == (None, None)
    assert ApiToken.objects.get().revoked_at is None  # stopped by the change, not revoked
    _, fresh = api_token_create(user=world.alice, name="Reports again", days=30)
    assert api_token_user(fresh)[0] == world.alice


def test_the_admin_program_list_is_still_scoped(client, world):
    client.force_login(world.ada)
    foreign = Program.objects.get(organisation=world.other_org)
    assert client.get(f"/admin/accounts/program/{foreign.pk}/change/").status_code == 302


def test_the_access_changes_page_asks_the_same_number_of_queries_however_many_wait(
    client, world, django_assert_max_num_queries
):
    """A supervisor's list of waiting changes checks their programs once, not once per change."""
    from casebridge.accounts.services import staff_change_request

    def wait_for(count: int) -> None:
        for _ in range(count):
            person = StaffFactory(organisation=world.program.organisation, programs=[world.program])
            staff_change_request(
                user=person, changes={"role": ["case_manager", "supervisor"]}, by=world.ada
            )

    client.force_login(world.sue)
    wait_for(2)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse("staff_changes")).status_code == 200
    wait_for(8)
    with CaptureQueriesContext(connection) as many:
        page = client.get(reverse("staff_changes"))
    assert page.status_code == 200
    assert page.content.decode().count('name="confirm"') >= 10
    assert len(many) == len(few)


def test_the_team_page_with_no_recent_changes_reads_them_in_one_query(world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from casebridge.accounts.queries import role_grants

    with CaptureQueriesContext(connection) as read:
        assert role_grants(world.sue) == []
    assert [query["sql"].split('"')[1] for query in read.captured_queries] == [
        "accounts_staffchange"
    ]
