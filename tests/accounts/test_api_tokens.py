"""Personal API tokens: made once and shown once, kept only as a digest, refused when revoked or
expired, and never more than their owner's own access."""

import json
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from casebridge.accounts.models import ApiToken
from casebridge.accounts.services import api_token_create, api_token_revoke
from casebridge.audit.models import AuditEvent
from tests.plans.helpers import ready_plan, sign_all


def _bearer(raw):
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def _plan_url(world, plan):
    return reverse("api_plan_item", kwargs={"client_id": world.client.pk, "plan_id": plan.pk})


def test_the_page_shows_the_secret_once_and_keeps_only_a_digest(client, world):
    client.force_login(world.alice)
    response = client.post(
        reverse("api_tokens"), {"name": "Reporting", "days": 30, "internal_use": "on"}
    )
    token = ApiToken.objects.get()
    body = response.content.decode()
    secret = body.split('readonly value="')[1].split('"')[0]
    assert secret.startswith("cb_") and secret not in token.digest and token.prefix == secret[:12]
    assert secret not in client.get(reverse("api_tokens")).content.decode()
    assert AuditEvent.objects.filter(object_type="api_token", action="create").exists()


def test_a_token_without_a_name_is_refused_in_plain_words(client, world):
    client.force_login(world.alice)
    response = client.post(reverse("api_tokens"), {"name": "", "days": 30, "internal_use": "on"})
    assert "Name the token after the program that will use it." in response.content.decode()
    response = client.post(reverse("api_tokens"), {"name": "Court system", "days": 30})
    assert "goes through a consent and a disclosure instead" in response.content.decode()
    assert not ApiToken.objects.exists()


def test_a_token_reads_and_changes_a_plan_without_a_session_or_csrf(client, world):
    plan = ready_plan(world)
    _, raw = api_token_create(user=world.alice, name="Script", days=7)
    client.cookies.clear()
    document = client.get(_plan_url(world, plan), **_bearer(raw)).json()
    document["problems"][0]["statement"] = "Housing: wants a lease"
    saved = client.put(
        _plan_url(world, plan),
        data=json.dumps(document),
        content_type="application/json",
        **_bearer(raw),
    )
    assert saved.status_code == 200
    assert plan.problems.get().statement == "Housing: wants a lease"
    assert AuditEvent.objects.filter(
        actor=world.alice, object_type="care_plan", action="update"
    ).exists()
    assert ApiToken.objects.get().last_used_at is not None


def test_a_token_gives_no_more_than_its_owners_access(client, world):
    plan = ready_plan(world)
    _, raw = api_token_create(user=world.bob, name="Script", days=7)
    assert client.get(_plan_url(world, plan), **_bearer(raw)).status_code == 404


@pytest.mark.parametrize("spoil", ["revoke", "expire", "deactivate", "garble"])
def test_a_spoiled_token_is_refused(client, world, spoil):
    plan = sign_all(ready_plan(world), world)
    token, raw = api_token_create(user=world.alice, name="Script", days=7)
    if spoil == "revoke":
        api_token_revoke(token=token, by=world.alice)
    elif spoil == "expire":
        ApiToken.objects.filter(pk=token.pk).update(
            expires_at=timezone.now() - timedelta(seconds=1)
        )
    elif spoil == "deactivate":
        world.alice.is_active = False
        world.alice.save()
    else:
        raw = raw[:-2] + ("AA" if raw[-2:] != "AA" else "BB")
    response = client.get(_plan_url(world, plan), **_bearer(raw))
    assert response.status_code == 401
    assert "not valid" in response.json()["error"]


def test_tokens_only_work_on_the_api(client, world):
    _, raw = api_token_create(user=world.alice, name="Script", days=7)
    response = client.get(reverse("caseload"), **_bearer(raw))
    assert response.status_code == 302  # the pages still need a signed-in session


