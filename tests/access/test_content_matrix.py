"""What each role sees on the pages that gather a client's record: timelines, the client header,
lists. Entries of every kind are written through the real services, each carrying a marker; a
role may find a marker on a page only when the policy gives it the action the entry needs.

The status matrix (test_url_matrix.py) says who may open a page; this one says what the page
holds once opened."""

from datetime import datetime, time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from casebridge.access.models import BreakGlassGrant
from casebridge.assessments.models import InstrumentSchedule
from casebridge.assessments.services import addendum_add, instrument_record
from casebridge.clients.models import Collateral
from casebridge.clients.services import case_move_stage, flag_raise
from casebridge.consents.gate import Recipient
from casebridge.consents.services import disclosure_record, disclosure_record_emergency
from casebridge.monitoring import services as monitoring_services
from casebridge.monitoring.services.appointments import appointment_schedule, appointment_set_status
from casebridge.monitoring.services.medications import medication_record
from casebridge.monitoring.services.meetings import meeting_record
from casebridge.monitoring.services.screens import screen_record
from casebridge.plans.models import PlanRules, PlanTask
from casebridge.plans.services import task_close
from tests.factories import ConsentFactory
from tests.plans.helpers import ready_plan, sign_all, signed_assessment

# marker -> the action a viewer needs to see it
MARKERS = {
    "PHQ-9": "read_clinical",  # a screening score on the timeline, the due list and flag notes
    "Assessment signed": "read_clinical",
    "Addendum-marker-7731": "read_clinical",
    "Flag-note-marker-5512": "read_clinical",
    "Emergency-reason-marker-0412": "read_clinical",
    "Task-note-marker-9183": "read_clinical",
    "Care plan review": "read_clinical",
    "Shared-marker-2207": "disclose",
    "Emergency-nature-marker-6650": "disclose",
    "Stage-reason-marker-3381": "view",
    "Consent in effect": "view",
    "Note-content-marker-4410": "read_clinical",  # a contact note's text
    "Place-marker-6120": "read_clinical",  # where a contact happened
    "Note-addendum-marker-1195": "read_clinical",
    "Help-marker-8821": "check_in",  # what a check-in says the client needs help with
    "Coaching-marker-3307": "view",  # a coaching session's next step: for the whole team
    # A health appointment's place and provider; a court hearing's place is for the whole team.
    "Therapy-place-marker-5801": "read_clinical",
    "Therapist-marker-5802": "read_clinical",
    "Court-place-marker-5803": "view",
    "MDMA": "read_clinical",  # a substance a drug screen found
    "Medication-marker-5150": "read_clinical",  # a medication's name
    "since last known use": "read_clinical",  # the sobriety date comes from screens
    "MOUD prescription": "read_clinical",  # a MOUD gap, due on the header and the caseload
    "Meeting-marker-2424": "check_in",  # which meeting the client went to
}

# What each person may do on the seeded client (the policy's rules for their role).
ALLOWED = {
    "alice": {"view", "read_clinical", "disclose", "check_in"},
    "sue": {"view", "read_clinical", "disclose", "check_in"},
    "cody": {"view", "check_in"},
    # bob is not assigned: he reads the record through emergency access only.
    "bob": {"view", "read_clinical"},
    # jude, the drug court's judge, reads through a court team account: no page of the record,
    # even with a consent to the court in effect (their pages are the court's: below).
    "jude": set(),
}

PAGES = [
    "client_overview",
    "client_timeline",
    "collateral_list",
    "consent_list",
    "consent_detail",
    "contact_log",
    "note_detail",
    "check_in_list",
    "client_calendar",
    "recovery",
    "recovery_capital",
    "family_client",
]
# Pages that need more than "view" to open at all; the others open for everyone above.
PAGE_NEEDS = {
    "note_detail": "read_clinical",
    "check_in_list": "check_in",
    "family_client": "read_clinical",
}


