"""Whatever goes into an audit row's changes, the hash still matches after the database gives
the row back: PostgreSQL's jsonb rewrites numbers (1e20 comes back as an integer, -0.0 as 0.0),
refuses NUL and reorders keys; SQLite keeps Python's text. Run on both databases."""

import json
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from casebridge.audit.canonical import _number, canonical_json
from casebridge.audit.models import AuditEvent
from casebridge.audit.services import audit_record, audit_verify

# Numbers that jsonb stores differently from how Python writes them, and text it refuses.
AWKWARD_NUMBERS = [1e20, -0.0, 0.0, 1e308, -1.7976931348623157e308, 5e-324, 2.0**70, 0.1, 1e-7]
AWKWARD_TEXT = ["\x00", "a\x00b", "\ud800", "\udfff x", "\ud83d\ude00", "é", "😀", "\u2028"]

scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**200), max_value=2**200)
    | st.floats()
    | st.sampled_from(AWKWARD_NUMBERS)
    | st.text()
    | st.sampled_from(AWKWARD_TEXT)
)
json_values = st.recursive(
    scalars,
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.text(max_size=6) | st.sampled_from(AWKWARD_TEXT), children, max_size=4)
    ),
    max_leaves=16,
)
changes_documents = st.dictionaries(st.text(max_size=10), json_values, max_size=5)


@pytest.mark.django_db
@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(changes=changes_documents)
def test_any_json_in_changes_still_verifies_after_the_database_gives_it_back(changes):
    event = audit_record(actor=None, action="update", changes=changes, organisation_id=7)
    stored = AuditEvent.objects.get(pk=event.pk)
    assert canonical_json(stored.changes) == canonical_json(event.changes)
    assert audit_verify() == []


def test_a_plan_document_with_large_and_signed_zero_numbers_verifies(world):
    audit_record(
        actor=world.alice,
        action="update",
        client_id=world.client.pk,
        object_type="plan",
        changes={"budget": [1e20, 2.5e20], "delta": -0.0, "big": 2**80, "rate": 0.1},
    )
    assert audit_verify() == []


@pytest.mark.parametrize(
    ("written", "stored"),
    [
        (1e20, "1e20"),
        (100000000000000000000, "1e20"),
        (1.0, "1"),
        (-0.0, "0"),
        (0.1, "1e-1"),
        (1.5e-7, "15e-8"),
        (-120, "-12e1"),
    ],
)
def test_numbers_are_written_by_value_not_by_python_type(written, stored):
    assert canonical_json(written) == stored
    assert json.loads(canonical_json([written])) == [float(stored)]


@pytest.mark.parametrize(
    "number",
    [0, 1, -1, 7, 10, -10, 120, 1001, 123000, 10**20, -(10**20), 2**80, -(2**63), 999_999_990],
)
def test_an_integer_is_written_as_its_exact_decimal_is(number):
    exact = _number(Decimal(number))
    assert canonical_json(number) == exact
    assert canonical_json({"ids": [number]}) == f'{{"ids":[{exact}]}}'


@given(st.integers(min_value=-(10**40), max_value=10**40))
def test_any_integer_is_written_as_its_exact_decimal_is(number):
    assert canonical_json(number) == _number(Decimal(number))


def test_keys_are_sorted_and_text_is_escaped_the_same_way_every_time():
    assert canonical_json({"b": 1, "a": ["é", None, True]}) == '{"a":["\\u00e9",null,true],"b":1}'


@pytest.mark.parametrize(
    "address", ["10.1.2.3", "2001:0DB8:0000:0000:0000:0000:0000:0001", "::FFFF:10.0.0.1", "::1"]
)
def test_addresses_the_database_rewrites_still_verify(db, address):
    event = audit_record(actor=None, action="login_failed", remote_addr=address)
    assert AuditEvent.objects.get(pk=event.pk).remote_addr == event.remote_addr
    assert audit_verify() == []


def test_something_that_is_not_an_address_is_not_stored_as_one(db):
    event = audit_record(actor=None, action="login_failed", remote_addr="unknown")
    assert event.remote_addr is None
    assert audit_verify() == []
