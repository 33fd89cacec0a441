"""Care plans through the pages and the API: what a case manager, a coach and an outside caller
can and cannot do, and that locked and stale versions are refused rather than overwritten."""

import json
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from casebridge.audit.models import AuditEvent
from casebridge.plans import services
from casebridge.plans.models import PlanTask
from tests.pdf_text import pdf_words
from tests.plans.helpers import SIGNATURE, in_days, ready_plan, sign_all, signed_assessment


def _url(name, world, plan, **extra):
    return reverse(name, kwargs={"client_id": world.client.pk, "plan_id": plan.pk, **extra})


def test_starting_a_plan_from_the_assessment_page(client, world):
    signed_assessment(
        world.client, world.alice, needs={"housing": {"severity": 3, "reason": "No lease"}}
    )
    client.force_login(world.alice)
    page = client.get(reverse("plan_home", kwargs={"client_id": world.client.pk}))
    assert b"Start a plan from the assessment" in page.content
    response = client.post(reverse("plan_start", kwargs={"client_id": world.client.pk}))
    plan = world.client.plans.get()
    assert response.url == _url("plan_detail", world, plan)
    assert "Housing: No lease" in client.get(response.url).content.decode()


def test_a_goal_form_says_what_is_missing_in_plain_words(client, world):
    plan = ready_plan(world)
    client.force_login(world.alice)
    response = client.post(
        _url("plan_element_new", world, plan, kind="goal"),
        {"version": plan.version, "problem_id": plan.problems.get().pk, "term": "short"},
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "Write the goal the way the client says it." in body
    assert "Choose a target date." in body
    assert plan.goals.count() == 1


def test_an_edit_made_on_an_old_copy_is_refused_with_a_reason(client, world):
    plan = ready_plan(world)
    objective = plan.objectives.get()
    client.force_login(world.alice)
    url = _url("plan_element_edit", world, plan, kind="step", element_id=objective.pk)
    stale_version = plan.version
    client.post(url, {"version": stale_version, "text": "First edit"})
    response = client.post(url, {"version": stale_version, "text": "Second edit"})
    assert "Someone else changed this plan" in response.content.decode()
    objective.refresh_from_db()
    assert objective.text == "First edit"


def test_a_signed_version_cannot_be_edited_through_the_pages(client, world):
    plan = sign_all(ready_plan(world), world)
    goal = plan.goals.get()
    client.force_login(world.alice)
    url = _url("plan_element_edit", world, plan, kind="goal", element_id=goal.pk)
    response = client.post(
        url,
        {
            "version": plan.version,
            "problem_id": goal.problem_id,
            "own_words": "Changed after signing",
            "measurable": "x",
            "target_date": in_days(10).isoformat(),
            "term": "short",
        },
    )
    assert response.status_code == 302
    goal.refresh_from_db()
    assert goal.own_words == "I want my own place"
    detail = client.get(_url("plan_detail", world, plan)).content.decode()
    assert "Make a new version" in detail and "Add a need" not in detail


def test_signing_on_screen_through_the_page(client, world):
    plan = ready_plan(world)
    client.force_login(world.alice)
    sign = _url("plan_sign", world, plan)
    response = client.post(sign, {"role": "client", "version": plan.version, "method": "on_screen"})
    assert response.status_code == 400
    assert "Ask the client to sign in the box." in response.content.decode()
    client.post(
        sign,
        {
            "role": "client",
            "version": plan.version,
            "method": "on_screen",
            "name": "Jamie Rivera",
            "image": SIGNATURE,
        },
    )
    plan.refresh_from_db()
    client.post(sign, {"role": "case_manager", "version": plan.version})
    plan.refresh_from_db()
    assert plan.status == "active"


def test_a_review_through_the_page_rates_goals_and_makes_a_new_draft(client, world):
    plan = sign_all(ready_plan(world), world)
    goal = plan.goals.get()
    client.force_login(world.alice)
    response = client.post(
        _url("plan_review", world, plan),
        {
            "reason": "scheduled",
            "summary": "Two viewings so far",
            "outcome": "revise",
            f"goal_{goal.pk}_rating": "progressing",
            f"goal_{goal.pk}_note": "Viewings booked",
        },
    )
    new = world.client.plans.get(sequence=2)
    assert response.url == _url("plan_detail", world, new)
    page = client.get(response.url).content.decode()
    assert "Progressing" in page and "Viewings booked" in page


def test_the_comparison_page_shows_what_changed(client, world):
    v1 = sign_all(ready_plan(world), world)
    v2 = services.plan_revise(plan=v1, by=world.alice, reason="More steps")
    services.objective_save(
        plan=v2, by=world.alice, version=v2.version, goal_id=v2.goals.get().pk, text="View flats"
    )
    client.force_login(world.alice)
    page = client.get(
        reverse("plan_compare", kwargs={"client_id": world.client.pk}),
        {"older": v1.pk, "newer": v2.pk},
    ).content.decode()
    assert "Added step:</strong> View flats" in page


def test_the_pdf_is_a_real_pdf_and_printing_is_audited(client, world):
    plan = sign_all(ready_plan(world), world)
    client.force_login(world.alice)
    response = client.get(_url("plan_pdf", world, plan))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = pdf_words(response.content)
    assert "My recovery plan" in text
    assert 'My goal: "I want my own place"' in text
    assert "Signed lease in my name" in text and "Apply for housing" in text
    assert "Jamie Rivera" in text
    assert "Rivera" not in response["Content-Disposition"]
    assert AuditEvent.objects.filter(
        object_type="care_plan", action="print", client_id=world.client.pk
    ).exists()
    printed = client.get(_url("plan_print", world, plan)).content.decode()
    assert "My goal: “I want my own place”" in printed


def test_the_pdf_carries_the_part_2_notice(client, world):
    """A printed plan leaves the building: it must say it is protected by 42 CFR Part 2."""
    plan = sign_all(ready_plan(world), world)
    client.force_login(world.alice)
    text = pdf_words(client.get(_url("plan_pdf", world, plan)).content)
    assert "42 CFR Part 2" in text.replace("part 2", "Part 2"), text


def test_a_coach_closes_their_own_task_but_not_someone_elses(client, world):
    sign_all(ready_plan(world, owner=world.cody), world)
    task = PlanTask.objects.get()
    assert task.owner == world.cody
    client.force_login(world.cody)
    listing = client.get(reverse("my_tasks")).content.decode()
    assert task.title in listing
    url = reverse("task_close", kwargs={"client_id": world.client.pk, "task_id": task.pk})
    client.post(url, {"done": "1", "back": "my_tasks"})
    task.refresh_from_db()
    assert task.status == "done"
    following = PlanTask.objects.get(status="open")
    following.owner = world.alice
    following.save()
    response = client.post(
        reverse("task_close", kwargs={"client_id": world.client.pk, "task_id": following.pk}),
        {"done": "1"},
    )
    assert response.status_code == 404


def test_my_tasks_leave_out_clients_the_person_no_longer_reaches(client, world):
    sign_all(ready_plan(world, owner=world.cody), world)
    world.client.coach = None
    world.client.save()
    client.force_login(world.cody)
    assert "housing listings" not in client.get(reverse("my_tasks")).content.decode()


# --- API ---------------------------------------------------------------------------------------


def _put(client, url, body):
    return client.put(url, data=json.dumps(body), content_type="application/json")


def test_api_reads_every_version(client, world):
    v1 = sign_all(ready_plan(world), world)
    services.plan_revise(plan=v1, by=world.alice, reason="Change")
    client.force_login(world.alice)
    listing = client.get(reverse("api_plan_list", kwargs={"client_id": world.client.pk})).json()
    assert [(p["version_number"], p["status"]) for p in listing["plans"]] == [
        (2, "draft"),
        (1, "active"),
    ]
    document = client.get(_url("api_plan_item", world, v1)).json()
    goal = document["problems"][0]["goals"][0]
    assert goal["own_words"] == "I want my own place" and document["locked"] is True


def test_api_replaces_a_draft_and_refuses_a_signed_version(client, world):
    plan = ready_plan(world)
    client.force_login(world.alice)
    url = _url("api_plan_item", world, plan)
    document = client.get(url).json()
    document["problems"][0]["goals"][0]["measurable"] = "Keys in hand"
    saved = _put(client, url, document)
    assert saved.status_code == 200 and saved.json()["version"] == document["version"] + 1
    assert plan.goals.get().measurable == "Keys in hand"
    assert plan.goals.get().key.hex == document["problems"][0]["goals"][0]["key"].replace("-", "")

    stale = _put(client, url, document)
    assert stale.status_code == 409 and stale.json()["code"] == "stale"
    assert stale.json()["error"].startswith("Someone else changed this plan")
    assert [change["who"] for change in stale.json()["changes"]] == ["alice"]

    plan.refresh_from_db()
    sign_all(plan, world)
    locked_doc = client.get(url).json()
    locked_doc["problems"][0]["statement"] = "Rewritten after signing"
    locked = _put(client, url, locked_doc)
    assert locked.status_code == 409 and locked.json()["code"] == "locked"
    assert plan.problems.get().statement != "Rewritten after signing"


def test_api_bad_content_is_refused_whole_with_each_problem_named(client, world):
    plan = ready_plan(world)
    client.force_login(world.alice)
    url = _url("api_plan_item", world, plan)
    document = client.get(url).json()
    document["problems"][0]["goals"][0]["target_date"] = "next week"
    document["problems"][0]["goals"][0]["interventions"][0]["responsible"] = "wizard"
    document["problems"].append({"statement": "Work: wants a job", "goals": []})
    response = _put(client, url, document)
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert set(errors) == {
        "problems[0].goals[0].target_date",
        "problems[0].goals[0].interventions[0].responsible",
    }
    assert plan.problems.count() == 1


@pytest.mark.parametrize("person", ["bob", "cody", "charlie", "ivy"])
def test_api_is_not_found_for_those_the_policy_leaves_out(client, world, person):
    plan = ready_plan(world)
    client.force_login(getattr(world, person))
    assert client.get(_url("api_plan_item", world, plan)).status_code == 404
    assert _put(client, _url("api_plan_item", world, plan), {"version": 1}).status_code == 404


def test_api_needs_sign_in_and_valid_json(client, world):
    plan = ready_plan(world)
    assert client.get(_url("api_plan_item", world, plan)).status_code == 401
    client.force_login(world.alice)
    response = client.put(
        _url("api_plan_item", world, plan), data="{not json", content_type="application/json"
    )
    assert response.status_code == 400


def test_plan_page_queries_do_not_grow_with_the_plan(client, world, due_not_kept):
    plan = sign_all(ready_plan(world), world)
    client.force_login(world.alice)
    url = reverse("plan_home", kwargs={"client_id": world.client.pk})
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    v2 = services.plan_revise(plan=plan, by=world.alice, reason="Grow")
    for n in range(6):
        v2.refresh_from_db()
        services.problem_save(plan=v2, by=world.alice, version=v2.version, statement=f"Need {n}")
        v2.refresh_from_db()
        problem = v2.problems.order_by("-id").first()
        goal = services.goal_save(
            plan=v2,
            by=world.alice,
            version=v2.version,
            problem_id=problem.pk,
            own_words=f"Goal {n}",
            measurable="m",
            target_date=in_days(30),
            term="short",
        )
        v2.refresh_from_db()
        services.intervention_save(
            plan=v2,
            by=world.alice,
            version=v2.version,
            goal_id=goal.pk,
            action=f"Do {n}",
            responsible="client",
            frequency="weekly",
            owner=world.alice,
        )
    v2.refresh_from_db()
    sign_all(v2, world)
    with CaptureQueriesContext(connection) as big:
        client.get(url)
    assert len(big.captured_queries) == len(small.captured_queries)


def test_a_supervisor_sees_plans_waiting_for_their_co_signature(client, world):
    from casebridge.plans.models import PlanRules

    PlanRules.objects.create(program=world.client.program, supervisor_cosign=True)
    plan = sign_all(ready_plan(world), world)
    client.force_login(world.otto)
    assert "waiting for your co-signature" not in client.get(reverse("my_tasks")).content.decode()
    client.force_login(world.sue)
    page = client.get(reverse("my_tasks")).content.decode()
    assert "waiting for your co-signature" in page and f"/plan/{plan.pk}/" in page
    client.post(_url("plan_sign", world, plan), {"role": "supervisor", "version": plan.version})
    plan.refresh_from_db()
    assert plan.status == "active"
    assert "waiting for your co-signature" not in client.get(reverse("my_tasks")).content.decode()


@pytest.mark.parametrize(
    "problems",
    [
        [{"statement": "Housing", "goals": "not a list"}],
        [{"statement": "Housing", "goals": [None]}],
        [{"statement": "Housing", "goals": [{"own_words": "x", "objectives": [3]}]}],
        ["just a string"],
    ],
)
def test_api_refuses_malformed_documents_without_crashing(client, world, problems):
    plan = ready_plan(world)
    client.force_login(world.alice)
    response = _put(
        client, _url("api_plan_item", world, plan), {"version": plan.version, "problems": problems}
    )
    assert response.status_code == 400 and response.json()["errors"]
    assert plan.goals.count() == 1


def test_once_the_plan_is_in_effect_the_case_can_move_on_to_implementation(client, world):
    world.client.stage = "planning"
    world.client.save()
    plan = sign_all(ready_plan(world), world)
    client.force_login(world.alice)
    page = client.get(_url("plan_detail", world, plan)).content.decode()
    assert "Move to Implementation" in page
    world.client.refresh_from_db()
    response = client.post(
        reverse("client_move_stage", kwargs={"client_id": world.client.pk}),
        {
            "to_stage": "implementation",
            "reason": f"Care plan version {plan.sequence} signed and in effect.",
            "version": world.client.version,
        },
    )
    assert response.status_code == 302
    world.client.refresh_from_db()
    assert world.client.stage == "implementation"
    assert (
        "Move to Implementation"
        not in client.get(_url("plan_detail", world, plan)).content.decode()
    )


def test_my_tasks_is_audited_as_a_list_of_clients(client, world):
    sign_all(ready_plan(world), world)
    client.force_login(world.alice)
    client.get(reverse("my_tasks"))
    event = AuditEvent.objects.filter(object_type="my_tasks", action="list").get()
    assert event.changes["client_ids"] == [world.client.pk]


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        ("target_date", 20991231, "Give a date as YYYY-MM-DD."),
        ("target_date", "2001-01-01", "The target date has already passed."),
        ("strength", ["a list"], "Send text."),
    ],
)
def test_api_goal_values_of_the_wrong_kind_are_named_not_crashed_on(
    client, world, path, value, message
):
    plan = ready_plan(world)
    client.force_login(world.alice)
    url = _url("api_plan_item", world, plan)
    document = client.get(url).json()
    document["problems"][0]["goals"][0][path] = value
    response = _put(client, url, document)
    assert response.status_code == 400
    assert response.json()["errors"][f"problems[0].goals[0].{path}"] == [message]


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"provider_name": "x" * 201}, "provider_name", "Keep it under 200 characters."),
        ({"responsible": "provider", "provider_name": ""}, "provider_name", "Name the provider"),
        ({"owner": True}, "owner", "Choose an active staff member of this organisation."),
        ({"frequency": "as_needed"}, "frequency", "Tasks need a schedule"),
    ],
)
def test_api_refuses_what_the_action_form_refuses(client, world, changes, field, message):
    plan = ready_plan(world)
    client.force_login(world.alice)
    url = _url("api_plan_item", world, plan)
    document = client.get(url).json()
    document["problems"][0]["goals"][0]["interventions"][0].update(changes)
    response = _put(client, url, document)
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert errors[f"problems[0].goals[0].interventions[0].{field}"][0].startswith(message)


