"""Giving an instrument on the client page: the result in plain words, the safety flag, the trend,
what is due, and the FHIR shapes."""

from datetime import timedelta

from django.utils import timezone

from casebridge.assessments import services
from casebridge.assessments.fhir import observation, questionnaire_response
from casebridge.assessments.models import InstrumentResponse, InstrumentSchedule
from casebridge.audit.models import AuditEvent
from casebridge.clients.models import ClientFlag


def phq9(**overrides):
    return {str(i): 0 for i in range(1, 10)} | overrides


def post_phq9(client, world, **answers):
    data = {f"item_{k}": v for k, v in phq9(**answers).items()}
    return client.post(f"/clients/{world.client.pk}/measures/phq9/new/", data)


def test_a_completed_phq9_shows_the_score_and_band_in_plain_words(client, world):
    client.force_login(world.alice)
    response = post_phq9(client, world, **{"1": 2, "2": 2, "3": 2, "4": 2, "5": 3})
    saved = InstrumentResponse.objects.get()
    assert response.url == f"/clients/{world.client.pk}/measures/result/{saved.pk}/"
    page = client.get(response.url).content.decode()
    assert "Depression check (PHQ-9): 11" in page
    assert "Moderate." in page and "Signs of depression that need attention in the plan." in page
    assert "first time" in page
    assert AuditEvent.objects.filter(
        object_type="instrument_response", client_id=world.client.pk
    ).exists()


def test_a_missing_answer_is_refused_beside_the_question_and_nothing_is_saved(client, world):
    client.force_login(world.alice)
    data = {f"item_{i}": 0 for i in range(1, 9)}
    response = client.post(f"/clients/{world.client.pk}/measures/phq9/new/", data)
    body = response.content.decode()
    assert response.status_code == 200
    assert 'id="item_9_error">Answer this question.' in body
    assert not InstrumentResponse.objects.exists()


def test_item_9_raises_a_safety_flag_that_stays_until_a_follow_up_is_recorded(client, world):
    client.force_login(world.alice)
    result = client.get(post_phq9(client, world, **{"9": 1}).url).content.decode()
    assert "Safety: act on this today" in result and "988" in result
    flag = ClientFlag.objects.get(client=world.client, kind="safety", cleared_at__isnull=True)
    # Raised through the clients' own service: audited and on the timeline like any flag.
    assert AuditEvent.objects.filter(object_type="flag", object_id=str(flag.pk)).exists()
    assert world.client.timeline.filter(summary="Flag raised: Safety concern").count() == 1
    post_phq9(client, world, **{"9": 2})
    assert (
        ClientFlag.objects.filter(
            client=world.client, kind="safety", cleared_at__isnull=True
        ).count()
        == 1
    )
    client.post(
        f"/clients/{world.client.pk}/flags/{flag.pk}/clear/",
        {"note": "Safety plan reviewed; seen by Dr. Osei today"},
    )
    flag.refresh_from_db()
    assert flag.cleared_at is not None


def test_change_since_last_time_is_shown(client, world):
    services.instrument_record(
        client=world.client,
        by=world.alice,
        code="phq9",
        answers=phq9(**{"1": 3, "2": 3, "3": 3, "4": 3, "5": 3}),
    )
    client.force_login(world.alice)
    page = client.get(
        post_phq9(client, world, **{"1": 3, "2": 3, "3": 3, "4": 1}).url
    ).content.decode()
    assert "Down 5 since last time. That is a real improvement" in page


def test_the_measures_tab_draws_the_trend_and_the_same_numbers_as_a_table(client, world):
    for total in (15, 11, 6):
        answers = phq9()
        remaining = total
        for key in answers:
            answers[key] = min(3, remaining)
            remaining -= answers[key]
        services.instrument_record(
            client=world.client, by=world.alice, code="phq9", answers=answers
        )
    client.force_login(world.alice)
    page = client.get(f"/clients/{world.client.pk}/measures/").content.decode()
    assert "<svg" in page and "<polyline" in page and page.count("<circle") >= 3
    assert "PHQ-9 scores over time" in page
    assert "<td>15</td>" in page and "<td>11</td>" in page and "<td>6</td>" in page


def test_scheduled_instruments_show_as_due_on_the_client_and_caseload(client, world):
    InstrumentSchedule.objects.create(program=world.program, instrument="phq9", every_days=30)
    done = services.instrument_record(
        client=world.client, by=world.alice, code="phq9", answers=phq9()
    )
    InstrumentResponse.objects.filter(pk=done.pk).update(
        administered_at=timezone.now() - timedelta(days=40)
    )
    client.force_login(world.alice)
    rows = {c.pk: items for c, items in client.get("/caseload/").context["rows"]}
    phq = [item for item in rows[world.client.pk] if item.label == "PHQ-9"]
    assert phq and phq[0].is_overdue(timezone.localdate())
    assert "PHQ-9" in client.get(f"/clients/{world.client.pk}/").content.decode()


