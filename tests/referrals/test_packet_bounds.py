"""What the packet must not carry: staff's own words to the provider, medicines that are not
for a use disorder, appointments that are not treatment, the care plan's goal without the
care-plan category, and anything recorded after the referral was sent. The PDF is handed over
only by staff who may disclose."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from casebridge.monitoring.appointment_statuses import AppointmentStatus
from casebridge.monitoring.models.appointments import Appointment
from casebridge.monitoring.services.appointments import appointment_schedule
from casebridge.referrals.packet import packet_pdf, referral_packet
from casebridge.referrals.services import referral_move
from casebridge.referrals.statuses import ReferralStatus
from tests.monitoring.recovery_helpers import all_negative, prescribe, record_screen
from tests.pdf_text import pdf_words
from tests.plans.helpers import ready_plan, sign_all
from tests.referrals.test_packet import GOAL, sent_referral
from tests.referrals.test_partner_link import make_link, page_url


def words(referral):
    referral.refresh_from_db()
    return pdf_words(packet_pdf(referral_packet(referral)))


def attended(world, kind, days_ago):
    starts = timezone.now() - timedelta(days=days_ago)
    series = appointment_schedule(
        client=world.client,
        by=world.alice,
        kind=kind,
        starts_at=starts,
        ends_at=starts + timedelta(hours=1),
    )
    series.appointments.update(status=AppointmentStatus.ATTENDED, status_changed_at=starts)


def test_all_sud_records_list_only_medications_for_a_use_disorder(world):
    prescribe(world)
    prescribe(world, drug="Biktarvy (HIV antiretroviral)", use_disorder="", dose="1 tablet")
    text = words(sent_referral(world, ["all_sud"]))
    assert "Suboxone" in text
    assert "Biktarvy" not in text


def test_attendance_is_attendance_at_treatment_not_court_or_probation(world):
    attended(world, "therapy", 3)
    attended(world, "court", 5)
    attended(world, "probation", 7)
    text = words(sent_referral(world, ["attendance"]))
    assert "Therapy or counselling, attended" in text
    assert "Court hearing" not in text and "Probation" not in text
    assert Appointment.objects.filter(client=world.client).count() == 3


def test_the_goal_and_the_need_go_only_with_the_plan_or_the_assessment(world):
    plan = sign_all(ready_plan(world), world)
    goal = plan.goals.get()
    referral = sent_referral(world, ["attendance"])
    referral.goal = goal
    referral.save(update_fields=["goal"])
    text = words(referral)
    assert GOAL not in text
    assert "The need it serves" not in text
    with_plan = sent_referral(world, ["plan"], provider="Bridge House")
    with_plan.goal = goal
    with_plan.save(update_fields=["goal"])
    assert GOAL in words(with_plan)


def test_the_packet_is_the_record_as_it_was_when_sent(world):
    referral = sent_referral(world, ["drug_screens"])
    record_screen(world, results=all_negative(cocaine="positive"))
    text = words(referral)
    assert "cocaine" not in text.lower()
    assert "No drug screens are recorded" in text


def test_the_provider_never_sees_what_staff_wrote_on_a_status(client, world):
    referral = sent_referral(world, ["progress"])
    token = make_link(client, world, referral)
    referral_move(
        referral=referral,
        by=world.alice,
        to_status="received",
        version=referral.version,
        detail="Client relapsed on fentanyl last week",
    )
    client.logout()
    page = client.get(page_url(token)).content.decode()
    assert "fentanyl" not in page
    assert f"Status: <strong>{ReferralStatus.RECEIVED.label}</strong></p>" in page


@pytest.mark.parametrize("who", ["ivy", "cody", "aud", "ada", "charlie", "bob"])
def test_only_staff_who_may_disclose_download_the_pdf(client, world, who):
    referral = sent_referral(world, ["progress"])
    client.force_login(getattr(world, who))
    url = reverse("referral_packet_pdf", args=[world.client.pk, referral.pk])
    assert client.get(url).status_code == 404
