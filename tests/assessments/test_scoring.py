"""Scoring, written from each instrument's published rules: band boundaries, positive screens,
reverse-scored items, safety answers and change since last time."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from casebridge.assessments.definitions import DefinitionError, all_instruments, instrument, parse
from casebridge.assessments.scoring import AnswersInvalid, change_since, score


def answers_totalling(code, total):
    """Answers whose points add up to `total`, filling items in order."""
    definition = instrument(code)
    remaining = total
    answers = {}
    for item in definition.items:
        best = max((v for v in item.values if item.points(v) <= remaining), key=item.points)
        answers[item.id] = best
        remaining -= item.points(best)
    assert remaining == 0, f"cannot make {total} for {code}"
    return answers


BOUNDARIES = [
    # (instrument, total, band, positive) from the published cut-offs
    ("phq9", 0, "Minimal", False),
    ("phq9", 4, "Minimal", False),
    ("phq9", 5, "Mild", False),
    ("phq9", 9, "Mild", False),
    ("phq9", 10, "Moderate", True),
    ("phq9", 14, "Moderate", True),
    ("phq9", 15, "Moderately severe", True),
    ("phq9", 19, "Moderately severe", True),
    ("phq9", 20, "Severe", True),
    ("phq9", 27, "Severe", True),
    ("phq2", 2, "Negative screen", False),
    ("phq2", 3, "Positive screen", True),
    ("phq2", 6, "Positive screen", True),
    ("gad7", 4, "Minimal", False),
    ("gad7", 5, "Mild", False),
    ("gad7", 9, "Mild", False),
    ("gad7", 10, "Moderate", True),
    ("gad7", 14, "Moderate", True),
    ("gad7", 15, "Severe", True),
    ("gad7", 21, "Severe", True),
    ("audit", 7, "Lower risk", False),
    ("audit", 8, "Hazardous", True),
    ("audit", 15, "Hazardous", True),
    ("audit", 16, "Harmful", True),
    ("audit", 19, "Harmful", True),
    ("audit", 20, "Possible dependence", True),
    ("audit", 40, "Possible dependence", True),
    ("dast10", 0, "No problems reported", False),
    ("dast10", 1, "Low", False),
    ("dast10", 2, "Low", False),
    ("dast10", 3, "Moderate", True),
    ("dast10", 5, "Moderate", True),
    ("dast10", 6, "Substantial", True),
    ("dast10", 8, "Substantial", True),
    ("dast10", 9, "Severe", True),
    ("dast10", 10, "Severe", True),
    ("cageaid", 0, "Negative", False),
    ("cageaid", 1, "Positive", True),
    ("cageaid", 4, "Positive", True),
]


@pytest.mark.parametrize(("code", "total", "band", "positive"), BOUNDARIES)
def test_band_boundaries(code, total, band, positive):
    result = score(instrument(code), answers_totalling(code, total))
    assert (result.primary, result.band.label, result.positive) == (total, band, positive)


@pytest.mark.parametrize(
    ("sex", "total", "positive"),
    [("male", 3, False), ("male", 4, True), ("female", 2, False), ("female", 3, True)],
)
def test_audit_c_uses_the_sex_specific_cut_off(sex, total, positive):
    result = score(instrument("auditc"), answers_totalling("auditc", total), {"sex": sex})
    assert result.primary == total and result.positive is positive


def test_audit_c_needs_the_sex_for_its_cut_off():
    with pytest.raises(AnswersInvalid) as refused:
        score(instrument("auditc"), answers_totalling("auditc", 4), {})
    assert refused.value.problems == {"context_sex": "Choose: sex used for the cut-off."}


def test_audit_items_9_and_10_score_0_2_or_4():
    definition = instrument("audit")
    assert definition.item("9").values == {0, 2, 4} and definition.item("10").values == {0, 2, 4}
    assert definition.score_range("total") == (0, 40)


def test_dast10_item_3_is_reverse_scored():
    all_no = {str(i): 0 for i in range(1, 11)}
    assert score(instrument("dast10"), all_no).primary == 1  # "No" to "always able to stop" scores
    all_no["3"] = 1
    assert score(instrument("dast10"), all_no).primary == 0


@pytest.mark.parametrize("item_9", [1, 2, 3])
def test_any_answer_above_zero_on_phq9_item_9_is_a_safety_concern(item_9):
    answers = {str(i): 0 for i in range(1, 10)} | {"9": item_9}
    assert score(instrument("phq9"), answers).safety_messages


def test_phq9_item_9_at_zero_is_not_a_safety_concern():
    assert not score(
        instrument("phq9"), {str(i): 3 for i in range(1, 9)} | {"9": 0}
    ).safety_messages


@pytest.mark.parametrize(
    ("answers", "problem"),
    [
        ({str(i): 0 for i in range(1, 9)}, {"9": "Answer this question."}),
        ({str(i): 0 for i in range(1, 9)} | {"9": 4}, {"9": "Choose one of the answers."}),
        ({str(i): 0 for i in range(1, 9)} | {"9": -1}, {"9": "Choose one of the answers."}),
        ({str(i): 0 for i in range(1, 9)} | {"9": "x"}, {"9": "Choose one of the answers."}),
        (
            {str(i): 0 for i in range(1, 10)} | {"10": 1},
            {"_": "There are answers to questions this instrument does not ask."},
        ),
    ],
)
def test_missing_and_out_of_range_answers_are_refused(answers, problem):
    with pytest.raises(AnswersInvalid) as refused:
        score(instrument("phq9"), answers)
    assert refused.value.problems == problem


@pytest.mark.parametrize(
    ("previous", "current", "words"),
    [
        (16, 11, "Down 5 since last time. That is a real improvement (a drop of 5 or more)."),
        (16, 12, "Down 4 since last time."),
        (8, 4, "Down 4 since last time. The score is now in the range of remission."),
        (9, 14, "Up 5 since last time. That is a real worsening (a rise of 5 or more)."),
        (7, 7, "The same as last time."),
    ],
)
def test_change_since_last_time_for_phq9(previous, current, words):
    assert change_since(instrument("phq9"), previous, current).words == words


def test_every_definition_has_a_source_and_a_licence_note_and_bands_that_cover_the_range():
    for definition in all_instruments().values():
        assert definition.source and definition.licence
        if definition.primary is None:
            assert definition.levels or definition.score_notes, (
                f"{definition.code}: no total, levels or cut-offs"
            )
            continue
        low, high = definition.score_range(definition.primary)
        assert definition.band_for(low) and definition.band_for(high)


def test_a_definition_with_a_gap_in_its_bands_is_refused():
    raw = {
        "code": "x",
        "version": "1",
        "name": "X",
        "source": "s",
        "edition": "e",
        "wording": "w",
        "licence": "l",
        "items": [
            {
                "id": "1",
                "text": "q",
                "options": [{"value": 0, "label": "a"}, {"value": 3, "label": "b"}],
            }
        ],
        "scores": {"total": {"items": ["1"]}},
        "primary": "total",
        "bands": [
            {"min": 0, "max": 1, "label": "a", "plain": "a"},
            {"min": 3, "max": 3, "label": "b", "plain": "b"},
        ],
    }
    with pytest.raises(DefinitionError, match="gap"):
        parse(raw)


@st.composite
def complete_answers(draw, code):
    definition = instrument(code)
    answers: dict[str, int] = {}
    for item in definition.items:
        # Questions the skip logic does not ask are left out, as a form leaves them.
        if item.is_asked(answers):
            answers[item.id] = draw(st.sampled_from(sorted(item.values)))
    for item_id, other, _ in definition.consistency:
        if item_id in answers and other in answers:
            answers[item_id] = min(answers[item_id], answers[other])
    return answers


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(sorted(all_instruments())), st.data())
def test_property_any_complete_valid_answers_score_inside_the_range(code, data):
    definition = instrument(code)
    answers = data.draw(complete_answers(code))
    context = {
        q.id: data.draw(st.sampled_from([v for v, _ in q.options])) for q in definition.context
    }
    result = score(definition, answers, context)
    assert result.band is not None or (definition.primary is None and not definition.levels)
    for name in definition.scores:
        low, high = definition.score_range(name)
        assert low <= result.scores[name] <= high
    if definition.primary is not None:
        low, high = definition.score_range(definition.primary)
        assert low <= result.primary <= high


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(sorted(all_instruments())), st.data())
def test_property_invalid_answer_sets_are_refused(code, data):
    definition = instrument(code)
    answers = data.draw(complete_answers(code))
    asked = [
        item.id
        for item in definition.items
        if item.is_asked({k: int(v) for k, v in answers.items()})
    ]
    victim = data.draw(
        st.sampled_from(
            [
                i
                for i in asked
                if not any(i in dict(other.ask_if or ()) for other in definition.items)
            ]
            or asked
        )
    )
    if data.draw(st.booleans()):
        del answers[victim]
    else:
        answers[victim] = data.draw(
            st.integers(-5, 50).filter(lambda v: v not in definition.item(victim).values)
        )
    context = {q.id: q.options[0][0] for q in definition.context}
    with pytest.raises(AnswersInvalid):
        score(definition, answers, context)


def cssrs(**answers):
    return {"1": 0, "2": 0, "6": 0} | answers


@pytest.mark.parametrize(
    ("answers", "level", "safety"),
    [
        (cssrs(), "No risk reported", False),
        (cssrs(**{"1": 1}), "Low risk", True),
        (cssrs(**{"2": 1, "3": 0, "4": 0, "5": 0}), "Low risk", True),
        (cssrs(**{"2": 1, "3": 1, "4": 0, "5": 0}), "Moderate risk", True),
        (cssrs(**{"6": 1, "6b": 0}), "Moderate risk", True),
        (cssrs(**{"6": 1, "6b": 1}), "High risk", True),
        (cssrs(**{"2": 1, "3": 0, "4": 1, "5": 0}), "High risk", True),
        (cssrs(**{"2": 1, "3": 0, "4": 0, "5": 1}), "High risk", True),
    ],
)
def test_cssrs_screener_risk_levels(answers, level, safety):
    result = score(instrument("cssrs"), answers)
    assert result.band.label == level
    assert bool(result.safety_messages) is safety
    assert result.positive is safety


def test_cssrs_skip_logic_asks_3_to_5_only_after_yes_to_2():
    # No to 2: questions 3-5 are not asked, so leaving them blank is complete ...
    assert score(instrument("cssrs"), cssrs()).band.label == "No risk reported"
    # ... a "no" to them says nothing new ...
    assert score(instrument("cssrs"), cssrs(**{"4": 0, "5": 0})).band.label == "No risk reported"
    # ... but a "yes" contradicts the "no" to 2: refused, never dropped (it could be a safety
    # answer), whoever calls and whether or not the page's script ran.
    with pytest.raises(AnswersInvalid) as contradicted:
        score(instrument("cssrs"), cssrs(**{"4": 1, "5": 1}))
    assert set(contradicted.value.problems) == {"4", "5"}
    assert "question 2" in contradicted.value.problems["4"]
    # Yes to 2: they must be answered.
    with pytest.raises(AnswersInvalid) as refused:
        score(instrument("cssrs"), cssrs(**{"2": 1}))
    assert set(refused.value.problems) == {"3", "4", "5"}


@pytest.mark.parametrize(
    ("total", "band"),
    [
        (10, "Building recovery strengths"),
        (46, "Building recovery strengths"),
        (47, "Strong recovery strengths"),
        (60, "Strong recovery strengths"),
    ],
)
def test_barc10_totals_and_levels(total, band):
    definition = instrument("barc10")
    assert definition.score_range("total") == (10, 60)
    answers = {str(i): 1 for i in range(1, 11)}
    remaining = total - 10
    for key in answers:
        extra = min(5, remaining)
        answers[key] += extra
        remaining -= extra
    result = score(definition, answers)
    assert (result.primary, result.band.label, result.positive) == (total, band, None)


def test_a_rise_in_recovery_strengths_reads_as_higher_not_worse():
    assert change_since(instrument("barc10"), 40, 48).words == "Higher 8 since last time."


def bam(**answers):
    base = {str(i): 0 for i in range(1, 18) if i != 7}
    return base | answers


def test_bam_has_three_sub_scores_and_no_total():
    definition = instrument("bam")
    assert definition.primary is None
    assert {name: definition.score_range(name) for name in definition.scores} == {
        "use": (0, 12),
        "risk": (0, 24),
        "protective": (0, 24),
    }
    result = score(definition, bam(**{"1": 4, "2": 4, "3": 4, "8": 4, "11": 4, "15": 4, "9": 1}))
    assert result.scores == {"use": 0, "risk": 24, "protective": 1}
    assert result.primary is None and result.band is None


@pytest.mark.parametrize(
    ("answers", "notes"),
    [
        (bam(), ["Protective factors are low: plan for supports."]),
        (
            bam(**{"4": 1}),
            [
                "Any alcohol or drug use in the past 30 days.",
                "Protective factors are low: plan for supports.",
            ],
        ),
        (
            bam(**{"1": 2, "2": 2, "3": 2, "8": 2, "11": 2, "15": 1}),
            ["Protective factors are low: plan for supports."],
        ),
        (
            bam(**{"1": 2, "2": 2, "3": 2, "8": 2, "11": 2, "15": 2}),
            [
                "Risk factors are high: look at which items scored high.",
                "Protective factors are low: plan for supports.",
            ],
        ),
        (bam(**{"9": 4, "10": 4, "12": 4, "13": 1}), []),
        (
            bam(**{"9": 4, "10": 4, "12": 4, "13": 0}),
            ["Protective factors are low: plan for supports."],
        ),
    ],
)
def test_bam_cut_offs_use_1_risk_12_protective_12(answers, notes):
    assert score(instrument("bam"), answers).notes == notes


def test_bam_asks_which_drugs_only_after_drug_use_and_does_not_score_them():
    with pytest.raises(AnswersInvalid) as refused:
        score(instrument("bam"), bam(**{"6": 2}))
    assert set(refused.value.problems) == {"7a", "7b", "7c", "7d", "7e", "7f", "7g"}
    which = {f"7{letter}": 0 for letter in "abcdefg"} | {"7e": 2}
    assert score(instrument("bam"), bam(**{"6": 2}, **which)).scores["use"] == 2


def test_bam_income_scores_0_or_4():
    assert instrument("bam").item("14").values == {0, 4}


@pytest.mark.parametrize("answer", [0.5, 1.5, True, "2", "1", [1], 2.0])
def test_an_answer_is_one_of_the_items_values_as_a_whole_number(answer):
    """int() used to turn 0.5 on item 9 into 0 and lose the safety flag."""
    answers = {str(i): 0 for i in range(1, 10)} | {"9": answer}
    with pytest.raises(AnswersInvalid) as refused:
        score(instrument("phq9"), answers)
    assert refused.value.problems["9"] == "Choose one of the answers."


def test_heavy_drinking_days_cannot_exceed_drinking_days():
    definition = instrument("bam")
    answers = {item.id: 0 for item in definition.items if item.ask_if is None}
    answers |= {"4": 1, "5": 3}
    with pytest.raises(AnswersInvalid) as refused:
        score(definition, answers)
    assert "cannot be more than the days with any alcohol" in refused.value.problems["5"]
    answers["5"] = 1
    assert score(definition, answers).scores["use"] >= 2


def test_audit_has_the_who_manuals_domain_sub_scores():
    answers = {"1": 4, "2": 3, "3": 2, "4": 1, "5": 1, "6": 0, "7": 2, "8": 0, "9": 4, "10": 2}
    result = score(instrument("audit"), answers)
    assert result.scores["consumption"] == 9
    assert result.scores["dependence"] == 2
    assert result.scores["harm"] == 8
    assert result.primary == 19


def test_the_bam_hint_says_any_drug_use_day_not_one_to_three_days():
    from casebridge.assessments.scoring import asked_when

    definition = instrument("bam")
    hint = asked_when(definition, definition.item("7a"))
    assert hint == "Asked only if the answer to question 6 is anything but “0 days”."


def audit(**answers):
    """An AUDIT by the WHO interview version: 1 and 9-10 always asked, the rest as given."""
    return {"1": 1, "9": 0, "10": 0} | answers


def test_audit_skips_4_to_8_when_2_and_3_are_both_0_and_scores_them_0():
    """WHO AUDIT manual, 2nd ed. (2001), Box 4: "Skip to Questions 9 and 10 if Total Score for
    Questions 2 and 3 = 0"."""
    result = score(instrument("audit"), audit(**{"2": 0, "3": 0, "10": 2}))
    assert result.primary == 3
    assert result.scores == {"total": 3, "consumption": 1, "dependence": 0, "harm": 2}
    assert set(result.answers) == {"1", "2", "3", "9", "10"}


