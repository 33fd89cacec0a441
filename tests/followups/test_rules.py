"""A program administrator sets the program's follow-up days in the admin; nonsense is refused
in plain words; staff who work with clients do not set them."""

import pytest

from casebridge.accounts import backends
from casebridge.followups.models import FollowUpRules

PERMISSIONS = {f"followups.{verb}_followuprules" for verb in ("view", "add", "change", "delete")}


@pytest.fixture
def admin_may_set_rules():
    """The administrator's permissions (accounts.backends) cover the follow-up rules."""
    assert PERMISSIONS <= backends.ADMIN_PERMISSIONS
    assert "followups" in backends.ADMIN_APPS


def test_a_program_administrator_sets_the_days_and_the_change_is_audited(
    client, world, admin_may_set_rules
):
    from casebridge.audit.models import AuditEvent

    client.force_login(world.ada)
    url = "/admin/followups/followuprules/add/"
    response = client.post(url, {"program": world.program.pk, "days": "[180, 30, 90, 365]"})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert FollowUpRules.objects.get().days == [30, 90, 180, 365]
    assert AuditEvent.objects.get(object_type="followups.followuprules").organisation_id == (
        world.org.pk
    )


@pytest.mark.parametrize("days", ["[]", "[0, 30]", "[30, 30]", '["30"]', "30", "[1000]"])
def test_nonsense_days_are_refused_in_plain_words(client, world, admin_may_set_rules, days):
    client.force_login(world.ada)
    response = client.post(
        "/admin/followups/followuprules/add/", {"program": world.program.pk, "days": days}
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["days"]
    assert not FollowUpRules.objects.exists()


def test_another_organisations_program_is_not_offered(client, world, admin_may_set_rules):
    client.force_login(world.ada)
    response = client.post(
        "/admin/followups/followuprules/add/",
        {"program": world.other_org_program.pk, "days": "[30]"},
    )
    assert response.status_code == 200
    assert not FollowUpRules.objects.exists()


def test_staff_who_work_with_clients_do_not_set_follow_up_days(client, world):
    client.force_login(world.alice)
    response = client.get("/admin/followups/followuprules/add/")
    assert response.status_code == 302 and "/login" in response["Location"]
