"""Shared steps for the Recovery tests: a screen on a 5-panel cup, a meeting, a prescription."""

from datetime import timedelta

from django.utils import timezone

from casebridge.monitoring.services import medications, meetings, screens

FIVE_PANEL = ["amphetamines", "cocaine", "cannabis", "opiates", "pcp"]


def today():
    return timezone.localdate()


def days_ago(days):
    return today() - timedelta(days=days)


def all_negative(panel=FIVE_PANEL, **overrides):
    results = dict.fromkeys(panel, "negative")
    results.update(overrides)
    return results


def record_screen(world, by=None, client=None, **overrides):
    """A point-of-care urine screen, observed, on the 5-panel cup: negative unless told."""
    fields = {
        "collected_on": today(),
        "status": "tested",
        "specimen": "urine",
        "observed": True,
        "method": "point_of_care",
        "panel": "urine_5",
        "results": all_negative(),
    }
    fields.update(overrides)
    return screens.screen_record(client=client or world.client, by=by or world.alice, **fields)


def strips(world, by=None, **overrides):
    """A fentanyl and xylazine strip test."""
    fields = {
        "panel": "fentanyl_xylazine",
        "results": {"fentanyl": "negative", "xylazine": "negative"},
    }
    fields.update(overrides)
    return record_screen(world, by=by, **fields)


def record_meeting(world, by=None, client=None, **overrides):
    fields = {
        "attended_on": today(),
        "fellowship": "na",
        "verification": "signed_sheet",
        "meeting_name": "Tuesday step study",
    }
    fields.update(overrides)
    return meetings.meeting_record(client=client or world.client, by=by or world.cody, **fields)


def prescribe(world, client=None, by=None, **overrides):
    """Buprenorphine for a month from two weeks ago, unless told."""
    fields = {
        "drug": "Suboxone (buprenorphine/naloxone) film",
        "use_disorder": "buprenorphine",
        "dose": "8 mg/2 mg once a day",
        "prescriber": "Dr. Ortiz",
        "pharmacy": "Main Street Pharmacy",
        "started_on": days_ago(14),
        "ends_on": days_ago(14) + timedelta(days=29),
    }
    fields.update(overrides)
    return medications.medication_record(
        client=client or world.client, by=by or world.alice, **fields
    )
