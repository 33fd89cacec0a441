"""A hearing's staffing report: built from the record since the court's previous hearing, shown
to each person only for the participants they read, and sent to the court as a PDF holding only
what each participant consented to share, every participant in it recorded as a disclosure."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from casebridge.audit.models import AuditEvent
from casebridge.audit.versions import VersionConflict
from casebridge.consents.models import Disclosure
from casebridge.court import services, staffing
from casebridge.court.models import Behaviour, Hearing, ScheduledResponse, StaffingNote
from tests.court.helpers import court_consent, enrol
from tests.factories import ClientFactory, ConsentFactory
from tests.monitoring.recovery_helpers import all_negative, record_meeting, record_screen
from tests.pdf_text import pdf_words

pytestmark = pytest.mark.django_db


def today():
    return timezone.localdate()


def days_ago(n):
    return today() - timedelta(days=n)


@pytest.fixture
def docket(world, court):
    """The last hearing two weeks ago, the next one today; Jamie (alice's) had a positive and a
    missed test, a meeting, a sanction last time; Morgan (alice's too) is also on the docket."""
    last = Hearing.objects.create(court_program=court, held_on=days_ago(14), created_by=world.sue)
    coming = Hearing.objects.create(court_program=court, held_on=today(), created_by=world.sue)
    jamie = enrol(world, court, world.client, "CR-100")
    morgan = enrol(world, court, world.engagement_client, "CR-200")
    record_screen(world, collected_on=days_ago(20), results=all_negative(cocaine="positive"))
    record_screen(world, collected_on=days_ago(9), results=all_negative(cocaine="positive"))
    record_screen(
        world,
        collected_on=days_ago(5),
        status="missed",
        specimen="",
        method="",
        panel="",
        results={},
    )
    record_meeting(world, attended_on=days_ago(3))
    use = Behaviour.objects.create(court_program=court, name="Positive test")
    ScheduledResponse.objects.create(behaviour=use, kind="sanction", description="Written essay")
    services.response_record(participant=jamie, hearing=last, behaviour=use, by=world.alice)
    return {"last": last, "coming": coming, "jamie": jamie, "morgan": morgan}


def test_the_report_holds_the_record_since_the_last_hearing(world, court, docket):
    report = staffing.staffing(world.alice, docket["coming"])
    assert report.previous == docket["last"] and report.others == 0
    entries = {e.participant.docket_number: e for e in report.entries}
    jamie = entries["CR-100"]
    assert jamie.since == days_ago(13) and jamie.until == today()
    # The test of 20 days ago was before the last hearing; the two since are listed.
    assert [day for day, _ in jamie.tests] == [days_ago(9), days_ago(5)]
    assert "unexpected positive for cocaine" in jamie.tests[0][1].lower()
    assert jamie.tests[1][1] == "missed" and jamie.skipped_tests == 1
    assert jamie.meetings == 1 and jamie.days_without_use == 9
    assert [r.description for r in jamie.responses] == ["Written essay"]
    assert entries["CR-200"].tests == [] and entries["CR-200"].responses == []
    assert jamie.missed_obligations == [] and entries["CR-200"].missed_obligations == []
    assert AuditEvent.objects.filter(object_type="court_staffing", action="view").count() == 2


def test_each_person_sees_only_the_participants_they_read(client, world, court, docket):
    client.force_login(world.bob)
    page = client.get(reverse("hearing_staffing", args=[court.pk, docket["coming"].pk]))
    text = page.content.decode()
    assert page.status_code == 200
    assert "Jamie" not in text and "CR-100" not in text and "CR-200" not in text
    assert "2 more participants on the docket are not on your caseload" in text
    client.force_login(world.alice)
    text = client.get(reverse("hearing_staffing", args=[court.pk, docket["coming"].pk])).content
    assert b"CR-100" in text and b"Written essay" in text and b"Save the recommendation" in text


def test_the_reports_queries_do_not_grow_with_the_docket(world, court, docket):
    def queries():
        with CaptureQueriesContext(connection) as captured:
            staffing.staffing(world.sue, docket["coming"])
        return len(captured)

    few = queries()
    for n in range(5):
        person = ClientFactory(program=world.program, primary_case_manager=world.alice)
        enrol(world, court, person, f"CR-3{n}")
        record_screen(world, client=person, collected_on=days_ago(2))
        record_meeting(world, client=person, attended_on=days_ago(2))
    assert queries() == few


def test_the_recommendation_is_the_case_managers_and_conflicts_are_caught(
    client, world, court, docket
):
    jamie, coming = docket["jamie"], docket["coming"]
    note = services.recommendation_save(
        participant=jamie,
        hearing=coming,
        recommendation="Essay, more groups.",
        by=world.alice,
        version=0,
    )
    with pytest.raises(VersionConflict):
        services.recommendation_save(
            participant=jamie, hearing=coming, recommendation="Other", by=world.sue, version=0
        )
    services.recommendation_save(
        participant=jamie, hearing=coming, recommendation="Essay only.", by=world.sue, version=1
    )
    note.refresh_from_db()
    assert (note.recommendation, note.version, note.written_by) == ("Essay only.", 2, world.sue)
    with pytest.raises(Exception, match="has been held"):
        services.recommendation_save(
            participant=jamie,
            hearing=docket["last"],
            recommendation="Late",
            by=world.alice,
            version=0,
        )
    client.force_login(world.alice)
    url = reverse("staffing_recommend", args=[court.pk, coming.pk, jamie.pk])
    stale = client.post(url, {f"p{jamie.pk}-recommendation": "Mine", f"p{jamie.pk}-version": 1})
    assert stale.status_code == 409 and b"Essay only." in stale.content
    assert StaffingNote.objects.get().recommendation == "Essay only."
    client.force_login(world.bob)
    refused = client.post(url, {f"p{jamie.pk}-recommendation": "Bob's", f"p{jamie.pk}-version": 2})
    assert refused.status_code == 404


def test_the_pdf_holds_only_consented_parts_and_records_each_disclosure(
    client, world, court, docket
):
    court_consent(world, world.client, ["drug_screens", "progress"])
    court_consent(world, world.engagement_client, ["attendance"], purpose="family")  # not court
    services.recommendation_save(
        participant=docket["jamie"],
        hearing=docket["coming"],
        recommendation="A written essay and two extra groups.",
        by=world.alice,
        version=0,
    )
    client.force_login(world.alice)
    url = reverse("staffing_release", args=[court.pk, docket["coming"].pk])
    response = client.post(url, {"method": "printed"})
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "CR-100" not in response["Content-Disposition"]
    words = pdf_words(response.content)
    assert "CR-100" in words and "written essay and two extra groups" in words.lower()
    assert "unexpected positive for cocaine" in words.lower()
    assert "42 CFR part 2" in words and "prohibit you from" in words
    assert "appointments kept" not in words  # attendance was not consented
    assert "Not shared, as no consent covers it: attendance" in words
    assert "CR-200" not in words and "Morgan" not in words
    disclosure = Disclosure.objects.get()
    assert disclosure.client == world.client and disclosure.purpose == "court"
    assert sorted(disclosure.categories) == ["drug_screens", "progress"]
    assert disclosure.method == "printed" and "CR-100" in disclosure.body


def test_with_no_consent_nothing_leaves_and_the_page_says_who_was_left_out(
    client, world, court, docket
):
    client.force_login(world.alice)
    url = reverse("staffing_release", args=[court.pk, docket["coming"].pk])
    response = client.post(url, {"method": "printed"})
    assert response.status_code == 400
    text = response.content.decode()
    assert "nothing to send" in text and "CR-100" in text and "CR-200" in text
    assert not Disclosure.objects.exists()
    refused = client.post(url, {"method": "carrier pigeon"})
    assert refused.status_code == 400 and not Disclosure.objects.exists()


def test_a_revoked_consent_leaves_the_participant_out(client, world, court, docket):
    court_consent(world, world.client, ["all_sud"], status="revoked", revoked_on=today())
    court_consent(world, world.engagement_client, ["progress"])
    client.force_login(world.sue)
    response = client.post(
        reverse("staffing_release", args=[court.pk, docket["coming"].pk]), {"method": "emailed"}
    )
    words = pdf_words(response.content)
    assert "CR-200" in words and "CR-100" not in words
    assert list(Disclosure.objects.values_list("client_id", flat=True)) == [
        world.engagement_client.pk
    ]


def test_a_court_referral_consent_naming_the_judge_lets_the_report_reach_the_court(
    client, world, court, docket
):
    from casebridge.court.models import Participant
    from tests.factories import CollateralFactory

    judge = CollateralFactory(client=world.client, name="Judge Reyes", relationship="judge")
    client.force_login(world.alice)
    jamie = docket["jamie"]
    page = client.get(reverse("court_record", args=[world.client.pk])).content.decode()
    assert "Name the court team" in page
    saved = client.post(
        reverse("court_team", args=[world.client.pk]), {"team-judge": judge.pk, "team-version": 1}
    )
    assert saved.status_code == 302
    assert Participant.objects.get(pk=jamie.pk).judge == judge
    foreign = CollateralFactory(name="Not theirs", relationship="judge")
    refused = client.post(
        reverse("court_team", args=[world.client.pk]), {"team-judge": foreign.pk, "team-version": 2}
    )
    assert refused.status_code == 400 and "Choose one of the client" in refused.content.decode()
    ConsentFactory(
        client=world.client,
        created_by=world.alice,
        recipient_kind="named",
        recipient_name="The Superior Court",  # not the court's name: the team makes it
        purpose="court",
        categories=["progress"],
        criminal_justice=True,
        irrevocable_until="final disposition",
        court_team=[judge.pk],
    )
    response = client.post(
        reverse("staffing_release", args=[court.pk, docket["coming"].pk]), {"method": "printed"}
    )
    words = pdf_words(response.content)
    assert "CR-100" in words and "42 CFR 2.35" in words
    assert Disclosure.objects.get().recipient_collateral_id == judge.pk


def test_the_report_lists_missed_call_ins_and_drawn_days_without_a_test(world, court, docket):
    from casebridge.court.models import Obligation

    jamie = docket["jamie"]
    for back, kind in ((3, "call_in"), (2, "test"), (20, "call_in")):  # the last: before
        Obligation.objects.create(
            participant=jamie, client=world.client, day=days_ago(back), kind=kind, kept=False
        )
    Obligation.objects.create(
        participant=jamie, client=world.client, day=days_ago(1), kind="call_in", kept=True
    )
    report = staffing.staffing(world.alice, docket["coming"])
    entry = next(e for e in report.entries if e.participant == jamie)
    assert entry.missed_obligations == [
        (days_ago(3), "Call-in"),
        (days_ago(2), "Drug test on a drawn day"),
    ]
