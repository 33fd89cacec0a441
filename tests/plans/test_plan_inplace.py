"""Building a care plan on its own page: needs, goals, steps and actions are added, changed and
removed in place (htmx), the separate pages stay for browsers without script, and the
assessment's needs and strengths sit beside the draft."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from casebridge.plans import services
from casebridge.plans.views import OUT_OF_DATE
from tests.plans.helpers import in_days, ready_plan, sign_all, signed_assessment

HX = {"HX-Request": "true"}


def _url(name, world, plan, **extra):
    return reverse(name, kwargs={"client_id": world.client.pk, "plan_id": plan.pk, **extra})


def _new(world, plan, kind, **query):
    url = _url("plan_element_new", world, plan, kind=kind)
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def _fresh_draft(world):
    """A draft just started from the assessment: one need, nothing else yet."""
    signed_assessment(
        world.client,
        world.alice,
        needs={"housing": {"severity": 3, "reason": "Sleeping on a friend's couch"}},
    )
    return services.plan_start(client=world.client, by=world.alice)


def _goal_fields(plan, **changes):
    return {
        "version": plan.version,
        "problem_id": plan.problems.first().pk,
        "own_words": "I want to see my kids every week",
        "measurable": "A visit each week for a month",
        "term": "short",
        "target_date": in_days(60).isoformat(),
        "strength": "A loving family",
    } | changes


def _versions_in(body):
    return {int(v) for v in re.findall(r'name="version" value="(\d+)"', body)}


def _is_whole_page(body):
    return "<html" in body or 'class="site-header"' in body


# --- Adding and changing in place --------------------------------------------------------------


def test_adding_a_goal_in_place_answers_with_the_plan_not_the_whole_page(client, world):
    plan = ready_plan(world)
    client.force_login(world.alice)
    response = client.post(_new(world, plan, "goal"), _goal_fields(plan), headers=HX)
    body = response.content.decode()
    assert response.status_code == 200
    assert not _is_whole_page(body)
    assert "I want to see my kids every week" in body and "I want my own place" in body
    assert "Goal added." in body
    goal = plan.goals.get(own_words="I want to see my kids every week")
    # Keyboard and screen-reader users land on what they just added.
    assert re.search(rf'id="goal-{goal.pk}"[^>]*data-focus-after-swap', body)
    assert plan.goals.count() == 2


@pytest.mark.parametrize(
    ("kind", "fields", "shown", "said"),
    [
        ("step", {"text": "Call the housing office"}, "Call the housing office", "Step added."),
        (
            "action",
            {
                "action": "Drive to the housing office",
                "responsible": "case_manager",
                "frequency": "weekly",
            },
            "Drive to the housing office",
            "Action added.",
        ),
    ],
)
def test_adding_a_step_or_an_action_in_place(client, world, kind, fields, shown, said):
    plan = ready_plan(world)
    goal = plan.goals.get()
    client.force_login(world.alice)
    response = client.post(
        _new(world, plan, kind, goal=goal.pk),
        {"version": plan.version, "goal": goal.pk, **fields},
        headers=HX,
    )
    body = response.content.decode()
    assert response.status_code == 200 and not _is_whole_page(body)
    assert shown in body and said in body
    assert getattr(plan, {"step": "objectives", "action": "interventions"}[kind]).count() == 2


def test_a_need_is_added_and_changed_in_place(client, world):
    plan = ready_plan(world)
    client.force_login(world.alice)
    added = client.post(
        _new(world, plan, "need"),
        {"version": plan.version, "need_domain": "employment", "statement": "No work since May"},
        headers=HX,
    ).content.decode()
    assert "No work since May" in added and "Need added." in added
    need = plan.problems.get(statement="No work since May")
    plan.refresh_from_db()
    changed = client.post(
        _url("plan_element_edit", world, plan, kind="need", element_id=need.pk),
        {"version": plan.version, "need_domain": "employment", "statement": "No work since March"},
        headers=HX,
    ).content.decode()
    assert "No work since March" in changed and "Need changed." in changed


def test_after_a_save_every_form_on_the_page_carries_the_new_version(client, world):
    """The next add must not be refused as out of date: the region and the signing forms move
    on together."""
    plan = ready_plan(world)
    client.force_login(world.alice)
    body = client.post(_new(world, plan, "goal"), _goal_fields(plan), headers=HX).content.decode()
    plan.refresh_from_db()
    assert _versions_in(body) == {plan.version}
    assert re.search(
        rf'<input type="hidden" name="version" value="{plan.version}" id="sign-version-client"'
        r' hx-swap-oob="true">',
        body,
    )
    assert '<div id="sign-forms" hx-swap-oob="true">' in body


def test_a_second_add_in_place_after_the_first_is_accepted(client, world):
    plan = ready_plan(world)
    goal = plan.goals.get()
    client.force_login(world.alice)
    first = client.post(
        _new(world, plan, "step", goal=goal.pk),
        {"version": plan.version, "goal": goal.pk, "text": "First step"},
        headers=HX,
    ).content.decode()
    (version,) = _versions_in(first)
    client.post(
        _new(world, plan, "step", goal=goal.pk),
        {"version": version, "goal": goal.pk, "text": "Second step"},
        headers=HX,
    )
    assert set(goal.objectives.values_list("text", flat=True)) >= {"First step", "Second step"}


def test_the_signing_forms_show_once_nothing_is_missing(client, world):
    """They are on the page from the start, hidden, so the signature pad's script binds on load;
    a change in place only shows or hides them."""
    plan = _fresh_draft(world)
    client.force_login(world.alice)
    page = client.get(_url("plan_detail", world, plan)).content.decode()
    assert '<div class="sign-forms" hidden>' in page and "data-signature-pad" in page
    client.post(_new(world, plan, "goal"), _goal_fields(plan), headers=HX)
    plan.refresh_from_db()
    goal = plan.goals.get()
    body = client.post(
        _new(world, plan, "action", goal=goal.pk),
        {
            "version": plan.version,
            "goal": goal.pk,
            "action": "Weekly family visit",
            "responsible": "client",
            "frequency": "weekly",
        },
        headers=HX,
    ).content.decode()
    assert '<div class="sign-forms">' in body
    # The client's form (with its pad) is kept as it is on the page, never replaced.
    assert re.search(r'<form [^>]*id="client-sign" hx-preserve="true"', body)
    removed = client.post(
        _url(
            "plan_element_remove",
            world,
            plan,
            kind="action",
            element_id=goal.interventions.get().pk,
        ),
        {"version": plan.version + 1},
        headers=HX,
    ).content.decode()
    assert '<div class="sign-forms" hidden>' in removed


def test_the_server_still_refuses_to_sign_an_unfinished_draft(client, world):
    plan = _fresh_draft(world)
    client.force_login(world.alice)
    client.post(_url("plan_sign", world, plan), {"role": "case_manager", "version": plan.version})
    plan.refresh_from_db()
    assert not plan.signatures.exists()


def test_changing_a_step_in_place(client, world):
    plan = ready_plan(world)
    step = plan.objectives.get()
    client.force_login(world.alice)
    body = client.post(
        _url("plan_element_edit", world, plan, kind="step", element_id=step.pk),
        {"version": plan.version, "text": "Apply for two flats"},
        headers=HX,
    ).content.decode()
    step.refresh_from_db()
    assert step.text == "Apply for two flats"
    assert "Step changed." in body
    assert re.search(rf'id="step-{step.pk}"[^>]*data-focus-after-swap', body)


# --- Refusals ----------------------------------------------------------------------------------


def test_a_stale_version_is_refused_in_place_with_the_plain_message(client, world):
    plan = ready_plan(world)
    goal = plan.goals.get()
    client.force_login(world.alice)
    stale = plan.version
    services.objective_save(
        plan=plan, by=world.alice, version=stale, goal_id=goal.pk, text="Someone else's step"
    )
    response = client.post(
        _new(world, plan, "step", goal=goal.pk),
        {"version": stale, "goal": goal.pk, "text": "My step"},
        headers=HX,
    )
    body = response.content.decode()
    assert response.status_code == 200 and not _is_whole_page(body)
    assert OUT_OF_DATE in body
    assert not goal.objectives.filter(text="My step").exists()
    # The plan around the form is the latest, with the other person's step in it; the typed
    # step stays in the form, which now offers the current version for a deliberate retry.
    plan.refresh_from_db()
    assert "Someone else&#x27;s step" in body
    assert "My step</textarea>" in body
    assert _versions_in(body) == {plan.version}


def test_invalid_input_answers_with_the_form_and_what_is_wrong(client, world):
    plan = ready_plan(world)
    client.force_login(world.alice)
    response = client.post(
        _new(world, plan, "goal", need=plan.problems.get().pk),
        _goal_fields(plan, own_words="", target_date=""),
        headers=HX,
    )
    body = response.content.decode()
    assert response.status_code == 200 and not _is_whole_page(body)
    assert "data-error-summary" in body
    assert "Write the goal the way the client says it." in body
    assert "Choose a target date." in body
    assert "A visit each week for a month</textarea>" in body  # what was typed stays
    assert plan.goals.count() == 1


def test_a_signed_plan_is_not_changed_in_place_and_the_page_is_reloaded(client, world):
    plan = sign_all(ready_plan(world), world)
    client.force_login(world.alice)
    response = client.post(_new(world, plan, "goal"), _goal_fields(plan), headers=HX)
    assert response.headers["HX-Redirect"] == _url("plan_detail", world, plan)
    assert plan.goals.count() == 1


# --- The no-script pages stay ------------------------------------------------------------------


def test_without_script_the_add_link_still_opens_the_whole_page(client, world):
    plan = ready_plan(world)
    client.force_login(world.alice)
    goal = plan.goals.get()
    page = client.get(_new(world, plan, "step", goal=goal.pk))
    assert page.status_code == 200 and _is_whole_page(page.content.decode())
    assert "Vary" in page.headers and "HX-Request" in page.headers["Vary"]
    partial = client.get(_new(world, plan, "step", goal=goal.pk), headers=HX).content.decode()
    assert not _is_whole_page(partial)
    assert 'name="text"' in partial and "I want my own place" in partial


def test_the_plan_page_links_each_add_to_its_page_and_loads_it_in_place(client, world):
    plan = ready_plan(world)
    goal = plan.goals.get()
    client.force_login(world.alice)
    page = client.get(_url("plan_detail", world, plan)).content.decode()
    step = _new(world, plan, "step", goal=goal.pk)
    assert f'href="{step}" hx-get="{step}"' in page
    assert 'id="plan-editor"' in page


def test_without_script_a_save_still_returns_to_the_plan(client, world):
    plan = ready_plan(world)
    goal = plan.goals.get()
    client.force_login(world.alice)
    response = client.post(
        _new(world, plan, "step", goal=goal.pk),
        {"version": plan.version, "goal": goal.pk, "text": "Visit the shelter"},
    )
    assert response.status_code == 302
    assert response.url.startswith(_url("plan_detail", world, plan))


def test_cancel_restores_the_plan_in_place(client, world):
    plan = ready_plan(world)
    goal = plan.goals.get()
    client.force_login(world.alice)
    body = client.get(
        _url("plan_detail", world, plan) + f"?focus=add-step-{goal.pk}", headers=HX
    ).content.decode()
    assert not _is_whole_page(body)
    assert "I want my own place" in body and 'name="text"' not in body
    assert re.search(rf'id="add-step-{goal.pk}"[^>]*data-focus-after-swap', body)


def test_removing_in_place(client, world):
    plan = ready_plan(world)
    step = plan.objectives.get()
    client.force_login(world.alice)
    response = client.post(
        _url("plan_element_remove", world, plan, kind="step", element_id=step.pk),
        {"version": plan.version},
        headers=HX,
    )
    body = response.content.decode()
    assert response.status_code == 200 and not _is_whole_page(body)
    assert "Step removed." in body and "Apply for housing" not in body
    assert not plan.objectives.exists()
    plan.refresh_from_db()
    assert _versions_in(body) == {plan.version}


def test_removing_in_place_from_an_old_page_changes_nothing(client, world):
    plan = ready_plan(world)
    step = plan.objectives.get()
    client.force_login(world.alice)
    body = client.post(
        _url("plan_element_remove", world, plan, kind="step", element_id=step.pk),
        {"version": plan.version - 1},
        headers=HX,
    ).content.decode()
    assert "out of date" in body and "Apply for housing" in body
    assert plan.objectives.exists()


# --- Who may ------------------------------------------------------------------------------------


@pytest.mark.parametrize("person", ["cody", "bob", "ivy", "charlie", "aud"])
@pytest.mark.parametrize("method", ["get", "post"])
def test_those_who_may_not_plan_are_refused_in_place_as_on_the_pages(client, world, person, method):
    plan = ready_plan(world)
    goal = plan.goals.get()
    client.force_login(getattr(world, person))
    url = _new(world, plan, "step", goal=goal.pk)
    data = {"version": plan.version, "goal": goal.pk, "text": "Sneaky step"}
    send = getattr(client, method)
    whole = send(url, data) if method == "post" else send(url)
    partial = send(url, data, headers=HX) if method == "post" else send(url, headers=HX)
    assert whole.status_code == partial.status_code == 404
    removed = client.post(
        _url("plan_element_remove", world, plan, kind="step", element_id=goal.objectives.get().pk),
        {"version": plan.version},
        headers=HX,
    )
    assert removed.status_code == 404
    assert goal.objectives.count() == 1
    refreshed = client.get(_url("plan_detail", world, plan), headers=HX)
    assert refreshed.status_code == 404


def test_a_form_for_something_removed_meanwhile_shows_the_plan_as_it_is(client, world):
    plan = ready_plan(world)
    step = plan.objectives.get()
    goal = plan.goals.get()
    client.force_login(world.alice)
    services.element_remove(
        plan=plan, by=world.alice, version=plan.version, kind="step", element_id=step.pk
    )
    edit = _url("plan_element_edit", world, plan, kind="step", element_id=step.pk)
    body = client.get(edit, headers=HX).content.decode()
    assert "no longer there" in body and "I want my own place" in body
    assert client.get(edit).status_code == 404  # the page of its own is simply not found
    plan.refresh_from_db()
    services.element_remove(
        plan=plan, by=world.alice, version=plan.version, kind="goal", element_id=goal.pk
    )
    body = client.get(_new(world, plan, "action", goal=goal.pk), headers=HX).content.decode()
    assert "no longer there" in body


# --- The assessment beside the draft -------------------------------------------------------------


def test_the_draft_page_shows_the_assessments_needs_and_strengths_beside_the_plan(client, world):
    plan = ready_plan(world)
    client.force_login(world.alice)
    page = client.get(_url("plan_detail", world, plan)).content.decode()
    aside = page[page.index('<aside class="plan-assessment') :]
    aside = aside[: aside.index("</aside>")]
    assert "Housing" in aside and "High" in aside and "Sleeping on a friend" in aside
    assert "Good with people; a loving family" in aside


def test_the_signed_plan_page_has_no_assessment_aside(client, world):
    plan = sign_all(ready_plan(world), world)
    client.force_login(world.alice)
    page = client.get(_url("plan_detail", world, plan)).content.decode()
    assert 'class="plan-assessment' not in page


def test_the_draft_page_queries_do_not_grow_with_the_plan(client, world, due_not_kept):
    plan = ready_plan(world)
    client.force_login(world.alice)
    url = _url("plan_detail", world, plan)
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    for n in range(4):
        plan.refresh_from_db()
        goal = services.goal_save(
            plan=plan,
            by=world.alice,
            version=plan.version,
            problem_id=plan.problems.get().pk,
            own_words=f"Goal {n}",
            measurable="m",
            target_date=in_days(30),
            term="short",
        )
        plan.refresh_from_db()
        services.objective_save(
            plan=plan, by=world.alice, version=plan.version, goal_id=goal.pk, text=f"Step {n}"
        )
        plan.refresh_from_db()
        services.intervention_save(
            plan=plan,
            by=world.alice,
            version=plan.version,
            goal_id=goal.pk,
            action=f"Do {n}",
            responsible="client",
            frequency="weekly",
        )
    with CaptureQueriesContext(connection) as big:
        client.get(url)
    assert len(big.captured_queries) == len(small.captured_queries)
