"""Fuzzing the application forms as in test_bad_input_fuzz: junk in any field never fails the
page, an error answer saves nothing, the audit trail still verifies."""

from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from casebridge.advocacy.models import Application, ApplicationDocument, ApplicationEvent
from casebridge.advocacy.services import application_move, application_start
from casebridge.consents.models import Disclosure
from tests.factories import ConsentFactory
from tests.web.test_bad_input_fuzz import FormCase, post_junk, post_valid


def _rows(*models: Any) -> Any:
    return tuple(tuple(model.objects.order_by("pk").values_list()) for model in models)


def _applications(az: Any) -> Any:
    return _rows(Application, ApplicationEvent, ApplicationDocument, Disclosure)


def _version(az: Any, which: str) -> int:
    return Application.objects.get(pk=getattr(az, which).pk).version


def _url(name: str, application: str = "") -> Any:
    def make(az: Any) -> str:
        kwargs = {"client_id": az.world.client.pk}
        if application:
            kwargs["application_id"] = getattr(az, application).pk
        return reverse(name, kwargs=kwargs)

    return make


def _in_days(days: int) -> str:
    return (timezone.localdate() + timedelta(days=days)).isoformat()


CASES: dict[str, FormCase] = {
    "application new": FormCase(
        user="alice",
        url=_url("application_new"),
        valid=lambda az: {
            "kind": "insurance-authorization",
            "kind_detail": "",
            "agency_name": "Acme Health Plan",
            "agency_contact": "555-0100",
            "reference_number": "R-1",
            "next_deadline_on": _in_days(5),
            "next_deadline_for": "Send the clinical update",
            "decision_expected_on": _in_days(10),
            "level_of_care": "3.5",
            "authorization_number": "",
        },
        saved=_applications,
    ),
    "application move": FormCase(
        user="alice",
        url=_url("application_move", "submitted"),
        valid=lambda az: {
            "version": _version(az, "submitted"),
            "to_status": "denied",
            "happened_on": _in_days(0),
            "reason": "other",
            "detail": "Over the income limit for a household of one",
            "next_deadline_on": "",
            "next_deadline_for": "",
            "decision_expected_on": "",
            "appeal_by": _in_days(30),
        },
        saved=_applications,
    ),
    "application more information": FormCase(
        user="alice",
        url=_url("application_move", "submitted"),
        valid=lambda az: {
            "version": _version(az, "submitted"),
            "to_status": "more-info",
            "detail": "Three recent pay stubs",
            "next_deadline_on": _in_days(10),
            "next_deadline_for": "",
        },
        saved=_applications,
    ),
    "application dates": FormCase(
        user="alice",
        url=_url("application_dates", "submitted"),
        valid=lambda az: {
            "version": _version(az, "submitted"),
            "next_deadline_on": _in_days(7),
            "next_deadline_for": "Call the worker",
            "decision_expected_on": _in_days(30),
            "appeal_by": "",
        },
        saved=_applications,
    ),
    "authorization details": FormCase(
        user="alice",
        url=_url("application_authorization", "authorization"),
        valid=lambda az: {
            "version": _version(az, "authorization"),
            "level_of_care": "3.5",
            "authorization_number": "PA-1",
            "approved_from": _in_days(0),
            "approved_to": _in_days(13),
            "units_approved": "14",
            "unit_kind": "days",
            "next_review_on": _in_days(7),
        },
        saved=_applications,
    ),
    "application appeal": FormCase(
        user="alice",
        url=_url("application_appeal", "denied"),
        valid=lambda az: {
            "version": _version(az, "denied"),
            "agency_name": "State Fair Hearings Office",
            "agency_contact": "",
            "reference_number": "FH-9",
            "appeal_by": _in_days(20),
        },
        saved=_applications,
    ),
    "application send": FormCase(
        user="alice",
        url=_url("application_send", "submitted"),
        valid=lambda az: {
            "description": "Letter confirming treatment dates",
            "categories": ["attendance"],
            "method": "faxed",
        },
        saved=_applications,
    ),
}


@pytest.fixture
def az(world):
    """A submitted Medicaid application (with a consent to send attendance to the agency), a
    denied one, and an insurance authorization being prepared."""

    def start(**extra: Any) -> Application:
        fields = {"kind": "medicaid", "agency_name": "County DSS"} | extra
        return application_start(client=world.client, by=world.alice, **fields)

    def submit(application: Application) -> Application:
        return application_move(
            application=application, by=world.alice, to_status="submitted", version=1
        )

    ConsentFactory(
        client=world.client,
        recipient_kind="named",
        recipient_name="County DSS",
        purpose="benefits",
        categories=["attendance"],
    )
    submitted = submit(start())
    denied = application_move(
        application=submit(start(kind="snap")),
        by=world.alice,
        to_status="denied",
        version=2,
        reason="income",
    )
    authorization = start(
        kind="insurance-authorization", agency_name="Acme Health Plan", level_of_care="3.5"
    )
    return SimpleNamespace(
        world=world, submitted=submitted, denied=denied, authorization=authorization
    )


@pytest.mark.parametrize("name", list(CASES))
def test_junk_in_any_application_field_is_never_a_server_error_and_saves_nothing(client, az, name):
    post_junk(client, name, CASES[name], az)


def test_the_valid_application_posts_do_succeed(client, az):
    post_valid(client, CASES, az)
