"""Court team members' read-only accounts: a judge, prosecutor, defence attorney or probation
officer reads the staffing report of their own court's hearings, for the participants the case
manager named them for, and only the parts each participant consented to share with them. No
client record of the program opens to them; each reading is audited, and the first reading of a
participant's part is recorded as a disclosure under the consent that covers it."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from casebridge.accounts.models import Role
from casebridge.audit.models import AuditEvent
from casebridge.consents.models import Disclosure
from casebridge.consents.services import consent_revoke
from casebridge.court import services
from casebridge.court.models import CourtProgram, CourtTeamMember, Hearing, Seat
from tests.court.helpers import court_consent, enrol
from tests.factories import CollateralFactory, StaffFactory
from tests.monitoring.recovery_helpers import all_negative, record_meeting, record_screen

pytestmark = pytest.mark.django_db


def days_ago(n):
    return timezone.localdate() - timedelta(days=n)


def member(world, court, seat, username, **extra):
    user = StaffFactory(
        username=username,
        first_name=username.title(),
        last_name="Court",
        organisation=world.org,
        role=Role.COURT_TEAM,
    )
    return CourtTeamMember.objects.create(user=user, court_program=court, seat=seat, **extra)


@pytest.fixture
def setting(world, court):
    """Jamie consented to share progress (not tests) with Dept 12; Morgan consented to nothing.
    Both are named for the judge's account; the next hearing is today."""
    judge = member(world, court, Seat.JUDGE, "hale")
    Hearing.objects.create(court_program=court, held_on=days_ago(14), created_by=world.sue)
    hearing = Hearing.objects.create(
        court_program=court, held_on=timezone.localdate(), created_by=world.sue
    )
    jamie = enrol(world, court, world.client, "CR-100")
    morgan = enrol(world, court, world.engagement_client, "CR-200")
    for participant in (jamie, morgan):
        participant.team_accounts.add(judge)
    record_screen(world, collected_on=days_ago(4), results=all_negative(cocaine="positive"))
    record_meeting(world, attended_on=days_ago(3))
    consent = court_consent(world, world.client, ["progress"])
    return {"judge": judge, "hearing": hearing, "jamie": jamie, "consent": consent}


def read(client, who, hearing):
    client.force_login(who.user)
    response = client.get(reverse("court_team_hearing", args=[hearing.pk]))
    return response.status_code, response.content.decode()


def test_a_member_reads_only_what_each_participant_consented_to(client, world, setting):
    status, text = read(client, setting["judge"], setting["hearing"])
    assert status == 200
    # Jamie's progress is there; the tests and meetings are not (no consent covers them).
    assert "CR-100" in text and "Phase progress, responses and recommendation" in text
    assert "cocaine" not in text.lower() and "Drug tests" not in text
    assert "Treatment and meetings" not in text
    # Morgan consented to nothing: counted, never named.
    assert "CR-200" not in text and "Morgan" not in text
    assert "1 participant named for you on this docket is not shown" in text
    assert "Notice to the recipient (42 CFR 2.32)" in text


def test_reading_is_a_disclosure_recorded_once_and_every_reading_is_audited(client, world, setting):
    read(client, setting["judge"], setting["hearing"])
    read(client, setting["judge"], setting["hearing"])
    made = Disclosure.objects.filter(disclosed_by=setting["judge"].user)
    assert made.count() == 1
    disclosure = made.get()
    assert disclosure.client == world.client and disclosure.consent == setting["consent"]
    assert disclosure.categories == ["progress"] and disclosure.method == "account"
    assert "CR-100" in disclosure.body and "cocaine" not in disclosure.body.lower()
    views = AuditEvent.objects.filter(
        object_type="court_team_staffing", actor=setting["judge"].user, client_id=world.client.pk
    )
    assert views.count() == 2


def test_when_the_consent_covers_more_the_member_reads_more(client, world, setting):
    court_consent(world, world.client, ["drug_screens", "attendance"])
    _, text = read(client, setting["judge"], setting["hearing"])
    assert "unexpected positive for cocaine" in text.lower()
    assert "Mutual-help meetings: 1." in text


def test_a_revoked_consent_takes_the_participant_out(client, world, setting):
    consent_revoke(
        consent=setting["consent"], by=world.alice, revoked_on=timezone.localdate(), method="phone"
    )
    _, text = read(client, setting["judge"], setting["hearing"])
    assert "CR-100" not in text and "Jamie" not in text
    assert "2 participants named for you on this docket are not shown" in text
    home = client.get(reverse("court_team_home")).content.decode()
    assert "CR-100" not in home and "No participant has agreed" in home
    assert not Disclosure.objects.filter(disclosed_by=setting["judge"].user).exists()


def test_only_participants_named_for_the_member_and_only_their_own_court(client, world, setting):
    other = member(world, setting["judge"].court_program, Seat.JUDGE, "ortiz")
    _, text = read(client, other, setting["hearing"])
    assert "CR-100" not in text and "not shown" not in text
    elsewhere = CourtProgram.objects.create(
        organisation=world.org, program=world.program, name="DUI Court", court_name="Dept 3"
    )
    far = member(world, elsewhere, Seat.JUDGE, "quinn")
    status, text = read(client, far, setting["hearing"])
    assert status == 404 and "CR-100" not in text