def test_a_need_domain_of_the_wrong_kind_is_refused(client, world):
    plan = ready_plan(world)
    client.force_login(world.alice)
    url = _url("api_plan_item", world, plan)
    document = client.get(url).json()
    document["problems"][0]["need_domain"] = ["housing"]
    assert _put(client, url, document).status_code == 400


def test_emergency_access_does_not_let_an_owner_record_tasks(client, world):
    from casebridge.access.services import break_glass_grant

    # A case manager who held a task, then stopped working with the client.
    world.client.secondary_case_manager = world.bob
    world.client.save()
    sign_all(ready_plan(world, owner=world.bob), world)
    task = PlanTask.objects.get()
    world.client.secondary_case_manager = None
    world.client.save()
    break_glass_grant(
        user=world.bob,
        client_id=world.client.pk,
        program_id=world.client.program_id,
        reason="Crisis call, client unreachable",
    )
    client.force_login(world.bob)
    response = client.post(
        reverse("task_close", kwargs={"client_id": world.client.pk, "task_id": task.pk}),
        {"done": "1"},
    )
    assert response.status_code == 404
    task.refresh_from_db()
    assert task.status == "open"


def test_a_supervisor_who_signed_for_the_case_manager_is_not_offered_the_co_signature(
    client, world
):
    from casebridge.plans.models import PlanRules

    PlanRules.objects.create(program=world.client.program, supervisor_cosign=True)
    plan = ready_plan(world)
    services.plan_sign(
        plan=plan,
        by=world.sue,
        version=plan.version,
        role="client",
        method="verbal",
        witness_name="Front desk",
    )
    plan.refresh_from_db()
    services.plan_sign(plan=plan, by=world.sue, version=plan.version, role="case_manager")
    client.force_login(world.sue)
    page = client.get(_url("plan_detail", world, plan)).content.decode()
    assert "Co-sign as supervisor" not in page


