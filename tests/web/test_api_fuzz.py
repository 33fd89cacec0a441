"""The plans API under junk: any value in any place of a document the API handed out, and
documents of any shape. Never a server error; a refusal saves nothing; the trail verifies."""

import json
import os
from typing import Any

import pytest
from django.db import transaction
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from casebridge.audit.services import audit_verify
from casebridge.plans.documents import plan_document
from casebridge.plans.models import CarePlan
from tests.plans.helpers import ready_plan

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "25"))

JSON_LEAF = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=40),
    st.sampled_from(["", "²", "9999-12-31", "2026-02-30", "0001-01-01", "\u00a0", "1e400"]),
)
JSON = st.recursive(
    JSON_LEAF,
    lambda children: st.one_of(
        st.lists(children, max_size=4), st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=12,
)


def _paths(document: Any, prefix: tuple = ()) -> list[tuple]:
    """Every place in a document: dict keys and list positions, leaves and branches."""
    found = [prefix] if prefix else []
    if isinstance(document, dict):
        for key, value in document.items():
            found += _paths(value, (*prefix, key))
    elif isinstance(document, list):
        for index, value in enumerate(document):
            found += _paths(value, (*prefix, index))
    return found


def _replace(document: Any, path: tuple, value: Any) -> Any:
    copy = json.loads(json.dumps(document))
    target = copy
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value
    return copy


@pytest.fixture
def api(client, world):
    plan = ready_plan(world)
    client.force_login(world.alice)
    url = reverse("api_plan_item", kwargs={"client_id": world.client.pk, "plan_id": plan.pk})
    document = client.get(url).json()
    return plan, url, document


def _stored(plan: CarePlan) -> str:
    fresh = CarePlan.objects.get(pk=plan.pk)
    return json.dumps(plan_document(fresh), sort_keys=True, default=str) + str(fresh.version)


FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def _put_and_check(client, plan, url, body: bytes) -> None:
    with transaction.atomic():
        before = _stored(plan)
        response = client.put(url, data=body, content_type="application/json")
        assert response.status_code < 500, response.content[:300]
        assert response["Content-Type"].startswith("application/json")
        if response.status_code != 200:
            assert _stored(plan) == before, "a refused document changed the plan"
        assert audit_verify() == []
        transaction.set_rollback(True)


def test_junk_in_any_place_of_a_real_document(client, api):
    plan, url, document = api
    places = _paths(document)

    @FUZZ
    @given(place=st.sampled_from(places), junk=JSON)
    def put(place: tuple, junk: Any) -> None:
        body = json.dumps(_replace(document, place, junk), allow_nan=False).encode()
        _put_and_check(client, plan, url, body)

    put()


def test_documents_of_any_shape(client, api):
    plan, url, _ = api

    @FUZZ
    @given(junk=JSON)
    def put(junk: Any) -> None:
        _put_and_check(client, plan, url, json.dumps(junk, allow_nan=False).encode())

    put()


def test_bytes_that_are_not_json(client, api):
    plan, url, _ = api

    @FUZZ
    @given(body=st.binary(max_size=200))
    def put(body: bytes) -> None:
        _put_and_check(client, plan, url, body)

    put()
