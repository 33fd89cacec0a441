"""One set of rules for a plan's content: the same input through the pages (a form, then the
element's save service) and through the API (a whole document) gets the same answer, beside
the same field, in the same words."""

import json
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from casebridge.plans import services
from casebridge.plans.models import Goal
from tests.plans.helpers import in_days, ready_plan, sign_all

PAST = timezone.localdate() - timedelta(days=30)


def _page(save, plan, **values):
    """What the page says about `values` (the service the page's view calls with the form's
    cleaned data): {field: messages}, empty when it saves."""
    try:
        save(plan=plan, by=plan.created_by, version=plan.version, **values)
    except ValidationError as refused:
        return refused.message_dict
    return {}


def _api(client, world, plan, place, values):
    """What the API says about the same values put in the document at `place`."""
    url = reverse("api_plan_item", kwargs={"client_id": world.client.pk, "plan_id": plan.pk})
    document = client.get(url).json()
    need = document["problems"][0]
    goal = need["goals"][0]
    element = {
        "need": need,
        "goal": goal,
        "step": goal["objectives"][0],
        "action": goal["interventions"][0],
    }[place]
    element.update(values)
    response = client.put(url, data=json.dumps(document), content_type="application/json")
    if response.status_code == 200:
        return {}
    assert response.status_code == 400, response.content
    prefix = {
        "need": "problems[0].",
        "goal": "problems[0].goals[0].",
        "step": "problems[0].goals[0].objectives[0].",
        "action": "problems[0].goals[0].interventions[0].",
    }[place]
    return {
        name.removeprefix(prefix): messages for name, messages in response.json()["errors"].items()
    }


def _goal_values(goal, **changes):
    values = {
        "problem_id": goal.problem_id,
        "goal_id": goal.pk,
        "own_words": goal.own_words,
        "measurable": goal.measurable,
        "target_date": goal.target_date,
        "term": goal.term,
        "strength": goal.strength,
    }
    return values | changes


def _action_values(intervention, **changes):
    values = {
        "goal_id": intervention.goal_id,
        "intervention_id": intervention.pk,
        "action": intervention.action,
        "responsible": intervention.responsible,
        "provider_name": intervention.provider_name,
        "frequency": intervention.frequency,
        "owner": intervention.owner,
        "first_due_on": intervention.first_due_on,
    }
    return values | changes


def _api_value(value):
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "pk"):
        return value.pk
    return value


@pytest.mark.parametrize(
    ("label", "changes"),
    [
        ("no way to measure", {"measurable": ""}),
        ("no target date", {"target_date": None}),
        ("a target date that has passed", {"target_date": PAST}),
        ("a strength too long", {"strength": "s" * 1001}),
        ("a term neither short nor long", {"term": "medium"}),
        ("words with a bell in them", {"own_words": "I want\x07 my own place"}),
    ],
)
def test_a_goal_the_page_refuses_the_api_refuses_in_the_same_words(client, world, label, changes):
    client.force_login(world.alice)
    plan = ready_plan(world)
    goal = plan.goals.get()
    page = _page(services.goal_save, plan, **_goal_values(goal, **changes))
    assert page, label
    plan.refresh_from_db()
    api = _api(client, world, plan, "goal", {k: _api_value(v) for k, v in changes.items()})
    assert api == page


@pytest.mark.parametrize(
    ("label", "changes"),
    [
        ("a staff member who does not work with the client", {"owner": "bob"}),
        ("a staff member of another organisation", {"owner": "charlie"}),
        ("tasks with no schedule", {"frequency": "as_needed"}),
        ("a provider with no name", {"responsible": "provider", "provider_name": ""}),
        ("nobody doing it", {"responsible": "wizard"}),
        ("nothing to do", {"action": "   "}),
    ],
)
def test_an_action_the_page_refuses_the_api_refuses_in_the_same_words(
    client, world, label, changes
):
    client.force_login(world.alice)
    plan = ready_plan(world)
    action = plan.interventions.get()
    people = {"bob": world.bob, "charlie": world.charlie}
    typed = {k: people.get(v, v) if k == "owner" else v for k, v in changes.items()}
    page = _page(services.intervention_save, plan, **_action_values(action, **typed))
    assert page, label
    plan.refresh_from_db()
    api = _api(client, world, plan, "action", {k: _api_value(v) for k, v in typed.items()})
    assert api == page