def test_compare_with_one_version_chosen_asks_for_two(client, world):
    v1 = sign_all(ready_plan(world), world)
    services.plan_revise(plan=v1, by=world.alice, reason="More")
    client.force_login(world.alice)
    page = client.get(
        reverse("plan_compare", kwargs={"client_id": world.client.pk}), {"older": v1.pk}
    ).content.decode()
    assert "Choose two versions to compare." in page


def test_administrators_set_plan_rules_for_their_own_programs_only(client, world):
    from casebridge.plans.models import PlanRules

    ours = PlanRules.objects.create(program=world.program, review_every_days=30)
    theirs = PlanRules.objects.create(program=world.foreign_client.program, review_every_days=60)
    client.force_login(world.ada)
    listing = client.get(reverse("admin:plans_planrules_changelist")).content.decode()
    assert f"/admin/plans/planrules/{ours.pk}/change/" in listing
    assert f"/admin/plans/planrules/{theirs.pk}/change/" not in listing
    form = client.get(reverse("admin:plans_planrules_add")).content.decode()
    assert f'<option value="{world.other_program.pk}"' in form
    assert f'<option value="{world.foreign_client.program_id}"' not in form


def test_recording_a_task_in_place_answers_with_just_that_task(client, world):
    sign_all(ready_plan(world), world)
    task = PlanTask.objects.get()
    client.force_login(world.alice)
    url = reverse("task_close", kwargs={"client_id": world.client.pk, "task_id": task.pk})
    refused = client.post(url, {"done": "0", "note": ""}, HTTP_HX_REQUEST="true")
    body = refused.content.decode()
    assert refused.status_code == 200 and "<html" not in body
    assert "Say what happened, so the team can follow up." in body
    assert f'aria-describedby="task-{task.pk}-error"' in body and 'value="0" checked' in body
    recorded = client.post(url, {"done": "1"}, HTTP_HX_REQUEST="true").content.decode()
    following = PlanTask.objects.get(status="open")
    assert "Recorded as done." in recorded
    assert f"The next one is due {following.due_on:%b} {following.due_on.day}." in recorded