def test_the_defence_reads_under_a_consent_that_names_their_contact(client, world, setting):
    court = setting["judge"].court_program
    defence = member(world, court, Seat.DEFENCE, "dana", agency_name="County Public Defender")
    setting["jamie"].team_accounts.add(defence)
    # A consent to the court does not reach the defence attorney.
    _, text = read(client, defence, setting["hearing"])
    assert "CR-100" not in text
    attorney = CollateralFactory(client=world.client, name="Dana Court", relationship="other")
    services.court_team_set(
        participant=setting["jamie"],
        by=world.alice,
        version=setting["jamie"].version,
        defence_attorney=attorney,
    )
    court_consent(
        world,
        world.client,
        ["drug_screens"],
        criminal_justice=True,
        irrevocable_until="final disposition",
        expiry_kind="event",
        expiry_event="Final disposition of the case",
        court_team=[attorney.pk],
    )
    _, text = read(client, defence, setting["hearing"])
    assert "CR-100" in text and "Drug tests" in text
    assert "Phase progress, responses and recommendation" not in text


@pytest.mark.parametrize(
    "name,kwargs",
    [
        ("caseload", {}),
        ("my_day", {}),
        ("client_overview", {"client_id": "client"}),
        ("court_record", {"client_id": "client"}),
        ("consent_list", {"client_id": "client"}),
        ("court_hearings", {"court_id": "court"}),
        ("audit_trail", {}),
    ],
)
def test_no_page_of_the_program_opens_to_a_member(client, world, setting, name, kwargs):
    values = {"client": world.client.pk, "court": setting["judge"].court_program_id}
    client.force_login(setting["judge"].user)
    url = reverse(name, kwargs={k: values[v] for k, v in kwargs.items()})
    response = client.get(url)
    assert response.status_code == 404
    assert "Jamie" not in response.content.decode()


def test_a_member_starts_on_their_court_and_staff_find_nothing_there(client, world, setting):
    client.force_login(setting["judge"].user)
    assert client.get(reverse("home")).url == reverse("court_team_home")
    home = client.get(reverse("court_team_home")).content.decode()
    assert "CR-100" in home and "Staffing report" in home and "My court" in home
    assert "1 more participant named for you has no consent" in home
    assert AuditEvent.objects.filter(object_type="court_team_docket").count() == 1
    for staff in (world.alice, world.sue):
        client.force_login(staff)
        assert client.get(reverse("court_team_home")).status_code == 404
        assert (
            client.get(reverse("court_team_hearing", args=[setting["hearing"].pk])).status_code
            == 404
        )


def test_the_case_manager_names_who_reads_on_the_court_tab(client, world, setting):
    court = setting["judge"].court_program
    officer = member(world, court, Seat.PROBATION, "pat")
    elsewhere = CourtProgram.objects.create(
        organisation=world.org, program=world.program, name="DUI Court", court_name="Dept 3"
    )
    far = member(world, elsewhere, Seat.JUDGE, "quinn")
    jamie = setting["jamie"]
    client.force_login(world.alice)
    page = client.get(reverse("court_record", args=[world.client.pk])).content.decode()
    assert "Pat Court, probation or parole officer" in page and "Quinn" not in page
    url = reverse("court_team", args=[world.client.pk])
    refused = client.post(url, {"team-version": jamie.version, "team-accounts": [far.pk]})
    assert refused.status_code == 400
    assert "Choose among this court&#x27;s team accounts." in refused.content.decode()
    saved = client.post(
        url, {"team-version": jamie.version, "team-accounts": [officer.pk, setting["judge"].pk]}
    )
    assert saved.status_code == 302
    assert set(jamie.team_accounts.all()) == {officer, setting["judge"]}
    event = AuditEvent.objects.filter(object_type="court_participant").latest("id")
    assert event.changes["team_accounts"][1] == sorted([officer.pk, setting["judge"].pk])


def test_reading_again_costs_the_same_however_long_the_docket(world, setting):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from casebridge.court.team import team_report
    from tests.factories import ClientFactory

    judge, hearing = setting["judge"], setting["hearing"]

    def second_reading():
        team_report(judge, hearing)  # the first reading records the disclosures
        with CaptureQueriesContext(connection) as captured:
            report = team_report(judge, hearing)
        return len(captured), len(report.entries)

    few, shown = second_reading()
    for n in range(4):
        person = ClientFactory(program=world.program, primary_case_manager=world.alice)
        enrol(world, judge.court_program, person, f"CR-9{n}").team_accounts.add(judge)
        court_consent(world, person, ["progress", "drug_screens"])
    many, shown_many = second_reading()
    assert shown_many == shown + 4 and many == few


def test_a_reading_with_new_words_is_recorded_again(client, world, setting):
    court_consent(world, world.client, ["drug_screens"])
    read(client, setting["judge"], setting["hearing"])
    read(client, setting["judge"], setting["hearing"])
    made = Disclosure.objects.filter(disclosed_by=setting["judge"].user)
    assert made.count() == 2  # one for each consent: progress, and the drug tests
    first = set(made.values_list("pk", flat=True))
    record_screen(world, collected_on=days_ago(1), results=all_negative(cocaine="positive"))
    read(client, setting["judge"], setting["hearing"])
    # The words changed (a new test, and the days without use with it): recorded as read.
    again = made.exclude(pk__in=first)
    assert again.exists()
    tests = again.get(categories=["drug_screens"])
    assert "cocaine" in tests.body.lower()
    read(client, setting["judge"], setting["hearing"])
    assert made.count() == len(first) + again.count()
