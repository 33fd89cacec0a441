"""Drug screens as the services keep them: what a screen amounts to, which screens raise the
"High risk of relapse" flag, the lab's confirmation overriding the screen, and every refusal in
plain words beside its field."""

import json
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from casebridge.audit.models import AuditEvent
from casebridge.audit.versions import VersionConflict
from casebridge.clients.models import ClientFlag, TimelineEntry
from casebridge.clients.services import flag_clear
from casebridge.monitoring.models.recovery import DrugScreen, ScreenResult
from casebridge.monitoring.services import screens
from tests.monitoring.recovery_helpers import (
    FIVE_PANEL,
    all_negative,
    record_screen,
    strips,
    today,
)


def open_flags(world):
    return list(ClientFlag.objects.filter(client=world.client, cleared_at__isnull=True))


def refused_fields(error, field):
    return " ".join(error.value.message_dict[field])


# The panels, as data


def test_every_panel_lists_known_substances_and_the_common_ones_are_there():
    names = screens.catalogue()
    for code in [
        "alcohol",
        "amphetamines",
        "methamphetamine",
        "benzodiazepines",
        "buprenorphine",
        "cocaine",
        "fentanyl",
        "methadone",
        "opiates",
        "oxycodone",
        "cannabis",
        "barbiturates",
        "mdma",
        "pcp",
        "xylazine",
    ]:
        assert code in names.substances, code
    for panel in names.panels.values():
        assert set(panel.substances) <= set(names.substances), panel.code
    assert names.panels["urine_5"].substances == tuple(
        code for code in names.substances if code in FIVE_PANEL
    )


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        ([], "holds an object"),
        ({"substances": []}, "no substances"),
        ({"substances": [{"code": "a"}]}, "a code and a label"),
        (
            {
                "substances": [{"code": "a", "label": "A"}],
                "panels": [{"code": "p", "label": "P", "substances": ["b"]}],
            },
            "unknown",
        ),
        (
            {
                "substances": [{"code": "a", "label": "A"}, {"code": "a", "label": "A again"}],
            },
            "unique",
        ),
    ],
)
def test_a_broken_panels_file_is_refused_at_start_up(raw, problem):
    with pytest.raises(screens.PanelError, match=problem):
        screens._load(json.loads(json.dumps(raw)))


# What a screen amounts to


@pytest.mark.parametrize(
    ("finals", "expected", "problems", "outcome"),
    [
        ({"cocaine": "negative", "opiates": "negative"}, [], [], "negative"),
        ({"cocaine": "negative", "opiates": "not_tested"}, [], [], "negative"),
        ({"cocaine": "not_tested"}, [], [], "no_result"),
        ({"cocaine": "positive"}, [], [], "positive"),
        ({"buprenorphine": "positive", "cocaine": "negative"}, ["buprenorphine"], [], "expected"),
        ({"buprenorphine": "positive", "fentanyl": "positive"}, ["buprenorphine"], [], "positive"),
        ({"cocaine": "negative"}, [], ["adulterated"], "invalid"),
        ({"cocaine": "negative"}, [], ["invalid"], "invalid"),
        ({"cocaine": "negative"}, [], ["dilute"], "negative"),
        # A positive on an adulterated specimen is still a positive.
        ({"cocaine": "positive"}, [], ["adulterated"], "positive"),
    ],
)
def test_the_outcome_of_a_tested_screen(finals, expected, problems, outcome):
    assert (
        screens.outcome_of(status="tested", finals=finals, expected=expected, problems=problems)
        == outcome
    )


@pytest.mark.parametrize("status", ["refused", "missed"])
def test_a_refused_or_missed_screen_is_its_own_outcome(status):
    assert screens.outcome_of(status=status, finals={}, expected=[], problems=[]) == status


# Recording


def test_a_negative_screen_is_recorded_audited_and_on_the_timeline_for_clinical_staff(world):
    screen = record_screen(world, custody_id="COC-20931")
    assert (screen.outcome, screen.panel, screen.custody_id) == ("negative", "urine_5", "COC-20931")
    assert sorted(screen.results.values_list("substance", flat=True)) == sorted(FIVE_PANEL)
    entry = TimelineEntry.objects.get(client=world.client, kind="screen")
    assert entry.needs_action == "read_clinical"
    assert "negative" in entry.summary and "urine, observed, point of care" in entry.summary
    event = AuditEvent.objects.get(object_type="drug_screen", object_id=str(screen.pk))
    assert event.action == "create"
    assert event.changes["results"][1] == dict.fromkeys(FIVE_PANEL, "negative")
    assert open_flags(world) == []


