"""The disclosure gate refuses every request a consent does not cover and allows those it does."""

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from casebridge.consents.gate import (
    DisclosureRequest,
    Recipient,
    decide,
    missing_elements,
    state_on,
)
from casebridge.consents.models import (
    TPO_PURPOSES,
    Consent,
    InformationCategory,
    Purpose,
)

TODAY = date(2026, 11, 25)
CATEGORIES = [c.value for c in InformationCategory if c != InformationCategory.ALL_SUD]


def consent(**overrides) -> Consent:
    values = {
        "pk": 1,
        "status": "active",
        "patient_name": "Jamie Rivera",
        "disclosing_party": "Riverside",
        "categories": ["attendance", "drug_screens"],
        "recipient_kind": "named",
        "recipient_name": "County Drug Court",
        "purpose": "court",
        "right_to_revoke_explained": True,
        "expiry_kind": "date",
        "expires_on": TODAY + timedelta(days=90),
        "signature_method": "verbal",
        "witness_name": "Sue Staff",
        "signed_by": "Jamie Rivera",
        "signed_on": TODAY - timedelta(days=10),
    }
    values.update(overrides)
    return Consent(**values)


def ask(
    recipient="County Drug Court",
    categories=("attendance",),
    purpose="court",
    on=TODAY,
    **recipient_extra,
):
    return DisclosureRequest(
        recipient=Recipient(name=recipient, **recipient_extra),
        categories=frozenset(categories),
        purpose=purpose,
        on=on,
    )


def test_a_covering_consent_allows_and_is_named():
    given_consent = consent()
    decision = decide([given_consent], ask())
    assert decision.allowed and decision.consent is given_consent


def test_recipient_names_match_ignoring_case_and_spacing():
    assert decide([consent()], ask(recipient="  county   DRUG court ")).allowed


@pytest.mark.parametrize(
    ("case", "the_consent", "request_"),
    [
        ("wrong recipient", consent(), ask(recipient="Employer Inc")),
        (
            "category outside the description",
            consent(),
            ask(categories=("attendance", "diagnoses")),
        ),
        ("different purpose", consent(), ask(purpose="employment")),
        ("expired by date", consent(expires_on=TODAY - timedelta(days=1)), ask()),
        ("revoked", consent(status="revoked", revoked_on=TODAY - timedelta(days=1)), ask()),
        ("revoked today", consent(status="revoked", revoked_on=TODAY), ask()),
        ("not yet signed (draft)", consent(status="draft"), ask()),
        ("signed later than asked", consent(signed_on=TODAY + timedelta(days=1)), ask()),
        (
            "ended by its event",
            consent(
                expiry_kind="event",
                expires_on=None,
                expiry_event="end of treatment",
                expiry_event_happened_on=TODAY,
            ),
            ask(),
        ),
        (
            "collateral consent, other collateral",
            consent(recipient_kind="collateral", recipient_collateral_id=7),
            ask(collateral_id=8),
        ),
        (
            "TPO consent, not a health care recipient",
            consent(recipient_kind="tpo", expiry_kind="none", purpose="treatment"),
            ask(purpose="treatment"),
        ),
        (
            "TPO consent, court purpose",
            consent(recipient_kind="tpo", expiry_kind="none", purpose="treatment"),
            ask(purpose="court", is_health_care=True),
        ),
        ("nothing asked", consent(), ask(categories=())),
    ],
)
def test_the_gate_refuses_what_no_consent_covers(case, the_consent, request_):
    decision = decide([the_consent], request_)
    assert not decision.allowed, case
    assert decision.reasons


def test_a_refusal_says_what_consent_would_be_needed():
    decision = decide(
        [], ask(recipient="Acme Staffing", categories=("attendance",), purpose="employment")
    )
    assert not decision.allowed
    assert decision.reasons == ["The client has no consents on record."]
    assert (
        decision.needed
        == "A signed, unexpired consent naming Acme Staffing as recipient, covering attendance, for employment."
    )


def test_revocation_stops_disclosures_from_that_day_on_but_not_before():
    revoked = consent(status="revoked", revoked_on=TODAY)
    assert decide([revoked], ask(on=TODAY - timedelta(days=1))).allowed
    assert not decide([revoked], ask(on=TODAY)).allowed


def test_all_sud_records_covers_every_category():
    broad = consent(categories=["all_sud"])
    assert decide([broad], ask(categories=CATEGORIES)).allowed


def test_the_single_tpo_consent_covers_health_care_recipients_for_tpo_purposes():
    tpo = consent(
        recipient_kind="tpo",
        recipient_name="",
        expiry_kind="none",
        expires_on=None,
        purpose="treatment",
    )
    for purpose in TPO_PURPOSES:
        assert decide(
            [tpo], ask(recipient="Dr. Lee, Valley Clinic", purpose=purpose, is_health_care=True)
        ).allowed