@pytest.fixture
def seeded(world):
    """One client with an entry of every kind on the timeline and something due of every kind."""
    client = world.client
    InstrumentSchedule.objects.create(program=client.program, instrument="phq9", every_days=1)
    PlanRules.objects.create(program=client.program, review_every_days=7)
    mother = Collateral.objects.create(client=client, name="Pat Rivera", relationship="family")
    world.consent = ConsentFactory(
        client=client, recipient_collateral=mother, created_by=world.alice
    )
    from casebridge.clients.services import timeline_add

    # A consent's lifecycle is on every viewer's timeline.
    timeline_add(
        client=client, kind="consent", summary="Consent in effect: Pat Rivera", actor=world.alice
    )
    # Item 9 above 0 raises the safety flag, whose note quotes the screen.
    instrument_record(
        client=client, by=world.alice, code="phq9", answers={str(i): 1 for i in range(1, 10)}
    )
    assessment = signed_assessment(client, world.alice)
    addendum_add(assessment=assessment, by=world.alice, text="Addendum-marker-7731")
    flag_raise(client=client, by=world.alice, kind="medical", note="Flag-note-marker-5512")
    plan = sign_all(ready_plan(world), world)
    task = PlanTask.objects.get(client=client, status="open")
    task_close(task=task, by=world.alice, done=True, note="Task-note-marker-9183")
    disclosure_record(
        client=client,
        by=world.alice,
        recipient=Recipient(name=mother.name, collateral_id=mother.pk),
        categories={"attendance"},
        purpose=world.consent.purpose,
        description="Shared-marker-2207",
        method="printed",
    )
    disclosure_record_emergency(
        client=client,
        by=world.alice,
        personnel="Dr. Ortiz",
        facility="County General",
        nature="Emergency-nature-marker-6650",
        description="Medicines list",
        method="phone",
    )
    client.refresh_from_db()
    case_move_stage(
        client=client,
        to_stage="review",
        by=world.alice,
        reason="Stage-reason-marker-3381",
        version=client.version,
    )
    # bob opens the record in an emergency; his reason is on the timeline.
    from casebridge.clients.services import emergency_access

    emergency_access(
        user=world.bob, case_number=client.case_number, reason="Emergency-reason-marker-0412"
    )
    # A contact note, a check-in and a coaching session.
    world.note = monitoring_services.note_save(
        client=client,
        by=world.alice,
        sign=True,
        contact_at=timezone.now() - timedelta(hours=3),
        contact_type="visit",
        duration_minutes=40,
        place="Place-marker-6120",
        sections={
            "data": "Note-content-marker-4410",
            "assessment": "Steady",
            "plan": "Next week",
        },
    )
    monitoring_services.note_addendum_add(
        note=world.note, by=world.alice, text="Note-addendum-marker-1195"
    )
    monitoring_services.check_in_record(
        client=client,
        by=world.cody,
        mood=6,
        craving=4,
        used_since_last=False,
        sleep="well",
        needs_help_with="Help-marker-8821",
    )
    monitoring_services.coaching_session_record(
        client=client,
        by=world.cody,
        session_on=timezone.localdate(),
        kind="in_person",
        duration_minutes=60,
        topics=["meetings"],
        next_step="Coaching-marker-3307",
    )
    # This week on the calendar: a therapy session missed early today (on the timeline for the
    # clinical team) and a court hearing after it.
    midnight = timezone.make_aware(datetime.combine(timezone.localdate(), time.min))
    therapy = appointment_schedule(
        client=client,
        by=world.alice,
        kind="therapy",
        starts_at=midnight,
        ends_at=midnight + timedelta(minutes=30),
        place="Therapy-place-marker-5801",
        provider="Therapist-marker-5802",
    ).appointments.get()
    appointment_set_status(appointment=therapy, by=world.alice, to_status="missed", version=1)
    appointment_schedule(
        client=client,
        by=world.alice,
        kind="court",
        starts_at=midnight + timedelta(minutes=30),
        ends_at=midnight + timedelta(minutes=60),
        place="Court-place-marker-5803",
    )
    # A review is overdue, so "Care plan review" is on the due list.
    plan.activated_at = timezone.now() - timedelta(days=30)
    plan.save(update_fields=["activated_at"])
    # A drug screen positive for MDMA, a MOUD prescription running out with no next one, and
    # a meeting.
    screen_record(
        client=client,
        by=world.alice,
        collected_on=timezone.localdate() - timedelta(days=2),
        status="tested",
        specimen="urine",
        method="point_of_care",
        panel="",
        results={"mdma": "positive"},
    )
    medication_record(
        client=client,
        by=world.alice,
        drug="Medication-marker-5150",
        use_disorder="buprenorphine",
        dose="8 mg daily",
        started_on=timezone.localdate() - timedelta(days=25),
        ends_on=timezone.localdate() + timedelta(days=3),
    )
    meeting_record(
        client=client,
        by=world.cody,
        attended_on=timezone.localdate(),
        fellowship="na",
        verification="coach",
        meeting_name="Meeting-marker-2424",
    )
    _court_team(world)
    return world


def _court_team(world):
    """The client is on a drug court's docket, with a hearing today; the judge reads through a
    court team account, under a consent to share the client's progress with the court."""
    from casebridge.accounts.models import Role
    from casebridge.court.models import CourtProgram, CourtTeamMember, Hearing, Phase, Seat
    from casebridge.court.services import participant_enrol
    from tests.factories import StaffFactory

    court = CourtProgram.objects.create(
        organisation=world.org, program=world.program, name="Drug Court", court_name="Dept 9"
    )
    Phase.objects.create(court_program=court, number=1, name="One")
    participant = participant_enrol(
        client=world.client,
        court_program=court,
        by=world.sue,
        docket_number="DC-9",
        charge_category="possession",
        track="post_plea",
        entered_on=timezone.localdate() - timedelta(days=20),
    )
    world.jude = StaffFactory(
        username="jude", first_name="Jude", organisation=world.org, role=Role.COURT_TEAM
    )
    seat = CourtTeamMember.objects.create(user=world.jude, court_program=court, seat=Seat.JUDGE)
    participant.team_accounts.add(seat)
    ConsentFactory(
        client=world.client,
        created_by=world.alice,
        recipient_kind="named",
        recipient_name="Dept 9",
        purpose="court",
        categories=["progress"],
    )
    world.hearing = Hearing.objects.create(
        court_program=court, held_on=timezone.localdate(), created_by=world.sue
    )


