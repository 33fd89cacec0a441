"""Fuzzing the alert forms as in test_bad_input_fuzz: junk in any field of working an alert,
raising a concern, moving clients or the notification settings never fails the page, an error
answer saves nothing, the audit trail still verifies."""

from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from casebridge.alerts.models import Alert, NotificationPreference
from casebridge.alerts.services import evaluate_clients
from casebridge.clients.models import AssignmentChange, Client
from tests.alerts.helpers import check_in
from tests.web.test_bad_input_fuzz import FormCase, post_junk, post_valid


def _rows(*models: Any) -> Any:
    return tuple(tuple(model.objects.order_by("pk").values_list()) for model in models)


def _alerts(al: Any) -> Any:
    return _rows(Alert)


def _version(al: Any) -> int:
    return Alert.objects.get(pk=al.alert.pk).version


CASES: dict[str, FormCase] = {
    "alert resolve": FormCase(
        user="alice",
        url=lambda al: reverse("alert_detail", args=[al.alert.pk]),
        valid=lambda al: {
            "do": "resolve",
            "until": "",
            "note": "Called him; he is with his sponsor",
            "version": _version(al),
            "next": "/my-day/",
        },
        saved=_alerts,
    ),
    "alert snooze": FormCase(
        user="alice",
        url=lambda al: reverse("alert_detail", args=[al.alert.pk]),
        valid=lambda al: {
            "do": "snooze",
            "until": (timezone.localdate() + timedelta(days=3)).isoformat(),
            "note": "",
            "version": _version(al),
        },
        saved=_alerts,
    ),
    "concern": FormCase(
        user="cody",
        url=lambda al: reverse("concern_new", args=[al.world.client.pk]),
        valid=lambda al: {"text": "He sounded drunk on the phone"},
        saved=_alerts,
    ),
    "move clients": FormCase(
        user="sue",
        url=lambda al: reverse("team_move", args=[al.world.alice.pk]),
        valid=lambda al: {
            "clients": [al.world.client.pk],
            "to_user": al.world.bob.pk,
            "reason": "Caseload over the cap",
        },
        saved=lambda al: _rows(AssignmentChange, Client),
    ),
    "notification settings": FormCase(
        user="alice",
        url=lambda al: reverse("notification_settings"),
        valid=lambda al: {
            "email_from": "1",
            "sms_from": "2",
            "sms_number": "937-555-0142",
            "quiet_from": "21:00",
            "quiet_until": "07:00",
            "version": "1",
        },
        saved=lambda al: _rows(NotificationPreference),
    ),
}


@pytest.fixture
def al(world):
    check_in(world, craving=9)
    evaluate_clients([world.client.pk])
    return SimpleNamespace(world=world, alert=Alert.objects.get(kind="craving"))


@pytest.mark.parametrize("name", list(CASES))
def test_junk_in_any_alert_field_is_never_a_server_error_and_saves_nothing(client, al, name):
    post_junk(client, name, CASES[name], al)


def test_the_valid_alert_posts_do_succeed(client, al):
    post_valid(client, CASES, al)