def test_one_of_several_consents_is_enough():
    decision = decide([consent(pk=1, purpose="employment"), consent(pk=2)], ask())
    assert decision.allowed and decision.consent.pk == 2


def test_every_missing_element_is_named():
    empty = Consent(patient_name="", disclosing_party="")
    assert set(missing_elements(empty)) == {
        "patient_name",
        "disclosing_party",
        "categories",
        "recipient_kind",
        "purpose",
        "right_to_revoke_explained",
        "expiry_kind",
        "signature_method",
        "signed_by",
        "signed_on",
    }
    assert missing_elements(consent()) == {}


def test_no_expiry_is_only_for_tpo():
    assert "expiry_kind" in missing_elements(consent(expiry_kind="none", expires_on=None))
    assert (
        missing_elements(
            consent(
                recipient_kind="tpo",
                recipient_name="",
                purpose="payment",
                expiry_kind="none",
                expires_on=None,
            )
        )
        == {}
    )


# Property: over generated consents and requests, the gate allows exactly when every element
# of the request is inside one consent's grant, that consent is in effect on the day.
names = st.sampled_from(["County Drug Court", "Acme Staffing", "Dana Rivera"])
category_sets = st.sets(st.sampled_from(CATEGORIES), min_size=1, max_size=3)
purposes = st.sampled_from([p.value for p in Purpose])
offsets = st.integers(min_value=-60, max_value=60)


@st.composite
def consents(draw):
    kind = draw(st.sampled_from(["named", "collateral", "tpo"]))
    status = draw(st.sampled_from(["draft", "active", "revoked"]))
    expiry = "none" if kind == "tpo" and draw(st.booleans()) else "date"
    return consent(
        pk=draw(st.integers(1, 1000)),
        status=status,
        recipient_kind=kind,
        recipient_name=draw(names) if kind == "named" else "",
        recipient_collateral_id=draw(st.integers(1, 3)) if kind == "collateral" else None,
        categories=sorted(draw(category_sets)) if not draw(st.booleans()) else ["all_sud"],
        purpose=draw(st.sampled_from(sorted(TPO_PURPOSES))) if kind == "tpo" else draw(purposes),
        expiry_kind=expiry,
        expires_on=TODAY + timedelta(days=draw(offsets)) if expiry == "date" else None,
        signed_on=TODAY - timedelta(days=draw(st.integers(0, 30))),
        revoked_on=TODAY + timedelta(days=draw(offsets)) if status == "revoked" else None,
    )


def expected(c, request):
    in_effect = (
        c.status != "draft"
        and not (c.status == "revoked" and c.revoked_on <= request.on)
        and c.signed_on <= request.on
        and (c.expiry_kind != "date" or request.on <= c.expires_on)
    )
    if c.recipient_kind == "tpo":
        recipient_ok = request.recipient.is_health_care and request.purpose in TPO_PURPOSES
        purpose_ok = request.purpose in TPO_PURPOSES
    elif c.recipient_kind == "collateral":
        recipient_ok = request.recipient.collateral_id == c.recipient_collateral_id
        purpose_ok = c.purpose == request.purpose
    else:
        recipient_ok = c.recipient_name.casefold() == request.recipient.name.casefold()
        purpose_ok = c.purpose == request.purpose
    categories_ok = "all_sud" in c.categories or request.categories <= set(c.categories)
    return in_effect and recipient_ok and purpose_ok and categories_ok


@settings(max_examples=300, deadline=None)
@given(
    st.lists(consents(), max_size=4),
    names,
    st.one_of(st.none(), st.integers(1, 3)),
    st.booleans(),
    category_sets,
    purposes,
    offsets,
)
def test_property_the_gate_allows_exactly_the_covered_requests(
    given_consents, name, collateral_id, health_care, categories, purpose, offset
):
    request = ask(
        recipient=name,
        categories=categories,
        purpose=purpose,
        on=TODAY + timedelta(days=offset),
        collateral_id=collateral_id,
        is_health_care=health_care,
    )
    decision = decide(given_consents, request)
    assert decision.allowed == any(expected(c, request) for c in given_consents)
    if decision.allowed:
        assert expected(decision.consent, request)


@settings(max_examples=100, deadline=None)
@given(consents(), offsets)
def test_property_state_is_one_of_the_known_states(given_consent, offset):
    assert state_on(given_consent, TODAY + timedelta(days=offset)) in {
        "draft",
        "active",
        "revoked",
        "expired",
        "not yet signed",
    }