@pytest.mark.parametrize(
    ("label", "changes"),
    [
        ("no need", {"statement": "  "}),
        ("a life area nobody has", {"need_domain": "nowhere"}),
    ],
)
def test_a_need_the_page_refuses_the_api_refuses_in_the_same_words(client, world, label, changes):
    client.force_login(world.alice)
    plan = ready_plan(world)
    problem = plan.problems.get()
    values = {"problem_id": problem.pk, "statement": problem.statement, "need_domain": "housing"}
    page = _page(services.problem_save, plan, **(values | changes))
    assert page, label
    plan.refresh_from_db()
    assert _api(client, world, plan, "need", changes) == page


def test_a_step_the_page_refuses_the_api_refuses_in_the_same_words(client, world):
    client.force_login(world.alice)
    plan = ready_plan(world)
    step = plan.objectives.get()
    page = _page(services.objective_save, plan, goal_id=step.goal_id, objective_id=step.pk, text="")
    assert page
    plan.refresh_from_db()
    assert _api(client, world, plan, "step", {"text": ""}) == page


def test_text_that_fits_once_trimmed_is_taken_by_both(client, world):
    """A form trims what is typed before measuring it; the API measures the same text."""
    client.force_login(world.alice)
    plan = ready_plan(world)
    goal = plan.goals.get()
    fits = "m" * 1000 + "   "
    assert _page(services.goal_save, plan, **_goal_values(goal, measurable=fits)) == {}
    plan.refresh_from_db()
    assert _api(client, world, plan, "goal", {"measurable": fits}) == {}
    assert plan.goals.get().measurable == "m" * 1000


def _revised_with_a_passed_target_date(world):
    """A new version of a plan whose goal's target date went by while it was in effect."""
    v1 = sign_all(ready_plan(world), world)
    Goal.objects.filter(plan=v1).update(target_date=PAST)
    return services.plan_revise(plan=v1, by=world.alice, reason="Time for a new version")


def test_a_passed_target_date_carried_into_a_new_version_is_kept_by_both(client, world):
    client.force_login(world.alice)
    v2 = _revised_with_a_passed_target_date(world)
    goal = v2.goals.get()
    reworded = _goal_values(goal, own_words="I want a place of my own")
    assert _page(services.goal_save, v2, **reworded) == {}
    v2.refresh_from_db()
    assert _api(client, world, v2, "goal", {"measurable": "Keys in my hand"}) == {}
    kept = v2.goals.get()
    assert (kept.own_words, kept.measurable, kept.target_date) == (
        "I want a place of my own",
        "Keys in my hand",
        PAST,
    )


def test_a_passed_target_date_carried_over_is_kept_on_the_goal_page(client, world):
    client.force_login(world.alice)
    v2 = _revised_with_a_passed_target_date(world)
    goal = v2.goals.get()
    response = client.post(
        reverse(
            "plan_element_edit",
            kwargs={
                "client_id": world.client.pk,
                "plan_id": v2.pk,
                "kind": "goal",
                "element_id": goal.pk,
            },
        ),
        {
            "version": v2.version,
            "problem_id": goal.problem_id,
            "own_words": "I want a place of my own",
            "measurable": goal.measurable,
            "term": goal.term,
            "target_date": PAST.isoformat(),
        },
    )
    assert response.status_code == 302
    assert v2.goals.get().own_words == "I want a place of my own"


def test_moving_a_target_date_into_the_past_is_refused_by_both(client, world):
    client.force_login(world.alice)
    v2 = _revised_with_a_passed_target_date(world)
    goal = v2.goals.get()
    earlier = PAST - timedelta(days=1)
    page = _page(services.goal_save, v2, **_goal_values(goal, target_date=earlier))
    assert page == {"target_date": ["The target date has already passed."]}
    v2.refresh_from_db()
    assert _api(client, world, v2, "goal", {"target_date": earlier.isoformat()}) == page
    assert _api(client, world, v2, "goal", {"target_date": in_days(10).isoformat()}) == {}


def test_the_action_page_and_the_api_name_the_same_problem_beside_the_same_field(client, world):
    client.force_login(world.alice)
    plan = ready_plan(world)
    action = plan.interventions.get()
    response = client.post(
        reverse(
            "plan_element_edit",
            kwargs={
                "client_id": world.client.pk,
                "plan_id": plan.pk,
                "kind": "action",
                "element_id": action.pk,
            },
        ),
        {
            "version": plan.version,
            "action": action.action,
            "responsible": "case_manager",
            "frequency": "weekly",
            "owner": world.bob.pk,
        },
    )
    said = f"{world.bob.display_name} does not work with this client, so would not see the tasks."
    assert response.status_code == 200
    assert said in response.content.decode()
    assert _api(client, world, plan, "action", {"owner": world.bob.pk}) == {"owner": [said]}
