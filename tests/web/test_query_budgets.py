"""Fixed query budgets for the pages staff open all day. Each page is measured with a caseload
of 5 and of 30 clients, the bigger one also with more flags, contacts, measures, tasks and
timeline entries on the client, under one budget: a query per row or per entry fails either way.

The budgets are today's counts. If a change needs more, raise the number here on purpose."""

from datetime import timedelta

import pytest
from django.utils import timezone

from casebridge.assessments import services as assessment_services
from casebridge.clients import services as client_services
from casebridge.plans.models import Intervention, PlanTask
from tests.factories import ClientFactory, CollateralFactory
from tests.plans.helpers import ready_plan, sign_all

BUDGETS = {
    "caseload": ("/caseload/", 35),
    "caseload, overdue only": ("/caseload/?overdue=on", 32),
    "caseload by next due": ("/caseload/?sort=next_due", 35),
    "client overview": ("/clients/{c}/", 35),
    "timeline": ("/clients/{c}/timeline/", 35),
    "care plan home": ("/clients/{c}/plan/", 50),
    "my tasks": ("/tasks/", 14),
    "measures": ("/clients/{c}/measures/", 38),
    "contact log": ("/clients/{c}/contact-log/", 39),
    "check-ins": ("/clients/{c}/check-ins/", 35),
    "calendar": ("/clients/{c}/calendar/", 35),
    "recovery": ("/clients/{c}/recovery/", 41),
    "my day": ("/my-day/", 38),
}


def _caseload_of(world, size: int) -> None:
    """`size` clients for alice, and as many things on her main client as it takes to grow."""
    sign_all(ready_plan(world), world)
    intervention = Intervention.objects.get()
    grow = size // 5
    for n in range(size - 2):  # the world already gives alice two clients
        extra = ClientFactory(
            program=world.program,
            primary_case_manager=world.alice,
            registered_by=world.ivy,
            # Half of them overdue a contact, so "overdue only" lists a page of clients too.
            last_contact_at=timezone.now() - timedelta(days=20 if n % 2 else 2),
        )
        client_services.flag_raise(client=extra, by=world.alice, kind="high_risk")
        PlanTask.objects.create(
            client=world.client,
            intervention=intervention,
            owner=world.alice,
            title=f"Check in {n}",
            due_on=timezone.localdate() + timedelta(days=n % 10),
        )
    for n in range(grow):
        CollateralFactory(client=world.client)
        assessment_services.instrument_record(
            client=world.client,
            by=world.alice,
            code="phq9",
            answers={str(i): (n + i) % 3 for i in range(1, 10)},
        )
        client_services.timeline_add(
            client=world.client, kind="details", summary=f"Details {n}", actor=world.alice
        )


@pytest.mark.parametrize("size", [5, 30])
@pytest.mark.parametrize("page", list(BUDGETS))
def test_page_stays_within_its_query_budget(
    client, world, django_assert_max_num_queries, page, size, due_not_kept
):
    _caseload_of(world, size)
    url, budget = BUDGETS[page]
    url = url.format(c=world.client.pk)
    client.force_login(world.alice)
    assert client.get(url).status_code == 200  # warm caches (sessions, content types)
    with django_assert_max_num_queries(budget):
        response = client.get(url)
    assert response.status_code == 200
