"""The calendar feed: a secret, revocable address kept only as a digest; what the iCalendar it
serves carries (initials, case number, kind and time, nothing else); every fetch audited."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from icalendar import Calendar

from casebridge.audit.models import AuditEvent
from casebridge.monitoring import ics
from casebridge.monitoring.models.appointments import CalendarFeed
from casebridge.monitoring.services import appointments as services
from tests.monitoring.appointment_steps import at, one, schedule


def feed_url(secret):
    return reverse("calendar_feed", kwargs={"token": secret})


def make_feed(http, person):
    http.force_login(person)
    response = http.post(reverse("calendar_feed_settings"), {"make": "1"})
    assert response.status_code == 200
    address = response.context["address"]
    assert address.startswith("http://testserver/calendar/feed/cbcal_")
    http.logout()  # a calendar app fetches without a session
    return address.removeprefix("http://testserver/calendar/feed/").removesuffix(".ics")


def fetch(http, secret):
    response = http.get(feed_url(secret))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return response.content.decode(), Calendar.from_ical(response.content)


@pytest.fixture
def booked(world):
    """A court hearing with every detail filled in, a therapy session, an obligation without a
    time, a cancelled one, and another organisation's client's hearing."""
    world.hearing = one(
        world,
        days=1,
        hour=9,
        place="Place-secret-1",
        provider="Provider-secret-2",
        accompanied_by="Escort-secret-3",
        note="Note-secret-4",
    )
    world.therapy = one(world, kind="therapy", days=2, provider="Dr-secret-5")
    cancelled = one(world, days=3)
    services.appointment_set_status(
        appointment=cancelled, by=world.alice, to_status="cancelled", version=1
    )
    services.appointment_schedule(
        client=world.foreign_client,
        by=world.charlie,
        kind="court",
        starts_at=at(1),
        ends_at=at(1, 10),
    )
    return world


def test_the_feed_parses_and_carries_only_initials_case_number_kind_and_time(client, booked):
    secret = make_feed(client, booked.alice)
    text, calendar = fetch(client, secret)
    events = sorted(calendar.events, key=lambda e: e.decoded("dtstart"))
    number = booked.client.case_number
    assert [str(e["summary"]) for e in events] == [
        f"J.R. {number}: Court hearing",
        f"J.R. {number}: Appointment (health)",
    ]
    assert events[0].decoded("dtstart") == booked.hearing.starts_at
    assert events[0].decoded("dtend") == booked.hearing.ends_at
    assert str(events[0]["uid"]) == f"appointment-{booked.hearing.pk}@casebridge"
    for secret_word in (
        "Jamie",
        "Rivera",
        "Place-secret-1",
        "Provider-secret-2",
        "Escort-secret-3",
        "Note-secret-4",
        "Dr-secret-5",
        "Therapy",
        booked.foreign_client.case_number,
    ):
        assert secret_word.lower() not in text.lower(), secret_word
    allowed = {"SUMMARY", "DTSTART", "DTEND", "DTSTAMP", "UID"}
    assert all(set(event.keys()) <= allowed for event in events)


def test_an_obligation_without_a_time_is_a_day_in_the_feed(client, world):
    series = schedule(world, kind="mutual_help", days=1)
    series.appointments.update(timed=False)
    secret = make_feed(client, world.alice)
    _, calendar = fetch(client, secret)
    [event] = calendar.events
    assert type(event.decoded("dtstart")) is date
    assert event.decoded("dtend") - event.decoded("dtstart") == timedelta(days=1)


def test_a_coach_feed_holds_their_clients_and_a_feed_of_nobody_is_empty(client, booked):
    _, coach = fetch(client, make_feed(client, booked.cody))
    assert len(coach.events) == 2
    _, bob = fetch(client, make_feed(client, booked.bob))
    assert bob.events == []


def test_every_fetch_is_audited_with_the_clients_it_showed(client, booked):
    secret = make_feed(client, booked.alice)
    fetch(client, secret)
    fetch(client, secret)
    fetches = AuditEvent.objects.filter(object_type="calendar_feed", action="view")
    assert fetches.count() == 2
    event = fetches.first()
    assert event.actor == booked.alice
    assert event.changes == {"clients": [booked.client.pk], "appointments": 2}


def test_only_a_digest_of_the_secret_is_kept_and_it_is_shown_once(client, world):
    secret = make_feed(client, world.alice)
    feed = CalendarFeed.objects.get()
    assert feed.digest != secret and secret not in feed.digest + feed.prefix
    assert len(feed.digest) == 64 and secret.startswith(feed.prefix)
    client.force_login(world.alice)
    body = client.get(reverse("calendar_feed_settings")).content.decode()
    assert secret not in body and "Your feed is on" in body


def test_revoked_unknown_or_altered_secrets_are_not_found(client, world):
    secret = make_feed(client, world.alice)
    assert (
        client.get(feed_url(secret[:-1] + ("A" if secret[-1] != "A" else "B"))).status_code == 404
    )
    assert client.get(feed_url("cbcal_" + "x" * 43)).status_code == 404
    assert client.get(feed_url("nothing")).status_code == 404
    client.force_login(world.alice)
    client.post(reverse("calendar_feed_settings"), {"revoke": "1"})
    client.logout()
    assert client.get(feed_url(secret)).status_code == 404
    refusal = AuditEvent.objects.get(action="refused", object_type="calendar_feed")
    assert refusal.actor == world.alice and refusal.changes["reason"] == "calendar_feed_revoked"


def test_a_new_address_ends_the_old_one(client, world):
    first = make_feed(client, world.alice)
    second = make_feed(client, world.alice)
    assert client.get(feed_url(first)).status_code == 404
    fetch(client, second)
    assert CalendarFeed.objects.filter(revoked_at__isnull=True).count() == 1


def test_a_changed_role_ends_the_feed(client, world):
    secret = make_feed(client, world.alice)
    world.alice.role = "coach"
    world.alice.save()
    assert client.get(feed_url(secret)).status_code == 404


def test_the_feed_page_is_for_staff_with_a_caseload(client, world):
    for person in (world.ada, world.aud):
        client.force_login(person)
        assert client.get(reverse("calendar_feed_settings")).status_code == 404
        assert client.post(reverse("calendar_feed_settings"), {"make": "1"}).status_code == 404
    assert not CalendarFeed.objects.exists()
    with pytest.raises(PermissionError):
        ics.feed_create(user=world.ada)


@pytest.mark.parametrize(
    ("first", "last", "expected"),
    [("Jamie", "Rivera", "J.R."), ("ángel", "de la Cruz", "Á.D."), ("Jo", " ", "J.")],
)
def test_initials(first, last, expected):
    assert ics.initials(first, last) == expected