def _page(http, world, person, name):
    http.force_login(getattr(world, person))
    kwargs = {"client_id": world.client.pk}
    if name == "consent_detail":
        kwargs["consent_id"] = world.consent.pk
    if name == "note_detail":
        kwargs["note_id"] = world.note.pk
    response = http.get(reverse(name, kwargs=kwargs))
    return response


def test_the_seeded_record_carries_every_marker_for_the_case_manager(client, seeded):
    """Guard for the test itself: each marker does reach a page for someone allowed to see it."""
    found = ""
    for name in PAGES:
        response = _page(client, seeded, "alice", name)
        assert response.status_code == 200, name
        found += response.content.decode()
    missing = [marker for marker in MARKERS if marker not in found]
    assert not missing, f"the seeding does not show these markers to alice: {missing}"


@pytest.mark.parametrize("name", PAGES)
@pytest.mark.parametrize("person", sorted(ALLOWED))
def test_pages_hold_only_what_the_role_may_see(client, seeded, person, name):
    response = _page(client, seeded, person, name)
    opens = PAGE_NEEDS.get(name, "view") in ALLOWED[person]
    assert response.status_code == (200 if opens else 404), (
        f"{person} {name}: {response.status_code}"
    )
    body = response.content.decode()
    leaked = [
        marker
        for marker, needs in MARKERS.items()
        if needs not in ALLOWED[person] and marker in body
    ]
    assert not leaked, f"{person} sees on {name} what the role may not: {leaked}"


def test_the_judge_reads_the_consented_progress_and_nothing_else(client, seeded):
    client.force_login(seeded.jude)
    response = client.get(reverse("court_team_hearing", args=[seeded.hearing.pk]))
    body = response.content.decode()
    assert response.status_code == 200 and "DC-9" in body
    assert "Phase progress, responses and recommendation" in body
    leaked = [marker for marker in MARKERS if marker in body]
    assert not leaked, f"the judge reads what the client did not consent to share: {leaked}"
    home = client.get(reverse("court_team_home")).content.decode()
    assert "DC-9" in home and not [marker for marker in MARKERS if marker in home]


def test_a_coach_sees_that_a_contact_happened_and_never_what_the_note_says(client, seeded):
    timeline = _page(client, seeded, "cody", "client_timeline").content.decode()
    assert "Home or community visit on" in timeline and "40 minutes" in timeline
    assert "by Alice" in timeline
    contact_log = _page(client, seeded, "cody", "contact_log").content.decode()
    assert "Coaching-marker-3307" in contact_log
    assert "Note-content-marker-4410" not in contact_log + timeline


def test_a_coach_sees_that_a_safety_concern_exists_and_what_to_do(client, seeded):
    body = _page(client, seeded, "cody", "client_overview").content.decode()
    assert "Safety concern" in body
    assert "988" in body
    assert "PHQ-9" not in body


@pytest.mark.parametrize("person", ["cody"])
def test_the_coach_caseload_lists_nothing_clinical_as_due(client, seeded, person):
    client.force_login(getattr(seeded, person))
    body = client.get(reverse("caseload")).content.decode()
    assert seeded.client.case_number in body
    for marker, needs in MARKERS.items():
        if needs not in ALLOWED[person]:
            assert marker not in body, marker


def test_every_due_item_a_coach_sees_opens_for_the_coach(client, seeded):
    """A due item links to a page the viewer may open, never to a "not found"."""
    response = _page(client, seeded, "cody", "client_overview")
    for item in response.context["due"]:
        page = client.get(reverse(item.url_name, kwargs={"client_id": seeded.client.pk}))
        assert page.status_code == 200, item.label


def test_intake_sees_an_engagement_client_without_what_was_shared(client, world):
    """Intake coordinators read the clinical record of new clients but do not disclose."""
    mother = Collateral.objects.create(
        client=world.engagement_client, name="Sam Lee", relationship="family"
    )
    consent = ConsentFactory(
        client=world.engagement_client, recipient_collateral=mother, created_by=world.alice
    )
    disclosure_record(
        client=world.engagement_client,
        by=world.alice,
        recipient=Recipient(name=mother.name, collateral_id=mother.pk),
        categories={"attendance"},
        purpose=consent.purpose,
        description="Shared-marker-2207",
        method="printed",
    )
    client.force_login(world.ivy)
    for name in ["client_overview", "client_timeline"]:
        url = reverse(name, kwargs={"client_id": world.engagement_client.pk})
        response = client.get(url)
        assert response.status_code == 200
        assert "Shared-marker-2207" not in response.content.decode()
    client.force_login(world.alice)
    url = reverse("client_timeline", kwargs={"client_id": world.engagement_client.pk})
    assert "Shared-marker-2207" in client.get(url).content.decode()


def test_emergency_access_ends_with_its_grant(client, seeded):
    BreakGlassGrant.objects.filter(user=seeded.bob).update(expires_at=timezone.now())
    assert _page(client, seeded, "bob", "client_timeline").status_code == 404
