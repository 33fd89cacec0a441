"""Program administrators configure their own organisation, and only that."""

from casebridge.accounts.models import Program, Role, User


def test_an_administrator_adds_a_staff_member_to_their_own_organisation(client, world):
    client.force_login(world.ada)
    response = client.post(
        "/admin/accounts/user/add/",
        {
            "username": "newcm",
            "usable_password": "true",
            "password1": "a-long-passphrase-2026",
            "password2": "a-long-passphrase-2026",
            "first_name": "Nia",
            "last_name": "Cole",
            "email": "nia@agency.example",
            "role": Role.CASE_MANAGER,
            "programs": [world.program.pk],
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    created = User.objects.get(username="newcm")
    assert created.organisation == world.org
    assert not created.is_staff and not created.is_superuser
    # The case manager role and its program wait for a second person (test_staff_access.py).
    assert created.role == Role.NONE and not created.programs.exists()
    assert created.access_changes.get().changes == {
        "role": ["none", Role.CASE_MANAGER],
        "programs_added": [world.program.pk],
    }


def test_an_administrator_sees_only_their_organisations_programs_and_staff(client, world):
    client.force_login(world.ada)
    programs = client.get("/admin/accounts/program/").content.decode()
    assert "Outpatient" in programs and "Residential" in programs
    foreign_program = Program.objects.get(organisation__name="Elsewhere")
    assert client.get(f"/admin/accounts/program/{foreign_program.pk}/change/").status_code == 302
    staff = client.get("/admin/accounts/user/").content.decode()
    assert "alice" in staff and "charlie" not in staff


def test_administrators_cannot_grant_superuser_or_raw_permissions(client, world):
    client.force_login(world.ada)
    page = client.get(f"/admin/accounts/user/{world.alice.pk}/change/").content.decode()
    assert "is_superuser" not in page and "user_permissions" not in page


def test_the_admin_role_is_what_opens_configuration(world):
    assert world.ada.is_staff
    world.ada.role = Role.CASE_MANAGER
    world.ada.save()
    assert not world.ada.is_staff
    assert not world.alice.has_perm("accounts.change_program")


def test_settings_has_no_second_sign_in_page(client, world):
    response = client.get("/admin/", follow=True)
    assert response.redirect_chain[-1][0].startswith("/account/login/")
    assert response.templates[0].name == "accounts/login.html"
    client.force_login(world.cody)
    assert client.get("/admin/", follow=True).status_code == 404
    assert client.get("/admin/login/").status_code == 404
    assert "Settings" not in client.get("/", follow=True).content.decode()
