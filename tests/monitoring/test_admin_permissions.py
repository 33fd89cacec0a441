"""The program administrator's role grants the monitoring settings (note rules, contact
standards) like every other program setting, through accounts.backends; no one else edits them."""

import pytest

from casebridge.monitoring.models import ContactNoteRules, ContactStandard
from tests.factories import ProgramFactory

SETTINGS = ["contactnoterules", "contactstandard"]
VERBS = ["view", "add", "change", "delete"]


@pytest.fixture
def saved(world):
    """One of each setting for the client's program."""
    return {
        "contactnoterules": ContactNoteRules.objects.create(program=world.program),
        "contactstandard": ContactStandard.objects.create(
            program=world.program, model="clinical", counting_types=["face_to_face"]
        ),
    }


@pytest.mark.parametrize("model", SETTINGS)
@pytest.mark.parametrize("verb", VERBS)
def test_the_administrator_role_holds_each_permission_and_others_none(world, model, verb):
    permission = f"monitoring.{verb}_{model}"
    assert world.ada.has_perm(permission)
    for person in (world.alice, world.sue, world.cody, world.ivy, world.aud):
        assert not person.has_perm(permission), person.username


def test_the_settings_are_listed_for_the_administrator(client, world):
    assert world.ada.has_module_perms("monitoring")
    assert not world.alice.has_module_perms("monitoring")
    client.force_login(world.ada)
    page = client.get("/admin/").content.decode()
    assert "/admin/monitoring/contactnoterules/" in page
    assert "/admin/monitoring/contactstandard/" in page


def test_an_administrator_changes_the_note_rules(client, world, saved):
    client.force_login(world.ada)
    url = f"/admin/monitoring/contactnoterules/{saved['contactnoterules'].pk}/change/"
    assert client.get(url).status_code == 200
    response = client.post(
        url, {"program": world.program.pk, "note_format": "soap", "late_after_days": "5"}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    rules = ContactNoteRules.objects.get()
    assert (rules.note_format, rules.late_after_days, rules.supervisor_cosign) == ("soap", 5, False)


def test_an_administrator_changes_and_removes_a_contact_standard(client, world, saved):
    client.force_login(world.ada)
    standard = saved["contactstandard"]
    url = f"/admin/monitoring/contactstandard/{standard.pk}/change/"
    response = client.post(
        url,
        {"program": world.program.pk, "model": "clinical", "counting_types": ["phone", "visit"]},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert ContactStandard.objects.get().counting_types == ["phone", "visit"]
    delete = f"/admin/monitoring/contactstandard/{standard.pk}/delete/"
    assert client.post(delete, {"post": "yes"}).status_code == 302
    assert not ContactStandard.objects.exists()


def test_an_administrator_does_not_reach_another_organisations_settings(client, world):
    foreign = ContactStandard.objects.create(
        program=ProgramFactory(organisation=world.other_org), model="clinical"
    )
    client.force_login(world.ada)
    response = client.get(f"/admin/monitoring/contactstandard/{foreign.pk}/change/")
    assert response.status_code == 302  # "not found" in the admin: back to the list


@pytest.mark.parametrize("person", ["alice", "sue", "cody", "ivy", "aud"])
@pytest.mark.parametrize("model", SETTINGS)
def test_staff_without_the_administrator_role_neither_see_nor_change_them(
    client, world, saved, person, model
):
    client.force_login(getattr(world, person))
    base = f"/admin/monitoring/{model}/"
    for url in (base, base + "add/", f"{base}{saved[model].pk}/change/"):
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response["Location"], url
    response = client.post(
        f"{base}{saved[model].pk}/change/",
        {"program": world.program.pk, "model": "clinical", "counting_types": ["text"]},
    )
    assert response.status_code == 302 and "/login" in response["Location"]
    assert ContactStandard.objects.get().counting_types == ["face_to_face"]
