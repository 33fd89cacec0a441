"""What the on-call pages show is read and recorded as a read; searches stay out of URLs; dates
out of range are refused, not a server error."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from casebridge.audit.models import AuditEvent
from casebridge.safety import services
from tests.safety.helpers import shift_now

pytestmark = pytest.mark.django_db


def test_a_search_in_the_url_finds_nobody_the_form_posts_it(client, world):
    shift_now(world)
    client.force_login(world.bob)
    in_url = client.get(reverse("on_call_find"), {"q": "Rivera"}).content.decode()
    assert reverse("on_call_client", args=[world.client.pk]) not in in_url
    posted = client.post(reverse("on_call_find"), {"q": "Rivera"}).content.decode()
    assert reverse("on_call_client", args=[world.client.pk]) in posted
    assert 'method="post" role="search"' in posted


def test_the_on_call_page_records_which_clients_calls_it_showed(client, world):
    shift_now(world)
    services.after_hours_record(
        program=world.program,
        by=world.sue,
        at=timezone.now() - timedelta(minutes=30),
        caller="the client",
        what_happened="Said she took 20 pills",
        what_was_done="Called 911",
        follow_up_needed=True,
        client=world.client,
    )
    client.force_login(world.bob)
    body = client.get(reverse("on_call")).content.decode()
    assert "Said she took 20 pills" in body
    listed = AuditEvent.objects.get(actor=world.bob, object_type="after_hours_contacts")
    assert listed.changes["client_ids"] == [world.client.pk]


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01", "1899-12-31"])
def test_a_shift_or_a_call_on_an_impossible_day_is_refused_in_words(client, world, day):
    client.force_login(world.sue)
    roster = client.post(
        reverse("on_call_roster", args=[world.program.pk]),
        {
            "user": world.bob.pk,
            "start_date": "2026-12-10",
            "start_time": "17:00",
            "end_date": day,
            "end_time": "23:59",
        },
    )
    assert roster.status_code == 400 and "between 1900 and 2100" in roster.content.decode()
    shift_now(world)
    client.force_login(world.bob)
    log = client.post(
        reverse("after_hours_new"),
        {
            "program": world.program.pk,
            "date": day,
            "time": "23:59",
            "caller": "c",
            "what_happened": "h",
            "what_was_done": "d",
        },
    )
    assert log.status_code == 400 and "between 1900 and 2100" in log.content.decode()
