"""The stage table, exhaustively: every pair of stages is allowed or refused exactly as listed."""

import itertools

import pytest
from django.core.exceptions import ValidationError

from casebridge.audit.models import AuditEvent
from casebridge.clients import services, stages
from casebridge.clients.models import StageChange, TimelineEntry
from casebridge.clients.stages import ALLOWED_MOVES, Stage

PAIRS = list(itertools.product(stages.ORDER, stages.ORDER))


def test_every_stage_has_a_row_and_no_stage_moves_to_itself():
    assert set(ALLOWED_MOVES) == set(Stage)
    for stage, targets in ALLOWED_MOVES.items():
        assert stage not in targets


def test_each_stage_but_conclusion_can_move_forward_and_every_open_case_can_close():
    for here, there in itertools.pairwise(stages.ORDER):
        assert stages.is_allowed(here, there)
    for stage in stages.ORDER[:-1]:
        assert stages.is_allowed(stage, Stage.CONCLUSION)


def test_relapse_in_monitoring_can_go_back_to_assessment_and_a_concluded_case_reopens():
    assert stages.is_allowed(Stage.MONITORING, Stage.ASSESSMENT)
    assert stages.describe_move(Stage.MONITORING, Stage.ASSESSMENT) == "back"
    assert stages.is_allowed(Stage.CONCLUSION, Stage.ASSESSMENT)
    assert stages.describe_move(Stage.CONCLUSION, Stage.ASSESSMENT) == "reopen"


@pytest.mark.parametrize(("from_stage", "to_stage"), PAIRS)
def test_service_obeys_the_table_for_every_pair(world, from_stage, to_stage):
    client = world.client
    client.stage = from_stage
    client.save()
    before_moves = StageChange.objects.filter(client=client).count()
    if to_stage in ALLOWED_MOVES[Stage(from_stage)]:
        moved = services.case_move_stage(
            client=client,
            to_stage=to_stage,
            by=world.alice,
            reason="Test move",
            version=client.version,
        )
        assert moved.stage == to_stage
        change = StageChange.objects.filter(client=client).first()
        assert (change.from_stage, change.to_stage, change.moved_by, change.reason) == (
            from_stage,
            to_stage,
            world.alice,
            "Test move",
        )
        assert (moved.closed_at is not None) == (to_stage == Stage.CONCLUSION)
    else:
        with pytest.raises(ValidationError) as refused:
            services.case_move_stage(
                client=client,
                to_stage=to_stage,
                by=world.alice,
                reason="Test move",
                version=client.version,
            )
        message = " ".join(refused.value.messages)
        assert f"cannot move to {Stage(to_stage).label}" in message
        assert StageChange.objects.filter(client=client).count() == before_moves
        client.refresh_from_db()
        assert client.stage == from_stage


def test_a_move_shows_on_the_timeline_and_in_the_audit_trail(world):
    client = world.client
    services.case_move_stage(
        client=client,
        to_stage=Stage.ASSESSMENT,
        by=world.alice,
        reason="Used again after 60 days",
        version=client.version,
    )
    entry = TimelineEntry.objects.filter(client=client).first()
    assert entry.summary == "Moved back: Monitoring → Assessment"
    assert entry.detail == "Used again after 60 days"
    event = AuditEvent.objects.filter(client_id=client.pk, action="update").first()
    assert event.changes["stage"] == ["monitoring", "assessment"]
    assert event.actor == world.alice


def test_a_move_needs_a_reason(world):
    with pytest.raises(ValidationError, match="Say why"):
        services.case_move_stage(
            client=world.client, to_stage=Stage.REVIEW, by=world.alice, reason="  ", version=1
        )


def test_the_stage_form_offers_only_allowed_moves_and_the_page_explains_a_refusal(client, world):
    client.force_login(world.alice)
    page = client.get(f"/clients/{world.client.pk}/")
    body = page.content.decode()
    assert 'value="review"' in body and 'value="implementation"' not in body
    response = client.post(
        f"/clients/{world.client.pk}/stage/",
        {"to_stage": "implementation", "reason": "skip", "version": world.client.version},
    )
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    world.client.refresh_from_db()
    assert world.client.stage == "monitoring"
