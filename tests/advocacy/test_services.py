"""Application services: starting one names the agency (and, for an insurance authorization, the
level of care); each status move follows the table with its reason, its dates in order, on the
record, the audit trail and the timeline; deadlines say what they are for; an approved
authorization records its number, dates and units; an appeal is its own record and the denial
follows it; documents go out only through the consent gate (a refusal saves nothing); two
people never overwrite each other."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from casebridge.advocacy.models import Application, ApplicationDocument, ApplicationEvent
from casebridge.advocacy.services import (
    appeal_start,
    application_dates,
    application_move,
    application_start,
    authorization_record,
    documents_send,
)
from casebridge.audit.models import AuditEvent
from casebridge.audit.versions import VersionConflict
from casebridge.clients.models import TimelineEntry
from casebridge.consents.models import Disclosure
from casebridge.consents.services import DisclosureRefused
from tests.factories import ConsentFactory


def today(days=0):
    return timezone.localdate() + timedelta(days=days)


def start(world, **overrides):
    fields = {
        "client": world.client,
        "by": world.alice,
        "kind": "medicaid",
        "agency_name": "County Department of Social Services",
        "agency_contact": "555-0100",
    }
    fields.update(overrides)
    return application_start(**fields)


def move(application, world, to_status, **extra):
    application.refresh_from_db()
    return application_move(
        application=application,
        by=extra.pop("by", world.alice),
        to_status=to_status,
        version=extra.pop("version", application.version),
        **extra,
    )


def test_starting_one_names_the_agency_and_is_audited(world):
    with pytest.raises(ValidationError) as refused:
        start(world, kind="lottery", agency_name=" ")
    assert set(refused.value.message_dict) == {"kind", "agency_name"}
    with pytest.raises(ValidationError) as other:
        start(world, kind="other")
    assert set(other.value.message_dict) == {"kind_detail"}
    assert not Application.objects.exists()
    application = start(world)
    assert (application.status, application.version) == ("preparing", 1)
    assert AuditEvent.objects.filter(object_type="application", action="create").count() == 1
    assert TimelineEntry.objects.filter(kind="application", client=world.client).exists()


def test_an_authorization_names_the_level_of_care_and_no_other_kind_has_one(world):
    with pytest.raises(ValidationError) as refused:
        start(world, kind="insurance-authorization", agency_name="Acme Health Plan")
    assert set(refused.value.message_dict) == {"level_of_care"}
    with pytest.raises(ValidationError) as medicaid:
        start(world, level_of_care="3.5")
    assert set(medicaid.value.message_dict) == {"level_of_care"}
    authorization = start(
        world, kind="insurance-authorization", agency_name="Acme Health Plan", level_of_care="3.5"
    )
    assert authorization.title == "Insurance authorization (level 3.5)"


@pytest.mark.parametrize("who", ["cody", "ivy", "bob", "ada", "aud", "charlie"])
def test_only_the_case_manager_and_supervisor_keep_applications(world, who):
    with pytest.raises(ValidationError):
        start(world, by=getattr(world, who))
    assert not Application.objects.exists()


def test_a_deadline_says_what_it_is_for_and_is_not_in_the_past(world):
    with pytest.raises(ValidationError) as refused:
        start(world, next_deadline_on=today(5))
    assert set(refused.value.message_dict) == {"next_deadline_for"}
    with pytest.raises(ValidationError) as past:
        start(world, next_deadline_on=today(-1), next_deadline_for="Send pay stubs")
    assert set(past.value.message_dict) == {"next_deadline_on"}
    application = start(world)
    with pytest.raises(ValidationError):
        application_dates(
            application=application,
            by=world.alice,
            version=1,
            next_deadline_on=None,
            next_deadline_for="Send pay stubs",
        )
    dated = application_dates(
        application=application,
        by=world.alice,
        version=1,
        next_deadline_on=today(10),
        next_deadline_for="Send pay stubs",
        decision_expected_on=today(45),
    )
    assert (dated.version, dated.next_deadline_for) == (2, "Send pay stubs")
    update = AuditEvent.objects.filter(object_type="application", action="update").get()
    assert update.changes["next_deadline_on"] == [None, today(10).isoformat()]


def test_submitting_asking_for_more_and_approving(world):
    application = start(world)
    submitted = move(application, world, "submitted", decision_expected_on=today(45))
    assert submitted.submitted_on == today() and submitted.decision_expected_on == today(45)
    with pytest.raises(ValidationError) as refused:
        move(application, world, "more-info")
    assert set(refused.value.message_dict) == {"detail", "next_deadline_on"}
    asked = move(
        application,
        world,
        "more-info",
        detail="Three recent pay stubs",
        next_deadline_on=today(10),
    )
    assert (asked.next_deadline_on, asked.next_deadline_for) == (
        today(10),
        "Three recent pay stubs",
    )
    approved = move(application, world, "approved")
    assert approved.status == "approved" and approved.decision_on == today()
    assert approved.next_deadline_on is None and approved.decision_expected_on is None
    assert approved.closed_at is not None
    assert [(e.from_status, e.to_status) for e in ApplicationEvent.objects.all()] == [
        ("preparing", "submitted"),
        ("submitted", "more-info"),
        ("more-info", "approved"),
    ]
    with pytest.raises(ValidationError):
        move(application, world, "denied", reason="income")
    assert TimelineEntry.objects.filter(summary="Medicaid: approved").exists()


def test_a_denial_needs_a_reason_and_its_dates_in_order(world):
    application = move(start(world), world, "submitted", happened_on=today(-3))
    with pytest.raises(ValidationError) as refused:
        move(application, world, "denied")
    assert set(refused.value.message_dict) == {"reason"}
    with pytest.raises(ValidationError) as other:
        move(application, world, "denied", reason="other")
    assert set(other.value.message_dict) == {"detail"}
    with pytest.raises(ValidationError) as early:
        move(application, world, "denied", reason="income", happened_on=today(-5))
    assert set(early.value.message_dict) == {"happened_on"}
    with pytest.raises(ValidationError) as future:
        move(application, world, "denied", reason="income", happened_on=today(1))
    assert set(future.value.message_dict) == {"happened_on"}
    with pytest.raises(ValidationError) as appeal:
        move(application, world, "denied", reason="income", appeal_by=today(-4))
    assert set(appeal.value.message_dict) == {"appeal_by"}
    denied = move(application, world, "denied", reason="income", appeal_by=today(30))
    assert (denied.status_reason, denied.appeal_by, denied.closed_at) == (
        "income",
        today(30),
        None,
    )


def test_the_appeal_moves_go_only_through_the_appeal(world):
    application = move(start(world), world, "submitted")
    denied = move(application, world, "denied", reason="income", appeal_by=today(30))
    with pytest.raises(ValidationError):
        move(denied, world, "appealed")


def test_an_appeal_is_its_own_record_and_the_denial_follows_its_decision(world):
    application = move(start(world), world, "submitted")
    denied = move(application, world, "denied", reason="missing-information", appeal_by=today(20))
    with pytest.raises(VersionConflict):
        appeal_start(application=denied, by=world.alice, version=denied.version - 1)
    appeal = appeal_start(
        application=denied,
        by=world.alice,
        version=denied.version,
        agency_name="State Fair Hearings Office",
    )
    denied.refresh_from_db()
    assert denied.status == "appealed" and denied.appeal_by is None
    assert (appeal.appeal_of, appeal.kind, appeal.appeal_by) == (denied, "medicaid", today(20))
    assert appeal.title == "Appeal: Medicaid"
    with pytest.raises(ValidationError):
        move(denied, world, "approved")
    move(appeal, world, "submitted")
    move(appeal, world, "approved")
    denied.refresh_from_db()
    assert denied.status == "approved" and denied.events.last().detail == "The appeal was approved."


def test_a_withdrawn_appeal_leaves_the_denial_standing(world):
    application = move(start(world), world, "submitted")
    denied = move(application, world, "denied", reason="income")
    appeal = appeal_start(application=denied, by=world.alice, version=denied.version)
    move(appeal, world, "withdrawn", reason="client-decided")
    denied.refresh_from_db()
    assert denied.status == "denied"
    with pytest.raises(ValidationError):
        appeal_start(application=appeal, by=world.alice, version=appeal.version + 1)


def test_an_approved_authorization_records_its_number_dates_and_units(world):
    authorization = start(
        world, kind="insurance-authorization", agency_name="Acme Health Plan", level_of_care="3.5"
    )
    move(authorization, world, "submitted")
    with pytest.raises(ValidationError) as refused:
        move(authorization, world, "approved")
    assert "to_status" in refused.value.message_dict
    authorization.refresh_from_db()
    details = {
        "application": authorization,
        "by": world.alice,
        "version": authorization.version,
        "authorization_number": "PA-1234",
        "level_of_care": "3.5",
        "approved_from": today(),
        "approved_to": today(13),
        "units_approved": 14,
        "unit_kind": "days",
        "next_review_on": today(7),
    }
    for wrong, fields in (
        ({"approved_to": today(-1)}, {"approved_to"}),
        ({"units_approved": 0}, {"units_approved"}),
        ({"unit_kind": ""}, {"unit_kind"}),
        ({"next_review_on": today(20)}, {"next_review_on"}),
        ({"level_of_care": ""}, {"level_of_care"}),
    ):
        with pytest.raises(ValidationError) as bad:
            authorization_record(**details | wrong)
        assert set(bad.value.message_dict) == fields, wrong
    recorded = authorization_record(**details)
    assert (recorded.units_approved, recorded.next_review_on) == (14, today(7))
    approved = move(authorization, world, "approved")
    assert approved.status == "approved"
    medicaid = start(world)
    with pytest.raises(ValidationError):
        authorization_record(**details | {"application": medicaid, "version": 1})


def test_two_people_moving_it_at_once_are_not_merged(world):
    application = start(world)
    opened = application.version
    move(application, world, "submitted", version=opened)
    with pytest.raises(VersionConflict):
        move(application, world, "withdrawn", version=opened, reason="in-error", by=world.sue)
    assert Application.objects.get().status == "submitted"


def consent_for(world, name="County Department of Social Services", purpose="benefits"):
    return ConsentFactory(
        client=world.client,
        recipient_kind="named",
        recipient_name=name,
        purpose=purpose,
        categories=["attendance", "progress"],
    )


def send(application, world, **extra):
    fields = {
        "application": application,
        "by": world.alice,
        "categories": ["attendance"],
        "description": "Letter confirming treatment attendance",
        "method": "faxed",
    }
    return documents_send(**fields | extra)


def test_documents_go_out_only_through_the_consent_gate(world):
    application = start(world)
    with pytest.raises(DisclosureRefused):
        send(application, world)
    assert not Disclosure.objects.exists() and not ApplicationDocument.objects.exists()
    assert AuditEvent.objects.filter(object_type="disclosure_refused").exists()
    consent_for(world)
    document = send(application, world)
    disclosure = Disclosure.objects.get()
    assert document.disclosure == disclosure
    assert (disclosure.recipient, disclosure.purpose, disclosure.categories) == (
        "County Department of Social Services",
        "benefits",
        ["attendance"],
    )
    assert AuditEvent.objects.filter(object_type="application_document", action="create").exists()


def test_sending_says_what_and_which_information(world):
    application = start(world)
    with pytest.raises(ValidationError) as refused:
        send(application, world, categories=[], description=" ", method="pigeon")
    assert set(refused.value.message_dict) == {"categories", "description", "method"}
    with pytest.raises(ValidationError):
        send(application, world, by=world.ivy)
    assert not Disclosure.objects.exists()


def test_an_authorization_goes_to_the_payer_for_payment(world):
    consent_for(world, name="Acme Health Plan", purpose="payment")
    authorization = start(
        world, kind="insurance-authorization", agency_name="Acme Health Plan", level_of_care="2.1"
    )
    send(authorization, world, categories=["progress"], description="Clinical update")
    disclosure = Disclosure.objects.get()
    assert (disclosure.purpose, disclosure.recipient_is_health_care) == ("payment", True)


def test_nothing_is_sent_for_a_withdrawn_application(world):
    consent_for(world)
    application = move(start(world), world, "withdrawn", reason="no-longer-needed")
    with pytest.raises(ValidationError):
        send(application, world)
    with pytest.raises(ValidationError):
        application_dates(
            application=application,
            by=world.alice,
            version=application.version,
            next_deadline_on=today(3),
            next_deadline_for="Anything",
        )
    assert not Disclosure.objects.exists()


def test_each_step_answers_the_deadline_before_it(world):
    application = move(start(world), world, "submitted")
    move(application, world, "more-info", detail="Proof of address", next_deadline_on=today(7))
    resubmitted = move(application, world, "submitted", decision_expected_on=today(30))
    assert (resubmitted.next_deadline_on, resubmitted.next_deadline_for) == (None, "")
    assert resubmitted.decision_expected_on == today(30)


def test_every_move_is_on_the_audit_trail_with_its_version(world):
    application = move(start(world), world, "submitted")
    move(application, world, "withdrawn", reason="other-coverage")
    updates = AuditEvent.objects.filter(
        object_type="application", object_id=str(application.pk), action="update"
    ).order_by("id")
    assert [(u.changes["status"], u.changes["version"]) for u in updates] == [
        (["preparing", "submitted"], [1, 2]),
        (["submitted", "withdrawn"], [2, 3]),
    ]
    assert updates.last().changes["reason"] == [None, "other-coverage"]


def test_a_deadline_that_has_passed_may_stay_while_another_date_changes(world):
    application = start(world, next_deadline_on=today(2), next_deadline_for="Send pay stubs")
    Application.objects.filter(pk=application.pk).update(next_deadline_on=today(-3))
    kept = application_dates(
        application=application,
        by=world.alice,
        version=1,
        next_deadline_on=today(-3),
        next_deadline_for="Send pay stubs",
        decision_expected_on=today(20),
    )
    assert (kept.next_deadline_on, kept.decision_expected_on) == (today(-3), today(20))
    with pytest.raises(ValidationError) as moved:
        application_dates(
            application=application,
            by=world.alice,
            version=2,
            next_deadline_on=today(-1),
            next_deadline_for="Send pay stubs",
            decision_expected_on=today(20),
        )
    assert set(moved.value.message_dict) == {"next_deadline_on"}


def test_an_appeal_of_an_authorization_is_not_sent_to_a_health_plan(world):
    """A treatment/payment/operations consent covers the payer, not the hearings office an
    appeal goes to: that needs a consent naming it."""
    ConsentFactory(
        client=world.client,
        recipient_kind="tpo",
        expiry_kind="none",
        purpose="payment",
        categories=["all_sud"],
    )
    authorization = start(
        world, kind="insurance-authorization", agency_name="Acme Health Plan", level_of_care="3.5"
    )
    send(authorization, world, categories=["progress"], description="Clinical update")
    denied = move(
        move(authorization, world, "submitted"),
        world,
        "denied",
        reason="other",
        detail="Not medically necessary",
    )
    appeal = appeal_start(
        application=denied,
        by=world.alice,
        version=denied.version,
        agency_name="State Office of Administrative Hearings",
    )
    with pytest.raises(DisclosureRefused):
        send(appeal, world, categories=["drug_screens"], description="Screen results")
    assert Disclosure.objects.count() == 1
