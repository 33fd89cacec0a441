"""A referral made from the care plan and the directory: the plan's provider action offers
"Make the referral", the form looks in the directory category of the need, a service chosen
there names the provider, and the plan then shows the referral and what came of it under the
goal and the action."""

import json

import pytest
from django.urls import reverse

from casebridge.directory.models import Service, Taxonomy, TaxonomyTerm
from casebridge.directory.services import directory_import
from casebridge.directory.taxonomy import load_builtin_taxonomy
from casebridge.plans import services as plan_services
from casebridge.referrals.models import Referral
from casebridge.referrals.services import referral_move, referral_send
from tests.factories import OrganisationFactory
from tests.plans.helpers import ready_plan, sign_all

ORG = "11111111-1111-4111-8111-111111111111"
HOUSE = "33333333-3333-4333-8333-333333333333"
CLINIC = "22222222-2222-4222-8222-222222222222"


def category(number, service, code):
    term = TaxonomyTerm.objects.get(organisation=None, code=code)
    return {
        "id": f"44444444-4444-4444-8444-{number:012d}",
        "link_id": service,
        "link_entity": "service",
        "link_type": "category",
        "taxonomy_term_id": term.hsds_id,
    }


def import_directory(organisation, tmp_path):
    document = {
        "organization": [{"id": ORG, "name": "Bridge Housing Trust", "description": "Housing"}],
        "service": [
            {
                "id": HOUSE,
                "organization_id": ORG,
                "name": "Bridge recovery house",
                "status": "active",
            },
            {"id": CLINIC, "organization_id": ORG, "name": "Bridge clinic", "status": "active"},
        ],
        "attribute": [category(1, HOUSE, "recovery-housing"), category(2, CLINIC, "outpatient")],
    }
    path = tmp_path / f"directory-{organisation.pk}.json"
    path.write_text(json.dumps(document))
    assert directory_import(organisation=organisation, path=path).problems == []


@pytest.fixture
def planned(world, tmp_path):
    """A plan in effect with a housing goal whose action a provider carries out."""
    load_builtin_taxonomy(Taxonomy, TaxonomyTerm)
    import_directory(world.org, tmp_path)
    plan = ready_plan(world)
    goal = plan.goals.get()
    action = plan_services.intervention_save(
        plan=plan,
        by=world.alice,
        version=plan.version,
        goal_id=goal.pk,
        action="A place in recovery housing",
        responsible="provider",
        provider_name="Bridge Housing Trust",
        frequency="once",
    )
    plan.refresh_from_db()
    sign_all(plan, world)
    plan.refresh_from_db()
    assert plan.status == "active"
    world.plan, world.goal, world.action = plan, goal, action
    return world


def new_url(world, **params):
    query = "&".join(f"{key}={value}" for key, value in params.items())
    return reverse("referral_new", args=[world.client.pk]) + (f"?{query}" if query else "")


def test_the_plans_provider_action_offers_to_make_the_referral(client, planned):
    client.force_login(planned.alice)
    page = client.get(reverse("plan_home", args=[planned.client.pk])).content.decode()
    assert "Make the referral" in page
    assert f"?action={planned.action.key}" in page


def test_the_form_opens_on_the_needs_directory_category_and_prefills_the_action(client, planned):
    client.force_login(planned.alice)
    page = client.get(new_url(planned, action=planned.action.key)).content.decode()
    housing = TaxonomyTerm.objects.get(organisation=None, code="housing")
    assert f'<option value="{housing.pk}" selected>' in page
    assert "A place in recovery housing" in page
    found = client.get(
        new_url(planned, action=planned.action.key, q="", category=housing.pk)
    ).content.decode()
    assert "Bridge recovery house" in found
    assert "Bridge clinic" not in found


def test_a_service_chosen_in_the_directory_names_the_provider_and_serves_the_action(
    client, planned
):
    client.force_login(planned.alice)
    house = Service.objects.get(hsds_id=HOUSE)
    chosen = new_url(planned, service=house.pk, action=planned.action.key)
    assert "Chosen: Bridge recovery house" in client.get(chosen).content.decode()
    response = client.post(
        chosen,
        {
            "service": house.pk,
            "plan_action": planned.action.pk,
            "urgency": "soon",
            "reason": "Needs a sober place to live.",
        },
    )
    assert response.status_code == 302, response.content.decode()[-3000:]
    referral = Referral.objects.get()
    assert (referral.service, referral.provider_name) == (house, "Bridge Housing Trust")
    assert referral.service_name == "Bridge recovery house"
    assert referral.plan_action_key == planned.action.key
    assert referral.goal == planned.goal


def test_the_plan_shows_the_referral_and_its_outcome_under_the_goal_and_action(client, planned):
    client.force_login(planned.alice)
    house = Service.objects.get(hsds_id=HOUSE)
    client.post(
        new_url(planned),
        {
            "service": house.pk,
            "plan_action": planned.action.pk,
            "urgency": "routine",
            "reason": "Needs a sober place to live.",
        },
    )
    referral = Referral.objects.get()
    referral = referral_send(referral=referral, by=planned.alice, version=referral.version)
    referral = referral_move(
        referral=referral, by=planned.alice, to_status="accepted", version=referral.version
    )
    referral_move(
        referral=referral,
        by=planned.alice,
        to_status="completed",
        version=referral.version,
        outcome="housed",
    )
    page = client.get(reverse("plan_home", args=[planned.client.pk])).content.decode()
    assert page.count("Referral to Bridge recovery house") == 2  # under the goal and the action
    assert "Completed: moved in" in page
    assert "Make the referral" not in page


def test_another_agencys_service_cannot_be_chosen(client, planned, tmp_path):
    other = OrganisationFactory()
    import_directory(other, tmp_path)
    foreign = Service.objects.get(organisation=other, hsds_id=HOUSE)
    client.force_login(planned.alice)
    page = client.get(new_url(planned, service=foreign.pk)).content.decode()
    assert "Chosen:" not in page
    response = client.post(
        new_url(planned),
        {"service": foreign.pk, "urgency": "soon", "reason": "Needs a place."},
    )
    assert response.status_code == 200
    assert not Referral.objects.exists()


def test_an_action_of_another_clients_plan_is_refused(client, planned, world):
    client.force_login(planned.alice)
    response = client.post(
        new_url(planned),
        {
            "provider_name": "Hope House",
            "plan_action": planned.action.pk + 999,
            "urgency": "soon",
            "reason": "Needs a place.",
        },
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not Referral.objects.exists()


@pytest.mark.parametrize(
    "junk", ["99999999999999999999", "-1", "1.5", "٣", "<b>", "", "00000000-0000-0000-0000"]
)
def test_junk_in_the_address_opens_the_plain_form(client, planned, junk):
    client.force_login(planned.alice)
    response = client.get(new_url(planned, service=junk, action=junk))
    assert response.status_code == 200
    assert "Chosen:" not in response.content.decode()


def test_only_those_who_may_send_a_referral_are_offered_to_make_it(planned):
    from casebridge.clients.models import Client
    from casebridge.referrals.queries import plan_links

    # Intake reads the plan of a client in engagement but sends nothing out of the program.
    Client.objects.filter(pk=planned.client.pk).update(stage="engagement")
    offered = plan_links(planned.plan, planned.alice)[planned.action.key]
    assert [link.text for link in offered] == ["Make the referral"]
    assert planned.action.key not in plan_links(planned.plan, planned.ivy)