def test_an_unexpected_positive_raises_the_high_risk_flag_with_what_was_found(world):
    screen = record_screen(
        world,
        panel="urine_14",
        results=all_negative(
            screens.catalogue().panels["urine_14"].substances,
            fentanyl="positive",
            buprenorphine="positive",
        ),
        expected=["buprenorphine"],
    )
    assert screen.outcome == "positive"
    [flag] = open_flags(world)
    assert flag.kind == "high_risk"
    assert "unexpected positive for fentanyl" in flag.note
    assert "buprenorphine as prescribed" in flag.note
    summary = TimelineEntry.objects.get(kind="screen").summary
    assert "unexpected positive for fentanyl" in summary
    assert ScreenResult.objects.get(screen=screen, substance="buprenorphine").expected is True


def test_a_positive_only_for_prescribed_medication_raises_nothing(world):
    screen = record_screen(
        world,
        panel="urine_12",
        results=all_negative(
            screens.catalogue().panels["urine_12"].substances, buprenorphine="positive"
        ),
        expected=["buprenorphine"],
    )
    assert screen.outcome == "expected"
    assert open_flags(world) == []


@pytest.mark.parametrize("status", ["refused", "missed"])
def test_a_refused_or_missed_screen_raises_the_flag_and_has_no_results(world, status):
    screen = record_screen(world, status=status, results={}, method="")
    assert screen.outcome == status
    assert not screen.results.exists()
    [flag] = open_flags(world)
    assert flag.kind == "high_risk" and status in flag.note


def test_a_second_unexpected_positive_leaves_the_open_flag_as_it_is(world):
    record_screen(world, results=all_negative(cocaine="positive"))
    record_screen(world, status="missed", results={})
    assert len(open_flags(world)) == 1
    assert TimelineEntry.objects.filter(kind="screen").count() == 2
    # Once cleared, the next one raises it again.
    flag_clear(flag=open_flags(world)[0], by=world.alice, note="Talked it through")
    record_screen(world, status="refused", results={})
    assert "refused" in open_flags(world)[0].note


def test_a_lab_confirmation_given_with_the_screen_counts_over_its_result(world):
    screen = record_screen(
        world,
        method="lab",
        results=all_negative(opiates="positive"),
        confirmations={"opiates": "negative"},
    )
    assert screen.outcome == "negative"
    assert open_flags(world) == []


def test_a_panel_given_substance_by_substance_is_the_substances_with_a_result(world):
    screen = record_screen(
        world, panel="", specimen="breath", results={"alcohol": "negative"}, observed=False
    )
    assert screen.panel == ""
    assert list(screen.results.values_list("substance", flat=True)) == ["alcohol"]


# Refusals, each beside its field


def test_a_result_for_a_substance_not_on_the_panel_is_refused_beside_it(world):
    with pytest.raises(ValidationError) as error:
        record_screen(world, results=all_negative(fentanyl="positive"))
    assert "Fentanyl is not on the 5-panel urine" in refused_fields(error, "result_fentanyl")
    assert not DrugScreen.objects.exists()


def test_a_substance_on_the_panel_without_a_result_is_refused_beside_it(world):
    results = all_negative()
    del results["cocaine"]
    with pytest.raises(ValidationError) as error:
        record_screen(world, results=results)
    assert "Give the result for Cocaine" in refused_fields(error, "result_cocaine")


@pytest.mark.parametrize("status", ["refused", "missed"])
def test_a_result_on_a_refused_or_missed_screen_is_refused_beside_it(world, status):
    with pytest.raises(ValidationError) as error:
        record_screen(world, status=status, results={"cocaine": "negative"})
    assert "has no results" in refused_fields(error, "result_cocaine")
    assert not DrugScreen.objects.exists()
    assert open_flags(world) == []


def test_a_screen_dated_in_the_future_is_refused(world):
    with pytest.raises(ValidationError) as error:
        record_screen(world, collected_on=today() + timedelta(days=1))
    assert "cannot be dated in the future" in refused_fields(error, "collected_on")


@pytest.mark.parametrize("result", ["negative", "not_tested"])
def test_a_confirmation_of_a_substance_that_was_not_positive_is_refused(world, result):
    with pytest.raises(ValidationError) as error:
        record_screen(
            world, results=all_negative(cocaine=result), confirmations={"cocaine": "positive"}
        )
    assert "Only a positive is confirmed" in refused_fields(error, "confirmation_cocaine")


