"""Shared steps of the court tests: a participant entered sixty days ago, and a consent to share
with the court (Dept 12) for court purposes."""

from datetime import timedelta

from django.utils import timezone

from casebridge.court import services
from tests.factories import ConsentFactory


def enrol(world, court, person, docket):
    return services.participant_enrol(
        client=person,
        court_program=court,
        by=world.sue,
        docket_number=docket,
        charge_category="possession",
        track="post_plea",
        entered_on=timezone.localdate() - timedelta(days=60),
    )


def court_consent(world, person, categories, **extra):
    fields = {"recipient_kind": "named", "recipient_name": "Dept 12", "purpose": "court", **extra}
    return ConsentFactory(client=person, categories=categories, created_by=world.alice, **fields)
