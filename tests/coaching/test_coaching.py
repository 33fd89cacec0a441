"""A coach assigned with an intensity and an agreement: by the supervisor, or by the case
manager where the program allows; and the coach's day, from each agreement and the last
coaching session or check-in."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from casebridge.audit.models import AuditEvent
from casebridge.clients.models import AssignmentChange
from casebridge.coaching import queries, services
from casebridge.coaching.models import CoachingAgreement, CoachingRules
from casebridge.monitoring import services as monitoring_services
from tests.factories import ClientFactory

pytestmark = pytest.mark.django_db


def today():
    return timezone.localdate()


def assign(world, client=None, by=None, intensity="daily", started_on=None, **extra):
    client = client or world.client
    client.refresh_from_db()
    return services.coach_assign(
        client=client,
        by=by or world.sue,
        coach=world.cody,
        intensity=intensity,
        agreement="A call every morning before work; Cody tells Alice if a day is missed.",
        started_on=started_on or today(),
        version=client.version,
        **extra,
    )


def session(world, client, day):
    monitoring_services.coaching_session_record(
        client=client,
        by=world.cody,
        session_on=day,
        kind="phone",
        duration_minutes=20,
        topics=["meetings"],
        next_step="",
    )


def test_the_supervisor_assigns_a_coach_with_an_agreement(world):
    person = ClientFactory(program=world.program, primary_case_manager=world.alice)
    first = assign(
        world, client=person, intensity="weekly", started_on=today() - timedelta(days=10)
    )
    person.refresh_from_db()
    assert person.coach == world.cody
    assert AssignmentChange.objects.filter(client=person, role="coach").count() == 1
    second = assign(world, client=person, intensity="daily")
    first.refresh_from_db()
    assert first.ended_on == today() and second.ended_on is None
    assert CoachingAgreement.objects.filter(client=person, ended_on=None).get() == second
    event = AuditEvent.objects.filter(object_type="coaching_agreement").latest("id")
    assert event.changes["intensity"] == ["weekly", "daily"]


def test_the_case_manager_assigns_only_where_the_program_allows(client, world):
    client.force_login(world.alice)
    url = reverse("coaching_client", args=[world.client.pk])
    page = client.get(url).content.decode()
    assert "Assign a coach" not in page
    assert client.post(url, {}).status_code == 404
    CoachingRules.objects.create(program=world.program, case_managers_assign=True)
    assert "Assign a coach" in client.get(url).content.decode()
    refused = client.post(url, {"version": world.client.version, "started_on": today()})
    assert refused.status_code == 400
    text = refused.content.decode()
    assert "Choose the coach." in text and "Write what the client and the coach agreed." in text
    saved = client.post(
        url,
        {
            "coach": world.cody.pk,
            "intensity": "several",
            "agreement": "Calls on Monday, Wednesday and Friday.",
            "started_on": today().isoformat(),
            "version": world.client.version,
        },
    )
    assert saved.status_code == 302
    assert CoachingAgreement.objects.get(client=world.client).made_by == world.alice


def test_the_coach_reads_the_agreement_and_cannot_change_it(client, world):
    assign(world)
    client.force_login(world.cody)
    url = reverse("coaching_client", args=[world.client.pk])
    page = client.get(url).content.decode()
    assert "A call every morning" in page and "Save the coach" not in page
    assert client.post(url, {}).status_code == 404


def test_a_stale_form_is_refused_not_merged(client, world):
    client.force_login(world.sue)
    url = reverse("coaching_client", args=[world.client.pk])
    stale = world.client.version
    assign(world)
    response = client.post(
        url,
        {
            "coach": world.cody.pk,
            "intensity": "weekly",
            "agreement": "Weekly.",
            "started_on": today().isoformat(),
            "version": stale,
        },
    )
    assert response.status_code == 409
    assert CoachingAgreement.objects.get(client=world.client).intensity == "daily"


def test_the_coachs_day_says_who_to_reach_and_who_has_gone_too_long(world):
    daily = world.client
    weekly = ClientFactory(program=world.program, primary_case_manager=world.alice)
    several = ClientFactory(program=world.program, primary_case_manager=world.alice)
    started = today() - timedelta(days=20)
    assign(world, client=daily, intensity="daily", started_on=started)
    assign(world, client=weekly, intensity="weekly", started_on=started)
    assign(world, client=several, intensity="several", started_on=started)
    session(world, daily, today() - timedelta(days=3))  # due two days ago
    session(world, weekly, today() - timedelta(days=7))  # due today
    monitoring_services.check_in_record(
        client=several, by=world.cody, mood=6, craving=2, used_since_last=False, sleep="well"
    )  # due the day after tomorrow
    day = queries.coach_day(world.cody)
    assert [r.client for r in day.missed] == [daily] and day.missed[0].days_over(today()) == 2
    assert [r.client for r in day.due] == [weekly]
    assert [r.client for r in day.later] == [several]
    assert day.later[0].due_on == today() + timedelta(days=2)


def test_the_coachs_day_costs_the_same_however_many_clients(world):
    assign(world)

    def count():
        with CaptureQueriesContext(connection) as captured:
            queries.coach_day(world.cody)
        return len(captured)

    few = count()
    for _ in range(4):
        other = ClientFactory(program=world.program, primary_case_manager=world.alice)
        assign(world, client=other)
        session(world, other, today())
    assert count() == few


def test_only_a_coach_of_the_clients_program_may_be_assigned(world):
    from django.core.exceptions import ValidationError

    from casebridge.accounts.models import Role
    from tests.factories import StaffFactory

    elsewhere = StaffFactory(
        username="remy", organisation=world.org, role=Role.COACH, programs=[world.other_program]
    )
    world.client.refresh_from_db()
    with pytest.raises(ValidationError) as refused:
        services.coach_assign(
            client=world.client,
            by=world.sue,
            coach=elsewhere,
            intensity="daily",
            agreement="Daily.",
            started_on=today(),
            version=world.client.version,
        )
    assert "does not work in this client's program" in str(refused.value)
    assert not CoachingAgreement.objects.exists()


def test_a_coach_changed_on_the_assignment_page_leaves_no_agreement_in_effect(client, world):
    from casebridge.clients.services import client_assign

    assign(world)
    world.client.refresh_from_db()
    client_assign(
        client=world.client,
        by=world.sue,
        role="coach",
        to_user=None,
        reason="Coach left",
        version=world.client.version,
    )
    client.force_login(world.sue)
    page = client.get(reverse("coaching_client", args=[world.client.pk])).content.decode()
    assert "No coach yet." in page and "A call every morning" not in page.split("Before")[0]
    assert queries.coach_day(world.cody).due == []


def test_the_coaches_to_choose_from_are_read_once_however_many(client, world):
    from tests.factories import StaffFactory

    coaches = [
        StaffFactory(organisation=world.org, role="coach", programs=[world.program])
        for _ in range(5)
    ]
    client.force_login(world.sue)
    with CaptureQueriesContext(connection) as read:
        page = client.get(reverse("coaching_client", args=[world.client.pk])).content.decode()
    assert "Assign a coach" in page
    assert all(f">{coach.display_name}</option>" in page for coach in coaches)
    reads = [
        query["sql"]
        for query in read.captured_queries
        if 'FROM "accounts_user"' in query["sql"]
        and ("'coach'" in query["sql"] or '"accounts_user"."id" IN (' in query["sql"])
    ]
    assert len(reads) == 1, reads


def _options(page):
    select = page.split('name="coach"')[1].split("</select>")[0]
    return select.count('<option value="') - select.count('<option value=""')


def test_a_program_with_many_coaches_lists_some_and_finds_the_rest_by_name(client, world):
    """Sixty coaches: the form lists the first fifty by name and the present coach, says so, and
    a name finds the others; any coach of the program may still be saved, one of another
    program may not; the page reads the same queries as with a handful of coaches."""
    from casebridge.coaching.views import COACHES_SHOWN
    from tests.factories import StaffFactory

    assert COACHES_SHOWN == 50
    assign(world)  # Cody, whose first name sorts among the last
    world.client.refresh_from_db()
    coaches = [
        StaffFactory(
            organisation=world.org,
            role="coach",
            programs=[world.program],
            first_name=f"Aa{n:02}",
            last_name="Coach",
        )
        for n in range(60)
    ]
    url = reverse("coaching_client", args=[world.client.pk])
    client.force_login(world.sue)
    client.get(url)  # the first page of a session reads what later ones keep
    with CaptureQueriesContext(connection) as read:
        page = client.get(url).content.decode()
    many = len(read.captured_queries)
    assert _options(page) == COACHES_SHOWN + 1  # the first fifty and Cody
    assert f"selected>{world.cody.display_name}</option>" in page
    assert f">{coaches[49].display_name}</option>" in page
    assert f">{coaches[59].display_name}</option>" not in page
    assert "The first 50 coaches by name are listed" in page
    found = client.get(url, {"coach_name": "aa59"}).content.decode()
    assert f">{coaches[59].display_name}</option>" in found
    assert f">{coaches[0].display_name}</option>" not in found
    assert f"selected>{world.cody.display_name}</option>" in found  # kept while searching
    saved = client.post(
        url,
        {
            "coach": coaches[59].pk,
            "intensity": "weekly",
            "agreement": "A call on Mondays.",
            "started_on": today().isoformat(),
            "version": world.client.version,
        },
    )
    assert saved.status_code == 302
    world.client.refresh_from_db()
    assert world.client.coach_id == coaches[59].pk
    elsewhere = StaffFactory(organisation=world.org, role="coach", programs=[world.other_program])
    refused = client.post(
        url,
        {
            "coach": elsewhere.pk,
            "intensity": "weekly",
            "agreement": "A call on Mondays.",
            "started_on": today().isoformat(),
            "version": world.client.version,
        },
    )
    assert refused.status_code == 400
    assert "Choose a coach of the client" in refused.content.decode()
    # A handful left: the present coach (coaches[59]) and three more.
    type(world.cody).objects.filter(pk__in=[c.pk for c in coaches[3:59]]).update(is_active=False)
    with CaptureQueriesContext(connection) as read:
        few = client.get(url).content.decode()
    assert len(read.captured_queries) == many
    assert "coaches by name are listed" not in few and "coach_name" not in few


@pytest.mark.parametrize(("coaches", "more"), [(50, False), (51, True)])
def test_the_list_says_there_are_more_only_past_fifty(client, world, coaches, more):
    """Cody, the client's coach, and `coaches` more: fifty others listed is all of them;
    fifty-one is one too many."""
    from tests.factories import StaffFactory

    for _ in range(coaches):
        StaffFactory(organisation=world.org, role="coach", programs=[world.program])
    client.force_login(world.sue)
    page = client.get(reverse("coaching_client", args=[world.client.pk])).content.decode()
    assert _options(page) == 1 + min(coaches, 50)
    assert ("Find a coach by name" in page) is more
    assert ('aria-describedby="coach-name-help"' in page) is more


def test_the_search_finds_a_coach_by_username_and_never_one_of_another_program(client, world):
    from tests.factories import StaffFactory

    for _ in range(55):
        StaffFactory(organisation=world.org, role="coach", programs=[world.program])
    nameless = StaffFactory(
        organisation=world.org,
        role="coach",
        programs=[world.program],
        username="zz-night-line",
        first_name="",
        last_name="",
    )
    StaffFactory(
        organisation=world.org, role="coach", programs=[world.other_program], first_name="Zorro"
    )
    client.force_login(world.sue)
    url = reverse("coaching_client", args=[world.client.pk])
    found = client.get(url, {"coach_name": "night-line"}).content.decode()
    assert f'value="{nameless.pk}">zz-night-line</option>' in found
    elsewhere = client.get(url, {"coach_name": "Zorro"}).content.decode()
    # The client's own coach stays listed; nobody else is found.
    assert _options(elsewhere) == 1 and f">{world.cody.display_name}</option>" in elsewhere
    assert "Zorro" not in elsewhere.replace('value="Zorro"', "")
    assert "No coach of the program has that name" in elsewhere


def test_a_refused_form_keeps_the_coach_chosen_even_if_not_listed(client, world):
    from tests.factories import StaffFactory

    coaches = [
        StaffFactory(
            organisation=world.org, role="coach", programs=[world.program], first_name=f"B{n:02}"
        )
        for n in range(60)
    ]
    client.force_login(world.sue)
    world.client.refresh_from_db()
    refused = client.post(
        reverse("coaching_client", args=[world.client.pk]),
        {
            "coach": coaches[59].pk,
            "intensity": "weekly",
            "agreement": "",
            "started_on": today().isoformat(),
            "version": world.client.version,
        },
    )
    body = refused.content.decode()
    assert refused.status_code == 400 and "Write what the client and the coach agreed" in body
    assert f'value="{coaches[59].pk}" selected>{coaches[59].display_name}</option>' in body