def test_after_reassignment_the_new_case_manager_takes_the_tasks_over(client, world):
    sign_all(ready_plan(world), world)
    world.client.primary_case_manager = world.bob
    world.client.save()
    client.force_login(world.bob)
    page = client.get(reverse("plan_home", kwargs={"client_id": world.client.pk})).content.decode()
    assert "no longer works with this client but still has 1 open task" in page
    take = reverse("task_take_over", kwargs={"client_id": world.client.pk})
    client.post(take, {"owner": world.alice.pk})
    task = PlanTask.objects.get()
    assert task.owner == world.bob
    assert world.client.timeline.filter(summary__contains="handed from").exists()
    following = services.task_close(task=task, by=world.bob, done=True)
    assert following.owner == world.bob  # repeating work stays with whoever took it over


def test_tasks_of_someone_still_on_the_case_are_not_taken(client, world):
    sign_all(ready_plan(world), world)
    client.force_login(world.sue)
    client.post(
        reverse("task_take_over", kwargs={"client_id": world.client.pk}), {"owner": world.alice.pk}
    )
    assert PlanTask.objects.get().owner == world.alice


def test_a_take_over_survives_the_next_version(client, world):
    v1 = sign_all(ready_plan(world), world)
    world.client.primary_case_manager = world.bob
    world.client.save()
    services.tasks_take_over(client=world.client, from_owner_id=world.alice.pk, by=world.bob)
    v2 = services.plan_revise(plan=v1, by=world.bob, reason="Bob's first review")
    sign_all(v2, world)
    assert PlanTask.objects.get(status="open").owner == world.bob


