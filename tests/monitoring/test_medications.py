"""Medications as the services keep them, what a drug screen expects from them, and MOUD gaps:
a prescription for opioid use disorder running out with no next one covering the day after is
due for clinical staff, in one query for a whole caseload."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from casebridge.audit.models import AuditEvent
from casebridge.audit.versions import VersionConflict
from casebridge.clients.extensions import due_items
from casebridge.clients.models import TimelineEntry
from casebridge.monitoring.models.recovery import Medication
from casebridge.monitoring.services import medications
from casebridge.monitoring.services.medications import moud_gaps_due
from tests.factories import ClientFactory
from tests.monitoring.recovery_helpers import days_ago, prescribe, today


def in_days(days):
    return today() + timedelta(days=days)


def short(day):
    return f"{day:%b} {day.day}"


def labels(world, client=None):
    return [
        item.label
        for item in moud_gaps_due([(client or world.client).pk]).get(
            (client or world.client).pk, []
        )
    ]


def update(medication, by, version=None, **changes):
    """Change a prescription as the edit page does: every field sent, at the version opened."""
    fields = {
        "drug": medication.drug,
        "use_disorder": medication.use_disorder,
        "dose": medication.dose,
        "prescriber": medication.prescriber,
        "pharmacy": medication.pharmacy,
        "started_on": medication.started_on,
        "ends_on": medication.ends_on,
        "screens_as": medication.screens_as,
        "adherence_notes": medication.adherence_notes,
    }
    fields.update(changes)
    return medications.medication_update(
        medication=medication, by=by, version=version or medication.version, **fields
    )


# Recording


def test_buprenorphine_is_recorded_as_moud_and_expected_on_screens(world):
    medication = prescribe(world)
    assert medication.is_moud
    assert medication.screens_as == ["buprenorphine"]
    entry = TimelineEntry.objects.get(client=world.client, kind="medication")
    assert entry.needs_action == "read_clinical"
    assert "Suboxone" in entry.summary and "(MOUD)" in entry.summary
    event = AuditEvent.objects.get(object_type="medication", object_id=str(medication.pk))
    assert event.changes["drug"] == [None, "Suboxone (buprenorphine/naloxone) film"]


def test_another_medication_shows_as_what_the_person_ticks(world):
    medication = prescribe(
        world,
        drug="Adderall",
        use_disorder="",
        dose="10 mg twice a day",
        screens_as=["amphetamines"],
        ends_on=None,
    )
    assert not medication.is_moud
    assert medication.screens_as == ["amphetamines"]


def test_a_screen_expects_the_medications_taken_that_day(world):
    prescribe(world)  # buprenorphine, from 14 days ago for 30 days
    prescribe(
        world,
        drug="Methadone",
        use_disorder="methadone",
        started_on=days_ago(60),
        ends_on=days_ago(31),
    )
    prescribe(
        world, drug="Adderall", use_disorder="", screens_as=["amphetamines"], started_on=in_days(3)
    )
    assert medications.expected_on(world.client, today()) == ["buprenorphine"]
    assert medications.expected_on(world.client, days_ago(40)) == ["methadone"]
    stopped = prescribe(world, drug="Clonazepam", use_disorder="", screens_as=["benzodiazepines"])
    update(stopped, world.alice, stopped_on=today(), stop_reason="Tapered off")
    assert medications.expected_on(world.client, today()) == ["buprenorphine"]


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"drug": ""}, "drug", "Name the medication"),
        ({"dose": ""}, "dose", "Give the dose"),
        ({"drug": "x" * 201}, "drug", "Keep it under 200"),
        ({"use_disorder": "kratom"}, "use_disorder", "Choose from the list"),
        ({"ends_on": days_ago(20)}, "ends_on", "runs out after it starts"),
        ({"started_on": in_days(400)}, "started_on", "within a year"),
        ({"screens_as": ["unobtainium"]}, "screens_as", "Choose substances"),
        ({"adherence_notes": "Missed\x00doses"}, "adherence_notes", "hidden characters"),
    ],
)
def test_what_a_prescription_cannot_be_is_refused_beside_the_field(world, changes, field, words):
    with pytest.raises(ValidationError) as error:
        prescribe(world, **changes)
    assert words in " ".join(error.value.message_dict[field])
    assert not Medication.objects.exists()


def test_stopping_needs_a_date_and_a_reason_and_goes_on_the_timeline(world):
    medication = prescribe(world)
    with pytest.raises(ValidationError) as error:
        update(medication, world.alice, stopped_on=today())
    assert "Say why it stopped" in " ".join(error.value.message_dict["stop_reason"])
    with pytest.raises(ValidationError) as error:
        update(medication, world.alice, stop_reason="Client chose to stop")
    assert "stopped_on" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        update(medication, world.alice, stopped_on=in_days(2), stop_reason="Planned")
    assert "once it has stopped" in " ".join(error.value.message_dict["stopped_on"])
    stopped = update(
        medication, world.alice, stopped_on=today(), stop_reason="Client chose to stop"
    )
    assert stopped.version == 2
    entry = TimelineEntry.objects.filter(kind="medication").first()
    assert (
        entry.summary.startswith("Medication stopped on")
        and "Client chose to stop" in entry.summary
    )


def test_a_change_opened_at_an_old_version_is_refused_with_what_changed(world):
    medication = prescribe(world)
    update(medication, world.sue, dose="12 mg once a day")
    with pytest.raises(VersionConflict) as conflict:
        update(medication, world.alice, version=1, adherence_notes="Takes it every morning")
    assert conflict.value.changes[0].fields["dose"] == ["8 mg/2 mg once a day", "12 mg once a day"]
    medication.refresh_from_db()
    assert medication.adherence_notes == ""


def test_the_next_prescription_starts_the_day_after_the_last_runs_out(world):
    medication = prescribe(world)
    start = medications.next_prescription(world.client, medication)
    assert start["started_on"] == medication.ends_on + timedelta(days=1)
    assert start["drug"] == medication.drug and start["use_disorder"] == "buprenorphine"


# MOUD gaps


def test_a_prescription_that_ends_today_with_no_next_one_is_due_today(world):
    prescribe(world, started_on=days_ago(29), ends_on=today())
    [item] = moud_gaps_due([world.client.pk])[world.client.pk]
    assert item.label == f"MOUD prescription ends {short(today())} — no next one recorded"
    assert (item.due_on, item.url_name) == (today(), "recovery")
    assert not item.is_overdue(today())


def test_one_that_ended_yesterday_with_the_next_starting_today_is_no_gap(world):
    prescribe(world, started_on=days_ago(30), ends_on=days_ago(1))
    prescribe(world, started_on=today(), ends_on=in_days(29))
    assert labels(world) == []


def test_one_that_ended_yesterday_with_the_next_starting_tomorrow_is_a_gap(world):
    prescribe(world, started_on=days_ago(30), ends_on=days_ago(1))
    prescribe(world, started_on=in_days(1), ends_on=in_days(30))
    [item] = moud_gaps_due([world.client.pk])[world.client.pk]
    assert item.label == (
        f"MOUD prescription ended {short(days_ago(1))} — next one starts {short(in_days(1))}"
    )
    assert item.is_overdue(today())


def test_one_that_ended_yesterday_with_nothing_next_is_overdue(world):
    prescribe(world, started_on=days_ago(30), ends_on=days_ago(1))
    assert labels(world) == [f"MOUD prescription ended {short(days_ago(1))} — no next one recorded"]


@pytest.mark.parametrize(("ends_in", "due"), [(14, True), (15, False)])
def test_a_gap_shows_from_two_weeks_before_it(world, ends_in, due):
    prescribe(world, started_on=days_ago(10), ends_on=in_days(ends_in))
    assert bool(labels(world)) is due


def test_an_overlapping_or_open_ended_next_prescription_covers_the_day_after(world):
    prescribe(world, started_on=days_ago(20), ends_on=in_days(3))
    prescribe(
        world, drug="Methadone", use_disorder="methadone", started_on=days_ago(2), ends_on=None
    )
    assert labels(world) == []


def test_a_next_prescription_stopped_before_the_day_after_does_not_cover_it(world):
    prescribe(world, started_on=days_ago(20), ends_on=in_days(3))
    other = prescribe(world, started_on=days_ago(5), ends_on=in_days(30))
    update(other, world.alice, stopped_on=today(), stop_reason="Switched to the clinic")
    assert labels(world) == [f"MOUD prescription ends {short(in_days(3))} — no next one recorded"]


def test_a_stopped_prescription_a_gap_long_over_and_other_medications_are_never_due(world):
    stopped = prescribe(world, started_on=days_ago(20), ends_on=in_days(3))
    update(stopped, world.alice, stopped_on=today(), stop_reason="Client chose naltrexone")
    # An old gap, after which treatment started again: history, not a due item.
    prescribe(
        world,
        drug="Methadone",
        use_disorder="methadone",
        started_on=days_ago(200),
        ends_on=days_ago(150),
    )
    prescribe(
        world, drug="Methadone", use_disorder="methadone", started_on=days_ago(100), ends_on=None
    )
    prescribe(
        world,
        drug="Acamprosate",
        use_disorder="acamprosate",
        started_on=days_ago(20),
        ends_on=in_days(2),
    )
    prescribe(
        world, drug="Sertraline", use_disorder="", started_on=days_ago(20), ends_on=in_days(2)
    )
    assert labels(world) == []


def test_naltrexone_is_moud_too(world):
    prescribe(
        world,
        drug="Vivitrol",
        use_disorder="naltrexone_xr",
        started_on=days_ago(27),
        ends_on=in_days(1),
    )
    assert len(labels(world)) == 1


def test_a_concluded_case_has_no_gaps(world):
    prescribe(world, started_on=days_ago(30), ends_on=days_ago(1))
    type(world.client).objects.filter(pk=world.client.pk).update(stage="conclusion")
    assert labels(world) == []


def test_gaps_for_a_whole_caseload_take_one_query(world, django_assert_num_queries):
    clients = [
        ClientFactory(program=world.program, primary_case_manager=world.alice) for _ in range(6)
    ]
    for index, client in enumerate(clients):
        prescribe(world, client=client, started_on=days_ago(30), ends_on=days_ago(index))
        prescribe(
            world,
            client=client,
            drug="Methadone",
            use_disorder="methadone",
            started_on=days_ago(90),
            ends_on=days_ago(60),
        )
    ids = [client.pk for client in clients]
    with django_assert_num_queries(1):
        found = moud_gaps_due(ids[:1])
    with django_assert_num_queries(1):
        found = moud_gaps_due(ids)
    assert sorted(len(items) for items in found.values()) == [1] * 6


def test_only_those_who_read_clinical_content_see_gaps_in_the_header(client, world):
    prescribe(world, started_on=days_ago(30), ends_on=days_ago(1))
    assert due_items([world.client.pk], {"view", "check_in"})[world.client.pk] == []
    page = reverse("client_overview", kwargs={"client_id": world.client.pk})
    client.force_login(world.cody)
    assert "MOUD prescription" not in client.get(page).content.decode()
    client.force_login(world.alice)
    assert "MOUD prescription ended" in client.get(page).content.decode()
    caseload = client.get(reverse("caseload")).content.decode()
    assert "MOUD prescription ended" in caseload


TODAY = date(2026, 3, 3)


@st.composite
def prescriptions(draw):
    found = []
    for pk in range(draw(st.integers(1, 4))):
        start = TODAY + timedelta(days=draw(st.integers(-90, 20)))
        ends = draw(st.one_of(st.none(), st.integers(0, 60)))
        stopped = draw(st.one_of(st.none(), st.integers(0, 60)))
        found.append(
            medications.Prescription(
                pk=pk,
                started_on=start,
                ends_on=start + timedelta(days=ends) if ends is not None else None,
                stopped_on=start + timedelta(days=stopped) if stopped is not None else None,
            )
        )
    return found


@given(prescriptions())
def test_a_gap_is_due_only_when_nothing_covers_the_day_after_and_none_started_since(every):
    items = medications.gaps(every, TODAY)
    for item in items:
        day_after = item.due_on + timedelta(days=1)
        assert item.due_on <= TODAY + timedelta(days=medications.MOUD_WARNING_DAYS)
        assert not any(rx.covers(day_after) for rx in every)
        assert not any(day_after < rx.started_on <= TODAY for rx in every)
    # An open-ended prescription starting by each end closes every gap.
    bridged = [
        *every,
        *(
            medications.Prescription(100 + i, item.due_on + timedelta(days=1), None, None)
            for i, item in enumerate(items)
        ),
    ]
    assert medications.gaps(bridged, TODAY) == []
