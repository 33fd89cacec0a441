"""The Referrals tab as people use it: the case manager makes, sends and closes a referral;
sending without a consent says what is needed and sends nothing; the coach, intake and
another organisation get "not found"; follow-ups and unanswered referrals are due on the
caseload."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from casebridge.audit.models import AuditEvent
from casebridge.referrals.models import Referral
from casebridge.referrals.queries import referrals_due
from tests.factories import ConsentFactory


def url(name, world, **kwargs):
    return reverse(name, kwargs={"client_id": world.client.pk, **kwargs})


NEW = {
    "provider_name": "Hope House",
    "service_name": "Recovery housing",
    "urgency": "soon",
    "reason": "Needs a sober place to live.",
    "information": ["progress"],
}


def test_the_case_manager_makes_sends_and_closes_a_referral(client, world):
    ConsentFactory(
        client=world.client,
        recipient_kind="named",
        recipient_name="Hope House",
        purpose="treatment",
        categories=["progress"],
    )
    client.force_login(world.alice)
    assert "Make a referral" in client.get(url("referral_list", world)).content.decode()
    response = client.post(url("referral_new", world), NEW)
    referral = Referral.objects.get()
    assert response.status_code == 302
    detail = url("referral_detail", world, referral_id=referral.pk)
    assert "Send the referral" in client.get(detail).content.decode()
    sent = client.post(
        url("referral_send", world, referral_id=referral.pk), {"version": 1, "method": "faxed"}
    )
    assert sent.status_code == 302
    referral.refresh_from_db()
    assert referral.status == "requested"
    moved = client.post(
        url("referral_move", world, referral_id=referral.pk),
        {"version": referral.version, "to_status": "accepted", "for_provider": "on"},
    )
    assert moved.status_code == 302
    referral.refresh_from_db()
    done = client.post(
        url("referral_move", world, referral_id=referral.pk),
        {"version": referral.version, "to_status": "completed", "outcome": "housed"},
    )
    assert done.status_code == 302
    page = client.get(detail).content.decode()
    assert "Moved in" in page
    assert "The provider&#x27;s answer, recorded by" in page or "provider's answer" in page
    listing = client.get(url("referral_list", world)).content.decode()
    assert "Recovery housing" in listing and "Completed" in listing
    assert AuditEvent.objects.filter(object_type="referral", action="view").exists()


def test_sending_without_a_consent_says_so_and_sends_nothing(client, world):
    client.force_login(world.alice)
    client.post(url("referral_new", world), NEW)
    referral = Referral.objects.get()
    response = client.post(
        url("referral_send", world, referral_id=referral.pk), {"version": 1, "method": "faxed"}
    )
    assert response.status_code == 200
    assert "No consent covers this disclosure" in response.content.decode()
    referral.refresh_from_db()
    assert referral.status == "draft"


def test_a_decline_without_a_reason_is_refused_beside_the_field(client, world):
    client.force_login(world.alice)
    client.post(url("referral_new", world), NEW | {"information": []})
    referral = Referral.objects.get()
    client.post(
        url("referral_send", world, referral_id=referral.pk), {"version": 1, "method": "phone"}
    )
    response = client.post(
        url("referral_move", world, referral_id=referral.pk),
        {"version": 2, "to_status": "rejected"},
    )
    assert response.status_code == 200
    assert 'id="id_reason_error"' in response.content.decode()
    assert Referral.objects.get().status == "requested"


@pytest.mark.parametrize("who", ["cody", "ivy", "ada", "aud", "charlie"])
def test_others_get_not_found(client, world, who):
    client.force_login(world.alice)
    client.post(url("referral_new", world), NEW)
    referral = Referral.objects.get()
    client.force_login(getattr(world, who))
    for name, kwargs in (
        ("referral_list", {}),
        ("referral_new", {}),
        ("referral_detail", {"referral_id": referral.pk}),
    ):
        assert client.get(url(name, world, **kwargs)).status_code == 404
    posted = client.post(
        url("referral_send", world, referral_id=referral.pk), {"version": 1, "method": "phone"}
    )
    assert posted.status_code == 404
    assert Referral.objects.get().status == "draft"


def test_follow_ups_and_unanswered_referrals_are_due(client, world):
    client.force_login(world.alice)
    client.post(url("referral_new", world), NEW | {"information": []})
    referral = Referral.objects.get()
    client.post(
        url("referral_send", world, referral_id=referral.pk), {"version": 1, "method": "phone"}
    )
    [follow_up] = referrals_due([world.client.pk])[world.client.pk]
    assert follow_up.label == "Referral follow-up"
    assert follow_up.due_on == timezone.localdate() + timedelta(days=3)
    referral.refresh_from_db()
    assert referral.answer_due_on == timezone.localdate() + timedelta(days=7)
    Referral.objects.filter(pk=referral.pk).update(
        answer_due_on=timezone.localdate() - timedelta(days=2)
    )
    labels = [item.label for item in referrals_due([world.client.pk])[world.client.pk]]
    assert "Referral not answered in time" in labels
    caseload = client.get(reverse("caseload")).content.decode()
    assert "Referral" in caseload
