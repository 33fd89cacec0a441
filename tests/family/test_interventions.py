"""Intervention planning with a family: who reads a plan and its letters, the plan for the day
and its checks, and an accepted plan becoming a client in Engagement with nothing typed twice
and the letters left behind."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from casebridge.audit.models import AuditEvent
from casebridge.audit.versions import VersionConflict
from casebridge.clients.models import Client
from casebridge.directory.models import Service
from casebridge.family import services
from casebridge.family.models import InterventionPlan
from casebridge.referrals.models import Referral

pytestmark = pytest.mark.django_db

LETTER = "Letter-marker-4471: we love you and we are scared."


def start(world, by=None):
    return services.plan_start(
        by=by or world.alice,
        program=world.program,
        first_name="Dana",
        last_name="Ruiz",
        phone="5550002222",
        asked_by="Ana Ruiz, mother",
        concern="Drinking every day since the layoff; missed two shifts.",
    )


@pytest.fixture
def plan(world):
    plan = start(world)
    services.participant_add(
        plan=plan,
        by=world.alice,
        name="Ana Ruiz",
        relationship="family",
        phone="5550003333",
        task="Speaks first",
        boundary="No more money for rent.",
        letter=LETTER,
    )
    services.participant_add(
        plan=plan, by=world.alice, name="Leo Park", relationship="other", task="Drives"
    )
    return plan


@pytest.fixture
def house(world):
    return Service.objects.create(
        organisation=world.org,
        hsds_id="11111111-1111-4111-8111-111111111111",
        name="Hope House residential",
        fields={"name": "Hope House residential"},
    )


def page(client, who, plan):
    client.force_login(who)
    return client.get(reverse("intervention_plan", args=[plan.pk]))


def test_the_plan_is_the_planning_teams_and_the_supervisors_and_nobody_elses(client, world, plan):
    for who in (world.alice, world.sue):
        assert page(client, who, plan).status_code == 200
    for who in (world.bob, world.otto, world.cody, world.ivy, world.ada, world.aud, world.charlie):
        response = page(client, who, plan)
        assert response.status_code == 404, who.username
        assert "Ruiz" not in response.content.decode()
    reads = AuditEvent.objects.filter(object_type="intervention_plan", action="view")
    assert reads.count() == 2


def test_the_letters_are_the_planning_teams_alone(client, world, plan):
    assert LETTER in page(client, world.alice, plan).content.decode()
    # The supervisor reads the plan but not the letters, on the plan or the person's page.
    text = page(client, world.sue, plan).content.decode()
    assert "Ana Ruiz" in text and LETTER not in text and "Read the letters" not in text
    ana = plan.people.get(name="Ana Ruiz")
    person = client.get(reverse("intervention_person", args=[plan.pk, ana.pk])).content.decode()
    assert LETTER not in person and "id_letter" not in person
    # bob joins the planning team: he reads the plan and the letters.
    services.plan_update(plan=plan, by=world.alice, version=plan.version, team=[world.bob])
    assert LETTER in page(client, world.bob, plan).content.decode()


def test_a_letter_change_is_audited_without_its_words(world, plan):
    ana = plan.people.get(name="Ana Ruiz")
    services.participant_update(
        participant=ana, by=world.alice, version=ana.version, letter="A new letter-marker-7"
    )
    event = AuditEvent.objects.filter(object_type="intervention_participant").latest("id")
    assert event.changes["changed"] == [None, ["letter"]]
    assert "letter-marker" not in str(event.changes)


def test_the_day_is_checked_and_two_people_never_overwrite_each_other(world, plan, house):
    soon = timezone.now() + timedelta(days=3)
    with pytest.raises(ValidationError) as refused:
        services.plan_update(
            plan=plan, by=world.alice, version=plan.version, held_at=timezone.now() - timedelta(1)
        )
    assert "from now on" in str(refused.value)
    with pytest.raises(ValidationError) as refused:
        services.plan_update(
            plan=plan,
            by=world.alice,
            version=plan.version,
            held_at=soon,
            admission_on=timezone.localdate() + timedelta(days=1),
        )
    assert "on or after the day" in str(refused.value)
    with pytest.raises(ValidationError) as refused:
        services.plan_update(plan=plan, by=world.alice, version=plan.version, team=[world.charlie])
    assert "staff of the plan's program" in str(refused.value)
    saved = services.plan_update(
        plan=plan,
        by=world.alice,
        version=plan.version,
        held_at=soon,
        place="Ana's kitchen",
        service=house,
        admission_on=timezone.localdate(soon),
    )
    with pytest.raises(VersionConflict):
        services.plan_update(plan=plan, by=world.sue, version=plan.version, place="The church")
    assert InterventionPlan.objects.get(pk=plan.pk).place == "Ana's kitchen"
    assert saved.version == plan.version + 1


def test_the_day_form_says_what_is_wrong(client, world, plan):
    client.force_login(world.alice)
    response = client.post(
        reverse("intervention_edit", args=[plan.pk]),
        {"plan-version": plan.version, "plan-day": timezone.localdate().isoformat()},
    )
    assert response.status_code == 400
    assert "Give both the day and the time." in response.content.decode()
    response = client.post(
        reverse("intervention_session", args=[plan.pk]),
        {
            "session-held_on": (timezone.localdate() + timedelta(days=2)).isoformat(),
            "session-topic": "craft",
            "session-attended": "Ana, Leo",
        },
    )
    assert response.status_code == 400
    assert "Record a session once it has happened." in response.content.decode()


def test_an_accepted_plan_becomes_a_client_with_nothing_typed_twice(world, plan, house):
    services.plan_update(
        plan=plan,
        by=world.alice,
        version=plan.version,
        held_at=timezone.now() + timedelta(hours=2),
        service=house,
        admission_on=timezone.localdate() + timedelta(days=1),
    )
    plan.refresh_from_db()
    with pytest.raises(ValidationError) as refused:
        services.outcome_record(
            plan=plan,
            by=world.alice,
            version=plan.version,
            outcome="accepted",
            outcome_on=timezone.localdate(),
        )
    assert "date of birth" in str(refused.value)
    done = services.outcome_record(
        plan=plan,
        by=world.alice,
        version=plan.version,
        outcome="accepted",
        outcome_on=timezone.localdate(),
        date_of_birth=date(1990, 4, 2),
    )
    person = Client.objects.get(pk=done.client_id)
    assert (person.legal_first_name, person.legal_last_name) == ("Dana", "Ruiz")
    assert person.date_of_birth == date(1990, 4, 2) and person.phone == "5550002222"
    assert person.stage == "engagement" and person.program == world.program
    assert person.primary_case_manager == world.alice and person.referral_source == "family"
    assert "Ana Ruiz, mother" in person.referral_source_detail
    contacts = {c.name: c for c in person.collaterals.all()}
    assert set(contacts) == {"Ana Ruiz", "Leo Park"} and contacts["Ana Ruiz"].phone == "5550003333"
    referral = Referral.objects.get(client=person)
    assert referral.service == house and referral.status == "draft"
    # The letters stay with the plan: nowhere on the client's record.
    on_record = " ".join(
        [c.notes for c in contacts.values()]
        + [e.summary + e.detail for e in person.timeline.all()]
        + [referral.reason]
    )
    assert "Letter-marker" not in on_record and "No more money" not in on_record
    assert "Drinking every day" in on_record  # the family's words, for the clinical team


def test_a_failure_halfway_through_admission_leaves_nothing(world, plan, house, monkeypatch):
    services.plan_update(plan=plan, by=world.alice, version=plan.version, service=house)
    plan.refresh_from_db()

    def broken(**kwargs):
        raise RuntimeError("the referral could not be written")

    monkeypatch.setattr(services, "referral_draft", broken)
    with pytest.raises(RuntimeError):
        services.outcome_record(
            plan=plan,
            by=world.alice,
            version=plan.version,
            outcome="accepted",
            outcome_on=timezone.localdate(),
            date_of_birth=date(1990, 4, 2),
        )
    plan.refresh_from_db()
    assert plan.outcome == "planning" and plan.client_id is None
    assert not Client.objects.filter(legal_last_name="Ruiz").exists()


@pytest.mark.parametrize(
    "first,then,allowed",
    [
        ("refused", "accepted_later", True),
        ("refused", "accepted", False),
        ("called_off", "accepted", False),
    ],
)
def test_outcomes_move_only_as_allowed(world, plan, first, then, allowed):
    plan = services.outcome_record(
        plan=plan,
        by=world.alice,
        version=plan.version,
        outcome=first,
        outcome_on=timezone.localdate(),
    )
    attempt = {
        "plan": plan,
        "by": world.alice,
        "version": plan.version,
        "outcome": then,
        "outcome_on": timezone.localdate(),
        "date_of_birth": date(1990, 4, 2),
    }
    if allowed:
        assert services.outcome_record(**attempt).client_id is not None
    else:
        with pytest.raises(ValidationError):
            services.outcome_record(**attempt)


def test_a_possible_duplicate_is_asked_about_before_registering(client, world, plan):
    from tests.factories import ClientFactory

    ClientFactory(
        program=world.program,
        legal_first_name="Dana",
        legal_last_name="Ruiz",
        date_of_birth=date(1990, 4, 2),
    )
    client.force_login(world.alice)
    url = reverse("intervention_outcome", args=[plan.pk])
    form = {
        "outcome-outcome": "accepted",
        "outcome-outcome_on": timezone.localdate().isoformat(),
        "outcome-date_of_birth": "1990-04-02",
        "outcome-version": plan.version,
    }
    response = client.post(url, form)
    assert response.status_code == 400
    assert "already registered" in response.content.decode()
    assert InterventionPlan.objects.get(pk=plan.pk).outcome == "planning"
    response = client.post(url, {**form, "outcome-confirm_new_person": "on"})
    assert response.status_code == 302
    assert Client.objects.filter(legal_last_name="Ruiz").count() == 2


def test_starting_a_plan_from_the_page(client, world):
    client.force_login(world.ivy)
    response = client.post(reverse("intervention_new"), {"first_name": "Dana"})
    assert response.status_code == 400
    text = response.content.decode()
    assert "Give their last name." in text and "Say who asked for help." in text
    response = client.post(
        reverse("intervention_new"),
        {
            "program": world.program.pk,
            "first_name": "Dana",
            "last_name": "Ruiz",
            "asked_by": "Ana Ruiz, mother",
            "concern": "Drinking every day.",
        },
    )
    plan = InterventionPlan.objects.get()
    assert response.status_code == 302 and plan.lead == world.ivy
    client.force_login(world.cody)
    assert client.get(reverse("intervention_new")).status_code == 404


def test_only_the_lead_chooses_who_reads_the_letters(client, world, plan):
    with pytest.raises(ValidationError) as refused:
        services.plan_update(plan=plan, by=world.sue, version=plan.version, team=[world.sue])
    assert "Only the plan's lead changes the team." in str(refused.value)
    client.force_login(world.sue)
    page = client.get(reverse("intervention_plan", args=[plan.pk])).content.decode()
    assert 'name="plan-team"' not in page
    # A crafted post with the team is not a way in either.
    client.post(
        reverse("intervention_edit", args=[plan.pk]),
        {"plan-version": plan.version, "plan-place": "Home", "plan-team": [world.sue.pk]},
    )
    assert not InterventionPlan.objects.get(pk=plan.pk).team.exists()
    assert LETTER not in client.get(reverse("intervention_plan", args=[plan.pk])).content.decode()


def test_a_conflict_on_the_day_keeps_the_typing_and_saves_on_a_second_try(client, world, plan):
    client.force_login(world.alice)
    url = reverse("intervention_edit", args=[plan.pk])
    stale = plan.version
    services.plan_update(plan=plan, by=world.sue, version=plan.version, place="The church")
    form = {"plan-version": stale, "plan-place": "Ana's kitchen"}
    response = client.post(url, form)
    assert response.status_code == 409
    text = response.content.decode()
    assert "Someone else saved this in between" in text and "Ana&#x27;s kitchen" in text
    latest = InterventionPlan.objects.get(pk=plan.pk).version
    assert f'name="plan-version" value="{latest}"' in text
    assert client.post(url, {**form, "plan-version": latest}).status_code == 302
    assert InterventionPlan.objects.get(pk=plan.pk).place == "Ana's kitchen"


def test_after_the_day_the_peoples_parts_are_kept_as_they_were(world, plan):
    services.outcome_record(
        plan=plan,
        by=world.alice,
        version=plan.version,
        outcome="refused",
        outcome_on=timezone.localdate(),
    )
    ana = plan.people.get(name="Ana Ruiz")
    with pytest.raises(ValidationError):
        services.participant_update(
            participant=ana, by=world.alice, version=ana.version, letter="Changed"
        )


def test_the_list_of_plans_pages_and_every_plan_is_reached(client, world, monkeypatch):
    """Being planned first (soonest day first, no day yet last), then the latest outcomes, 25
    a page: nothing falls off the end."""
    monkeypatch.setattr("casebridge.paging.PAGES_AHEAD", 1)
    plans = [start(world) for _ in range(60)]
    soon = plans[7]
    InterventionPlan.objects.filter(pk=soon.pk).update(held_at=timezone.now() + timedelta(days=1))
    done = plans[:3]
    for n, ended in enumerate(done):
        InterventionPlan.objects.filter(pk=ended.pk).update(
            outcome="declined", outcome_on=timezone.localdate() - timedelta(days=n)
        )
    client.force_login(world.alice)
    seen: list[int] = []
    number = 1
    while True:
        response = client.get(reverse("intervention_plans"), {"page": number})
        seen += [plan.pk for plan in response.context["plans"]]
        if not response.context["page"].has_next():
            break
        assert f'href="?page={number + 1}"' in response.content.decode()
        number += 1
    assert number == 3 and len(seen) == len(set(seen)) == 60
    assert seen[0] == soon.pk
    assert seen[-3:] == [ended.pk for ended in done]
    first = client.get(reverse("intervention_plans")).content.decode()
    assert "Page 1 of more than 2" in first