def test_where_two_factor_applies_only_tokens_made_with_it_work(client, world):
    plan = ready_plan(world)
    _, before = api_token_create(user=world.alice, name="Old script", days=7)
    _, verified = api_token_create(user=world.alice, name="Script", days=7, two_factor=True)
    assert client.get(_plan_url(world, plan), **_bearer(before)).status_code == 200
    world.alice.organisation.require_two_factor = True
    world.alice.organisation.save()
    assert client.get(_plan_url(world, plan), **_bearer(before)).status_code == 401
    assert client.get(_plan_url(world, plan), **_bearer(verified)).status_code == 200
    client.force_login(world.alice)
    # The token page itself is behind two-factor sign-in.
    assert client.get(reverse("api_tokens")).status_code == 302


def test_a_token_stops_working_when_its_owners_role_changes(client, world):
    plan = ready_plan(world)
    _, raw = api_token_create(user=world.alice, name="Script", days=7)
    world.alice.role = "supervisor"
    world.alice.save()
    assert client.get(_plan_url(world, plan), **_bearer(raw)).status_code == 401


def test_a_token_does_not_reach_clients_opened_in_an_emergency(client, world):
    from casebridge.access.services import break_glass_grant

    plan = ready_plan(world)
    break_glass_grant(
        user=world.bob,
        client_id=world.client.pk,
        program_id=world.client.program_id,
        reason="Client called in crisis, Alice away",
    )
    _, raw = api_token_create(user=world.bob, name="Script", days=7)
    assert client.get(_plan_url(world, plan), **_bearer(raw)).status_code == 404
    client.force_login(world.bob)
    assert client.get(_plan_url(world, plan)).status_code == 200  # the person at the screen


def test_every_token_call_names_its_token_on_the_audit_trail(client, world):
    plan = ready_plan(world)
    token, raw = api_token_create(user=world.alice, name="Script", days=7)
    client.get(_plan_url(world, plan), **_bearer(raw), REMOTE_ADDR="203.0.113.9")
    client.get(_plan_url(world, plan), **_bearer(raw))
    # The token signs in on the trail once a minute, saying where from, not on every call ...
    event = AuditEvent.objects.get(object_type="api_token", action="login")
    assert event.object_id == str(token.pk) and event.changes["path"] == _plan_url(world, plan)
    assert event.remote_addr == "203.0.113.9"

    # ... and every read the calls made names the token; reads at the screen do not.
    def reads():
        return list(
            AuditEvent.objects.filter(action="view", client_id=world.client.pk).order_by("id")
        )

    assert [read.changes.get("api_token") for read in reads()] == [token.pk, token.pk]
    client.force_login(world.alice)
    assert client.get(_plan_url(world, plan)).status_code == 200
    assert [read.changes.get("api_token") for read in reads()] == [token.pk, token.pk, None]
    # A minute on, the next call signs in again.
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now() - timedelta(minutes=2))
    client.logout()
    client.get(_plan_url(world, plan), **_bearer(raw))
    assert AuditEvent.objects.filter(object_type="api_token", action="login").count() == 2


@pytest.mark.parametrize("kind", ["authenticator app", "backup codes"])
def test_a_token_made_without_two_factor_stops_once_its_owner_sets_up_a_device(client, world, kind):
    from django_otp.plugins.otp_static.models import StaticDevice
    from django_otp.plugins.otp_totp.models import TOTPDevice

    model = TOTPDevice if kind == "authenticator app" else StaticDevice
    plan = ready_plan(world)
    _, raw = api_token_create(user=world.alice, name="Script", days=7)
    # Someone else's device, or one not yet confirmed, changes nothing.
    model.objects.create(user=world.bob, name="Bob's", confirmed=True)
    device = model.objects.create(user=world.alice, name="Alice's", confirmed=False)
    assert client.get(_plan_url(world, plan), **_bearer(raw)).status_code == 200
    device.confirmed = True
    device.save()
    assert client.get(_plan_url(world, plan), **_bearer(raw)).status_code == 401
    _, verified = api_token_create(user=world.alice, name="Script", days=7, two_factor=True)
    assert client.get(_plan_url(world, plan), **_bearer(verified)).status_code == 200