def test_audit_refuses_an_answer_to_4_to_8_after_2_and_3_scored_0():
    with pytest.raises(AnswersInvalid) as refused:
        score(instrument("audit"), audit(**{"2": 0, "3": 0, "4": 2}))
    assert set(refused.value.problems) == {"4"}
    assert refused.value.problems["4"] == (
        "Asked only if the answer to question 2 is anything but “1 or 2” or the answer to "
        "question 3 is anything but “never”. Clear this answer, or change the answer to "
        "question 2 or 3."
    )
    # "Never" to a question that was not asked says nothing new and scores 0 either way.
    zeros = {str(i): 0 for i in range(4, 9)}
    assert score(instrument("audit"), audit(**{"2": 0, "3": 0}, **zeros)).primary == 1


@pytest.mark.parametrize("asked_by", [{"2": 1, "3": 0}, {"2": 0, "3": 1}])
def test_audit_asks_4_to_8_when_question_2_or_question_3_scores(asked_by):
    with pytest.raises(AnswersInvalid) as refused:
        score(instrument("audit"), audit(**asked_by))
    assert set(refused.value.problems) == {"4", "5", "6", "7", "8"}
    assert refused.value.problems["4"] == "Answer this question."


def test_audit_never_drinking_skips_to_9_and_10():
    """Box 4, question 1: "(0) Never [Skip to Qs 9-10]"."""
    result = score(instrument("audit"), {"1": 0, "9": 2, "10": 0})
    assert result.primary == 2 and result.band.label == "Lower risk"
    with pytest.raises(AnswersInvalid) as refused:
        score(instrument("audit"), {"1": 0, "2": 1, "9": 0, "10": 0})
    assert "question 1" in refused.value.problems["2"]


def test_an_audit_given_before_the_skip_logic_still_scores_as_it_was_given():
    from casebridge.assessments.definitions import definition_of

    first = definition_of("audit", "1")
    answers = {str(i): 0 for i in range(1, 11)} | {"1": 1, "4": 2}
    assert score(first, answers).primary == 3


def test_a_definition_whose_skip_logic_looks_ahead_is_refused():
    raw = {
        "code": "x",
        "version": "1",
        "name": "X",
        "source": "s",
        "edition": "e",
        "wording": "w",
        "licence": "l",
        "option_sets": {"yn": [{"value": 0, "label": "No"}, {"value": 1, "label": "Yes"}]},
        "items": [
            {
                "id": "1",
                "text": "a",
                "options": "yn",
                "ask_if": {"any_of": [{"item": "2", "at_least": 1}]},
            },
            {"id": "2", "text": "b", "options": "yn"},
        ],
        "scores": {"total": {"items": ["1", "2"]}},
    }
    with pytest.raises(DefinitionError, match="not an earlier item"):
        parse(raw)