def test_a_draft_in_progress_names_whoever_took_the_tasks_over(client, world):
    v1 = sign_all(ready_plan(world), world)
    v2 = services.plan_revise(plan=v1, by=world.alice, reason="Next")
    world.client.primary_case_manager = world.bob
    world.client.save()
    services.tasks_take_over(client=world.client, from_owner_id=world.alice.pk, by=world.bob)
    assert v2.interventions.get().owner == world.bob
    assert v1.interventions.get().owner == world.alice  # the signed version is untouched


def test_taking_over_many_tasks_at_once_is_one_audit_row_naming_each(world):
    """The trail's id column is short; a hand-over of a dozen tasks names them in its changes."""
    from casebridge.audit.models import AuditEvent

    sign_all(ready_plan(world), world)
    first = PlanTask.objects.get()
    for _ in range(11):
        first.pk = None
        first.save()
    world.client.primary_case_manager = world.bob
    world.client.save()
    taken = services.tasks_take_over(
        client=world.client, from_owner_id=world.alice.pk, by=world.bob
    )
    assert taken == 12
    event = AuditEvent.objects.get(object_type="plan_task_handover")
    assert sorted(event.changes["tasks"]) == sorted(PlanTask.objects.values_list("pk", flat=True))
    assert PlanTask.objects.filter(owner=world.bob).count() == 12