def test_a_confirmation_of_a_substance_not_tested_at_all_is_refused(world):
    with pytest.raises(ValidationError) as error:
        record_screen(world, confirmations={"fentanyl": "positive"})
    assert "not tested on this screen" in refused_fields(error, "confirmation_fentanyl")


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"specimen": ""}, "specimen"),
        ({"specimen": "hair"}, "specimen"),
        ({"method": ""}, "method"),
        ({"panel": "urine_99"}, "panel"),
        ({"panel": "", "results": {}}, "panel"),
        ({"results": all_negative(cocaine="maybe")}, "result_cocaine"),
        ({"problems": ["smelly"]}, "problems"),
        ({"custody_id": "x" * 61}, "custody_id"),
        ({"custody_id": "COC\x00"}, "custody_id"),
        ({"status": "lost"}, "status"),
        ({"expected": ["unobtainium"]}, "__all__"),
    ],
)
def test_what_a_screen_cannot_be_is_refused_beside_the_field(world, overrides, field):
    with pytest.raises(ValidationError) as error:
        record_screen(world, **overrides)
    assert field in error.value.message_dict


# The lab's confirmation, later


def test_a_negative_confirmation_turns_an_unexpected_positive_into_a_negative(world):
    screen = record_screen(world, results=all_negative(cocaine="positive"))
    assert screen.outcome == "positive"
    confirmed = screens.screen_confirm(
        screen=screen, by=world.alice, version=screen.version, confirmations={"cocaine": "negative"}
    )
    assert (confirmed.outcome, confirmed.version) == ("negative", 2)
    entry = TimelineEntry.objects.filter(kind="screen").first()
    assert "Lab confirmation" in entry.summary and "negative on confirmation" in entry.summary
    event = AuditEvent.objects.filter(object_type="drug_screen", action="update").get()
    assert event.changes["outcome"] == ["positive", "negative"]
    # The flag the screen raised stays until a person clears it.
    assert len(open_flags(world)) == 1


def test_taking_back_a_negative_confirmation_raises_the_flag_again(world):
    screen = record_screen(
        world,
        method="lab",
        results=all_negative(cocaine="positive"),
        confirmations={"cocaine": "negative"},
    )
    assert open_flags(world) == []
    screens.screen_confirm(
        screen=screen, by=world.alice, version=screen.version, confirmations={"cocaine": ""}
    )
    assert len(open_flags(world)) == 1


def test_a_confirmation_opened_at_an_old_version_is_refused_with_what_changed(world):
    screen = record_screen(world, results=all_negative(cocaine="positive", opiates="positive"))
    screens.screen_confirm(
        screen=screen, by=world.sue, version=1, confirmations={"cocaine": "positive"}
    )
    with pytest.raises(VersionConflict) as conflict:
        screens.screen_confirm(
            screen=screen, by=world.alice, version=1, confirmations={"cocaine": "negative"}
        )
    assert conflict.value.changes[0].who == "sue"
    assert ScreenResult.objects.get(screen=screen, substance="cocaine").confirmation == "positive"


def test_confirming_a_negative_result_later_is_refused_beside_it(world):
    screen = record_screen(world, results=all_negative(cocaine="positive"))
    with pytest.raises(ValidationError) as error:
        screens.screen_confirm(
            screen=screen,
            by=world.alice,
            version=screen.version,
            confirmations={"opiates": "positive"},
        )
    assert "Only a positive is confirmed" in refused_fields(error, "confirmation_opiates")


def test_the_strip_shows_the_newest_screens_oldest_first_in_words(world):
    record_screen(world, collected_on=today() - timedelta(days=3))
    record_screen(world, collected_on=today() - timedelta(days=2), status="missed", results={})
    strips(
        world,
        collected_on=today() - timedelta(days=1),
        results={"fentanyl": "positive", "xylazine": "negative"},
    )
    cells = screens.screen_strip(screens.screens_for(world.client))
    assert [(c.outcome, c.short) for c in cells] == [
        ("negative", "Negative"),
        ("missed", "Missed"),
        ("positive", "Positive"),
    ]
    assert cells[-1].detail == "unexpected positive for fentanyl"


SUBSTANCES = ["buprenorphine", "cocaine", "fentanyl", "methadone", "opiates"]


@given(
    finals=st.dictionaries(
        st.sampled_from(SUBSTANCES),
        st.sampled_from(["negative", "positive", "not_tested"]),
        min_size=1,
    ),
    expected=st.sets(st.sampled_from(SUBSTANCES)),
    problems=st.sets(st.sampled_from(["dilute", "invalid", "adulterated"])),
)
def test_an_unexpected_positive_is_exactly_a_positive_nobody_prescribed(finals, expected, problems):
    outcome = screens.outcome_of(
        status="tested", finals=finals, expected=expected, problems=problems
    )
    unexpected = any(r == "positive" and s not in expected for s, r in finals.items())
    assert (outcome == "positive") is unexpected
    # Prescribing more never turns a screen into an unexpected positive.
    more = screens.outcome_of(
        status="tested", finals=finals, expected=set(SUBSTANCES), problems=problems
    )
    assert more != "positive"