def test_fhir_shapes_carry_loinc_codes_and_the_part2_label(world):
    saved = services.instrument_record(
        client=world.client, by=world.alice, code="phq9", answers=phq9(**{"2": 2})
    )
    qr = questionnaire_response(saved)
    obs = observation(saved)
    assert qr["resourceType"] == "QuestionnaireResponse" and qr["status"] == "completed"
    assert (
        len(qr["item"]) == 9
        and qr["item"][1]["answer"][0]["valueCoding"]["display"] == "More than half the days"
    )
    # R4 response items carry no code: the LOINC codes are on the Questionnaire's items.
    assert all("code" not in item for item in qr["item"])
    assert qr["questionnaire"] == f"urn:casebridge:instrument:phq9|{saved.version}"
    assert obs["code"] == {
        "coding": [{"system": "http://loinc.org", "code": "44261-6"}],
        "text": "PHQ-9 total score",
    }
    assert obs["valueInteger"] == 2
    assert {label["code"] for label in obs["meta"]["security"]} == {"R", "42CFRPart2"}


def test_a_yes_the_skip_logic_did_not_ask_for_is_refused_not_dropped(client, world):
    """With the page's script off, question 4 can be answered after a "no" to question 2."""
    client.force_login(world.alice)
    data = {"item_1": 0, "item_2": 0, "item_4": 1, "item_6": 0}
    response = client.post(f"/clients/{world.client.pk}/measures/cssrs/new/", data)
    assert response.status_code == 200
    assert "Asked only if the answer to question 2" in response.content.decode()
    assert not InstrumentResponse.objects.exists()


def post_audit(client, world, **answers):
    data = {f"item_{k}": v for k, v in answers.items()}
    return client.post(f"/clients/{world.client.pk}/measures/audit/new/", data)


def test_the_audit_page_hides_4_to_8_by_the_interview_versions_rule_and_names_its_source(
    client, world
):
    client.force_login(world.alice)
    page = client.get(f"/clients/{world.client.pk}/measures/audit/new/").content.decode()
    for item in "45678":
        assert f'id="q-item_{item}" data-ask-if="item_2:1 item_3:1"' in page
    assert 'id="q-item_2" data-ask-if="item_1:1"' in page
    assert "Source: Babor TF, Higgins-Biddle JC, Saunders JB, Monteiro MG." in page
    assert "Box 4, The Alcohol Use Disorders Identification Test: Interview Version" in page


def test_without_script_an_audit_answer_the_skip_logic_did_not_ask_is_refused(client, world):
    client.force_login(world.alice)
    response = post_audit(client, world, **{"1": 1, "2": 0, "3": 0, "4": 2, "9": 0, "10": 0})
    body = response.content.decode()
    assert response.status_code == 200
    assert 'id="item_4_error">Asked only if the answer to question 2 is anything but' in body
    assert not InstrumentResponse.objects.exists()


def test_an_audit_with_4_to_8_not_asked_is_scored_with_them_as_0(client, world):
    client.force_login(world.alice)
    response = post_audit(client, world, **{"1": 2, "2": 0, "3": 0, "9": 0, "10": 4})
    saved = InstrumentResponse.objects.get()
    assert (saved.primary_score, saved.version) == (6, "2")
    assert saved.scores == {"total": 6, "consumption": 2, "dependence": 0, "harm": 4}
    page = client.get(response.url).content.decode()
    assert "Alcohol use check (AUDIT): 6" in page
    assert page.count("<strong>Not asked</strong>") == 5
    assert "(version 2)" in page


def test_an_audit_given_on_the_first_version_still_reads_back_as_it_was_asked(client, world):
    """Version 1 had no skip logic: its answers stay valid on its own wording and rules."""
    answers = {str(i): 0 for i in range(1, 11)} | {"1": 1, "4": 2}
    saved = InstrumentResponse.objects.create(
        client=world.client,
        instrument="audit",
        version="1",
        answers=answers,
        scores={"total": 3, "consumption": 1, "dependence": 2, "harm": 0},
        primary_score=3,
        band="Lower risk",
        positive=False,
        administered_by=world.alice,
    )
    client.force_login(world.alice)
    response = client.get(f"/clients/{world.client.pk}/measures/result/{saved.pk}/")
    page = response.content.decode()
    assert response.status_code == 200
    assert "Alcohol use check (AUDIT): 3" in page
    assert "Have you or someone else been injured because of your drinking?" in page
    assert "(version 1)" in page