def test_the_plan_page_lists_open_tasks_soonest_first_and_the_last_ten_closed(client, world):
    """Open tasks by due date with who holds them; closed ones in their own list, the latest
    first, at most ten, with what was said of them; another client's tasks in neither."""
    sign_all(ready_plan(world), world)
    first = PlanTask.objects.get()
    PlanTask.objects.filter(pk=first.pk).update(due_on=in_days(5))
    for days in (9, 3):
        PlanTask.objects.create(
            client=world.client,
            intervention=first.intervention,
            owner=world.bob,
            title=f"Open task due in {days} days",
            due_on=in_days(days),
        )
    now = timezone.now()
    for n in range(12):
        PlanTask.objects.create(
            client=world.client,
            intervention=first.intervention,
            owner=world.alice,
            title=f"Closed task number {n}.",
            due_on=in_days(-20 + n),
            status="missed" if n % 2 else "done",
            note=f"said of task {n}",
            closed_by=world.alice,
            closed_at=now - timedelta(days=12 - n),
        )
    PlanTask.objects.create(
        client=world.engagement_client,
        intervention=first.intervention,
        owner=world.alice,
        title="Another client's task",
        due_on=in_days(1),
    )
    client.force_login(world.alice)
    page = client.get(reverse("plan_home", kwargs={"client_id": world.client.pk})).content.decode()
    open_part, closed_part = page.split("Recently closed")
    places = [open_part.index(t) for t in ("due in 3 days", first.title, "due in 9 days")]
    assert places == sorted(places)
    assert open_part.count(world.bob.display_name) >= 2
    assert "Closed task number" not in open_part
    shown = [n for n in range(12) if f"Closed task number {n}." in closed_part]
    assert shown == list(range(2, 12))
    assert closed_part.index("number 11.") < closed_part.index("number 2.")
    assert "(said of task 11)" in closed_part and "missed" in closed_part
    assert "Another client" not in page
