"""A program sets how long a provider has to answer and how soon staff follow up after sending;
the caseload shows a referral nobody answered by then, and stops once it is answered."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from casebridge.referrals.models import Referral, ReferralRules
from casebridge.referrals.queries import referrals_due
from casebridge.referrals.services import referral_move, referral_send
from tests.referrals.test_services import draft


def labels(world):
    return [item.label for item in referrals_due([world.client.pk]).get(world.client.pk, [])]


def test_without_rules_the_defaults_hold(world):
    referral = referral_send(referral=draft(world, urgency="urgent"), by=world.alice, version=1)
    today = timezone.localdate()
    assert referral.answer_due_on == today + timedelta(days=7)
    assert referral.next_follow_up_on == today + timedelta(days=1)


def test_the_programs_rules_set_the_answer_day_and_first_follow_up(world):
    ReferralRules.objects.create(
        program=world.client.program,
        answer_within_days=2,
        follow_up_urgent_days=2,
        follow_up_soon_days=5,
        follow_up_routine_days=10,
    )
    referral = referral_send(referral=draft(world, urgency="soon"), by=world.alice, version=1)
    today = timezone.localdate()
    assert referral.answer_due_on == today + timedelta(days=2)
    assert referral.next_follow_up_on == today + timedelta(days=5)


def test_an_unanswered_referral_is_due_the_day_after_its_answer_day(world):
    referral = referral_send(referral=draft(world), by=world.alice, version=1)
    today = timezone.localdate()
    Referral.objects.filter(pk=referral.pk).update(answer_due_on=today)
    assert "Referral not answered in time" not in labels(world)
    Referral.objects.filter(pk=referral.pk).update(answer_due_on=today - timedelta(days=1))
    assert "Referral not answered in time" in labels(world)
    referral_move(referral=referral, by=world.alice, to_status="accepted", version=2)
    assert "Referral not answered in time" not in labels(world)


@pytest.mark.parametrize("days", [0, 91])
def test_rules_refuse_days_out_of_range(world, days):
    rules = ReferralRules(program=world.client.program, answer_within_days=days)
    with pytest.raises(ValidationError) as refused:
        rules.full_clean()
    assert "answer_within_days" in refused.value.message_dict


def test_a_program_administrator_sets_the_rules_and_the_change_is_audited(client, world):
    from casebridge.audit.models import AuditEvent

    client.force_login(world.ada)
    response = client.post(
        "/admin/referrals/referralrules/add/",
        {
            "program": world.program.pk,
            "answer_within_days": "3",
            "follow_up_urgent_days": "1",
            "follow_up_soon_days": "2",
            "follow_up_routine_days": "5",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert ReferralRules.objects.get().answer_within_days == 3
    event = AuditEvent.objects.get(object_type="referrals.referralrules")
    assert event.organisation_id == world.org.pk


def test_staff_who_work_with_clients_do_not_set_referral_rules(client, world):
    client.force_login(world.alice)
    response = client.get("/admin/referrals/referralrules/add/")
    assert response.status_code == 302 and "/login" in response["Location"]
