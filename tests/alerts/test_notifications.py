"""People hear of new alerts by email and text as they prefer, never during their quiet hours
unless they are on call, with a link and a count only; a rerun sends nothing twice."""

from datetime import time, timedelta

import pytest
from django.core import mail
from django.utils import timezone

from casebridge.alerts.models import Notification, NotificationPreference
from casebridge.alerts.notifications import queue_notifications, quiet_until, send_due
from casebridge.alerts.services import concern_raise, evaluate_clients
from casebridge.alerts.sms import LocmemBackend
from casebridge.clients.services import flag_raise
from casebridge.safety.models import OnCallShift
from tests.alerts.helpers import check_in, later

pytestmark = pytest.mark.django_db


@pytest.fixture
def texts(settings):
    settings.SMS_BACKEND = "casebridge.alerts.sms.LocmemBackend"
    LocmemBackend.outbox.clear()
    yield LocmemBackend.outbox
    LocmemBackend.outbox.clear()


def _urgent_alert(world):
    """A safety concern open a day without follow-up: urgent."""
    flag_raise(client=world.client, by=world.alice, kind="safety", note="PHQ-9 item 9")
    evaluate_clients([world.client.pk], now=later(hours=25))


def test_the_case_manager_gets_one_email_with_a_link_and_a_count_only(world):
    check_in(world, craving=9, used_since_last=True, use_detail="Whiskey at Tom's")
    evaluate_clients([world.client.pk])
    assert send_due() == 1
    (email,) = mail.outbox
    assert email.to == [world.alice.email]
    assert "2 new alerts" in email.body and "/my-day/" in email.body
    for secret in ("Jamie", "Rivera", world.client.case_number, "Craving", "Whiskey", "used"):
        assert secret not in email.body and secret not in email.subject
    assert send_due() == 0  # nothing twice
    assert len(mail.outbox) == 1


def test_a_low_alert_sends_nothing_by_default(world):
    world.client.save()
    evaluate_clients([world.client.pk], now=later(days=60))  # contact overdue: normal
    assert send_due(now=later(days=60)) == 0
    assert mail.outbox == []


def test_texts_go_to_those_who_ask_for_them(world, texts):
    NotificationPreference.objects.create(
        user=world.alice, email_from=None, sms_from=2, sms_number="555-201-0000"
    )
    check_in(world, craving=9)
    evaluate_clients([world.client.pk])
    send_due()
    assert mail.outbox == []
    (text,) = texts
    assert text.to == "555-201-0000" and "1 new alert" in text.body and "Jamie" not in text.body


@pytest.mark.parametrize(
    ("start", "end", "at", "held"),
    [
        (time(20), time(7), time(22), True),
        (time(20), time(7), time(6, 59), True),
        (time(20), time(7), time(7), False),
        (time(12), time(13), time(12, 30), True),
        (time(12), time(13), time(13, 30), False),
    ],
)
def test_quiet_hours_hold_a_notification_until_they_end(world, start, end, at, held):
    preference = NotificationPreference(user=world.alice, quiet_from=start, quiet_until=end)
    now = timezone.make_aware(timezone.datetime.combine(timezone.localdate(), at))
    ends = quiet_until(preference, now)
    assert (ends is not None) == held
    if held:
        assert ends > now and timezone.localtime(ends).time() == end


def test_a_notification_in_quiet_hours_waits_and_then_goes(world):
    local_now = timezone.localtime()
    NotificationPreference.objects.create(
        user=world.alice,
        quiet_from=(local_now - timedelta(hours=1)).time(),
        quiet_until=(local_now + timedelta(hours=1)).time(),
    )
    check_in(world, craving=9)
    evaluate_clients([world.client.pk])
    assert send_due() == 0
    assert send_due(now=later(hours=2)) == 1


def test_someone_on_call_for_the_clients_program_hears_even_in_quiet_hours(world):
    local_now = timezone.localtime()
    NotificationPreference.objects.create(
        user=world.alice,
        quiet_from=(local_now - timedelta(hours=1)).time(),
        quiet_until=(local_now + timedelta(hours=1)).time(),
    )
    OnCallShift.objects.create(
        program=world.other_program,
        user=world.alice,
        starts_at=timezone.now() - timedelta(hours=2),
        ends_at=timezone.now() + timedelta(hours=10),
        created_by=world.sue,
    )
    check_in(world, craving=9)
    evaluate_clients([world.client.pk])
    assert send_due() == 0  # on call for another program: her quiet hours hold
    shift = OnCallShift.objects.get()
    shift.program = world.program
    shift.save()
    check_in(world, used_since_last=True, use_detail="x")
    evaluate_clients([world.client.pk])
    assert send_due() == 1  # on call for the client's program: at once
    assert not Notification.objects.filter(user=world.bob).exists()  # on call is not a recipient


def test_nobody_who_cannot_see_the_alert_or_was_switched_off_is_told(world):
    from casebridge.clients.models import Client

    Client.objects.filter(pk=world.client.pk).update(secondary_case_manager=world.otto)
    _urgent_alert(world)
    assert send_due(now=later(hours=25)) == 1
    assert [m.to for m in mail.outbox] == [[world.alice.email]]  # not otto: another program's
    assert Notification.objects.filter(user=world.otto, sent_at__isnull=True).count() == 0
    world.alice.is_active = False
    world.alice.save()
    check_in(world, craving=9)
    evaluate_clients([world.client.pk])
    assert send_due() == 0
    assert len(mail.outbox) == 1


def test_the_person_who_raised_a_concern_is_not_told_of_it(world):
    concern_raise(client=world.client, by=world.alice, text="Missed two groups")
    assert not Notification.objects.filter(user=world.alice).exists()
    concern_raise(client=world.client, by=world.cody, text="Sounded drunk on the phone")
    assert Notification.objects.filter(user=world.alice).count() == 1


def test_queueing_twice_writes_one_row_per_person_and_channel(world):
    check_in(world, craving=9)
    evaluate_clients([world.client.pk])
    alert_ids = list(Notification.objects.values_list("alert_id", flat=True))
    queue_notifications(alert_ids)
    assert Notification.objects.count() == len(alert_ids) == 1


def test_a_long_gap_in_care_is_emailed_to_the_programs_supervisor_too(world):
    from tests.transitions.helpers import stepping_down

    stepping_down(world, left=15)
    evaluate_clients([world.client.pk])
    assert send_due() >= 2
    to = {address for email in mail.outbox for address in email.to}
    assert world.sue.email in to and world.alice.email in to
    assert world.otto.email not in to  # a supervisor of another program hears nothing
    supervisor_rows = Notification.objects.filter(user=world.sue)
    assert supervisor_rows.exists()
    assert all(row.alert.for_supervisor for row in supervisor_rows)


def test_the_supervisor_sees_the_escalation_on_my_day(client, world):
    from tests.transitions.helpers import stepping_down

    stepping_down(world, left=15)
    evaluate_clients([world.client.pk])
    client.force_login(world.sue)
    page = client.get("/my-day/").content.decode()
    assert "Raised with you as supervisor" in page
    assert "Gap in care over 14 days: not admitted at Bridge IOP" in page
    client.force_login(world.otto)
    assert "Raised with you as supervisor" not in client.get("/my-day/").content.decode()
