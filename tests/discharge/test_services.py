"""The discharge services: the aftercare plan and its tapering check-ins, drafting and finalising
a summary (the facts frozen, the summary locked), stale edits refused, and the consent gate."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from casebridge.audit.models import AuditEvent
from casebridge.audit.versions import VersionConflict
from casebridge.clients.models import TimelineEntry
from casebridge.consents.models import Disclosure
from casebridge.consents.services import DisclosureRefused
from casebridge.discharge import queries, services
from casebridge.discharge.models import DischargeSummary, SummaryDisclosure
from casebridge.discharge.schedule import add_months, checkin_dates
from tests.discharge.helpers import aftercare, draft, final, full_record, phq9, stay
from tests.factories import ConsentFactory
from tests.safety.helpers import plan_in_effect


def test_the_check_ins_taper_weekly_then_every_two_weeks_then_monthly():
    start = date(2026, 1, 31)
    dates = checkin_dates(start, weekly_weeks=4, fortnightly_weeks=8, monthly_months=3)
    assert dates[:4] == [start + timedelta(weeks=n) for n in (1, 2, 3, 4)]
    assert dates[4:8] == [start + timedelta(weeks=n) for n in (6, 8, 10, 12)]
    twelfth_week = start + timedelta(weeks=12)
    assert dates[8:] == [add_months(twelfth_week, n) for n in (1, 2, 3)]
    assert len(dates) == 11


def test_a_month_later_keeps_to_the_months_last_day():
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2026, 11, 30), 3) == date(2027, 2, 28)


def test_no_check_ins_when_every_number_is_zero():
    assert (
        checkin_dates(date(2026, 1, 1), weekly_weeks=0, fortnightly_weeks=0, monthly_months=0) == []
    )


def test_the_aftercare_plan_is_written_audited_and_on_the_timeline(world):
    plan = aftercare(world)
    assert plan.version == 1 and plan.lines("relapse_prevention") == [
        "Call my sponsor when I crave",
        "Avoid the bar on 5th St",
    ]
    assert AuditEvent.objects.filter(object_type="aftercare_plan", action="create").exists()
    entry = TimelineEntry.objects.get(client=world.client, kind="aftercare")
    assert entry.needs_action == "view"  # the coach hears of it
    changed = aftercare(world, weekly_weeks=6)
    assert changed.version == 2 and changed.weekly_weeks == 6


def test_the_aftercare_plan_reads_crisis_contacts_from_the_safety_plan_in_effect(world):
    aftercare(world)
    facts = queries.aftercare_facts(queries.aftercare_of(world.client), world.client)
    assert facts["crisis_contacts"] is None  # no safety plan yet
    plan_in_effect(world)
    facts = queries.aftercare_facts(queries.aftercare_of(world.client), world.client)
    assert "Sister Ana 555-0101" in facts["crisis_contacts"]
    assert any("988" in line for line in facts["crisis_contacts"])
    assert len(facts["checkins"]) == 4 + 4 + 9


def test_a_stale_aftercare_edit_is_refused_and_nothing_changes(world):
    plan = aftercare(world)
    aftercare(world, by=world.sue, monthly_months=3)
    with pytest.raises(VersionConflict) as refused:
        services.aftercare_save(
            client=world.client,
            by=world.alice,
            version=plan.version,
            starts_on=plan.starts_on,
            weekly_weeks=1,
            fortnightly_weeks=0,
            monthly_months=0,
            care={},
            relapse_prevention="",
        )
    assert "Someone else changed this aftercare plan" in str(refused.value)
    assert refused.value.changes and refused.value.changes[0].who == "sue"
    assert queries.aftercare_of(world.client).monthly_months == 3


def test_two_first_saves_of_the_aftercare_plan_do_not_both_pass(world):
    aftercare(world)
    with pytest.raises(VersionConflict):
        services.aftercare_save(
            client=world.client,
            by=world.sue,
            version=0,
            starts_on=timezone.localdate(),
            weekly_weeks=4,
            fortnightly_weeks=8,
            monthly_months=9,
            care={},
            relapse_prevention="",
        )


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"weekly_weeks": 13}, "weekly_weeks"),
        ({"fortnightly_weeks": -1}, "fortnightly_weeks"),
        ({"monthly_months": True}, "monthly_months"),
        ({"starts_on": date(1899, 12, 31)}, "starts_on"),
        ({"starts_on": date.today() + timedelta(days=800)}, "starts_on"),
        ({"relapse_prevention": "x" * 201}, "relapse_prevention"),
        ({"relapse_prevention": "\n".join(["step"] * 11)}, "relapse_prevention"),
        ({"care": {"outpatient": "Clinic\x00"}}, "outpatient"),
    ],
)
def test_bad_aftercare_input_is_refused_in_plain_words(world, changes, field):
    with pytest.raises(ValidationError) as refused:
        aftercare(world, **changes)
    assert field in refused.value.error_dict
    assert not queries.aftercare_of(world.client)


def test_a_draft_shows_the_record_now_and_the_final_summary_keeps_what_it_was_signed_on(world):
    full_record(world)
    aftercare(world)
    summary = draft(world)
    facts = queries.facts_of(summary)
    assert [e["level"] for e in facts["episodes"]] == ["3.5", "2.1"]
    assert facts["referrals"][0]["provider"] == "Hope House"
    assert facts["goals"][0]["rating"] == "achieved"
    (phq,) = facts["instruments"]
    assert phq["first"]["score"] == 18 and phq["last"]["score"] == 9
    assert facts["medications"][0]["drug"] == "Buprenorphine"
    assert facts["aftercare"]["care"][0]["kind"] == "outpatient"
    summary = services.summary_finalise(summary=summary, by=world.alice, version=summary.version)
    assert summary.is_final and summary.signed_name and summary.finalised_by == world.alice
    frozen = DischargeSummary.objects.get(pk=summary.pk)
    # Later facts do not change the final summary.
    phq9(world, 0)
    stay(world, "1", timezone.localdate())
    aftercare(world, relapse_prevention="Something new")
    shown = queries.facts_of(frozen)
    assert shown == facts | {"aftercare": shown["aftercare"]}
    assert shown["instruments"][0]["last"]["score"] == 9
    assert shown["aftercare"]["relapse_prevention"] == [
        "Call my sponsor when I crave",
        "Avoid the bar on 5th St",
    ]
    assert TimelineEntry.objects.filter(kind="discharge", needs_action="read_clinical").count() == 2


def test_a_final_summary_is_locked(world):
    summary = final(world)
    with pytest.raises(services.SummaryLocked):
        services.summary_save(
            summary=summary,
            by=world.alice,
            version=summary.version,
            discharged_on=summary.discharged_on,
            recommendations="Changed",
        )
    with pytest.raises(services.SummaryLocked):
        services.summary_finalise(summary=summary, by=world.alice, version=summary.version)


def test_one_draft_at_a_time(world):
    draft(world)
    with pytest.raises(ValidationError, match="already a draft"):
        services.summary_start(client=world.client, by=world.alice)


def test_a_stale_summary_edit_is_refused(world):
    summary = draft(world)
    services.summary_save(
        summary=summary,
        by=world.sue,
        version=summary.version,
        discharged_on=summary.discharged_on,
        recommendations="Sue's words",
    )
    with pytest.raises(VersionConflict):
        services.summary_save(
            summary=summary,
            by=world.alice,
            version=summary.version,
            discharged_on=summary.discharged_on,
            recommendations="Alice's words",
        )
    with pytest.raises(VersionConflict):
        services.summary_finalise(summary=summary, by=world.alice, version=summary.version)
    summary.refresh_from_db()
    assert summary.recommendations == "Sue's words" and not summary.is_final


def test_the_discharge_day_comes_from_the_last_stay(world):
    day = timezone.localdate() - timedelta(days=3)
    stay(world, "2.1", day - timedelta(days=20), discharged_on=day)
    summary = services.summary_start(client=world.client, by=world.alice)
    assert summary.discharged_on == day


def _send(world, summary, recipient="Riverside Clinic"):
    return services.summary_send(
        summary=summary,
        by=world.alice,
        recipient=recipient,
        is_health_care=False,
        purpose="treatment",
        method="faxed",
        description="For the first visit",
        body="text",
    )


def test_the_summary_does_not_leave_without_a_consent_and_the_refusal_is_audited(world):
    summary = final(world)
    with pytest.raises(DisclosureRefused) as refused:
        _send(world, summary)
    assert "Riverside Clinic" in str(refused.value)
    assert not Disclosure.objects.exists() and not SummaryDisclosure.objects.exists()
    assert AuditEvent.objects.filter(object_type="disclosure_refused").exists()


def test_with_a_consent_the_summary_is_sent_and_recorded_as_a_disclosure(world):
    ConsentFactory(
        client=world.client,
        categories=["discharge"],
        recipient_kind="named",
        recipient_name="Riverside Clinic",
        purpose="treatment",
        created_by=world.alice,
    )
    summary = final(world)
    sent = _send(world, summary)
    disclosure = sent.disclosure
    assert disclosure.categories == ["discharge"] and disclosure.recipient == "Riverside Clinic"
    assert "Discharge summary" in disclosure.description
    # A consent that does not cover the discharge summary does not let it go to someone else.
    with pytest.raises(DisclosureRefused):
        _send(world, summary, recipient="Someone Else")


def test_a_draft_is_never_sent(world):
    ConsentFactory(
        client=world.client,
        categories=["discharge"],
        recipient_kind="named",
        recipient_name="Riverside Clinic",
        purpose="treatment",
        created_by=world.alice,
    )
    summary = draft(world)
    with pytest.raises(ValidationError, match="final"):
        _send(world, summary)
    assert not Disclosure.objects.exists()
