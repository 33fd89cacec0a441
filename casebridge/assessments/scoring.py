"""Scoring an instrument from its definition: totals and sub-scores, the band in plain words, the
positive-screen rule, safety answers, and what changed since last time."""

from dataclasses import dataclass, field
from typing import Any, cast

from casebridge.assessments.definitions import Band, Instrument, Item


class AnswersInvalid(ValueError):
    """Answers that cannot be scored; `problems` maps each question to what is wrong."""

    def __init__(self, problems: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in problems.items()))
        self.problems = problems


@dataclass
class Result:
    scores: dict[str, int]
    primary: int | None
    band: Band | None
    positive: bool | None
    safety_messages: list[str] = field(default_factory=list)
    # The answers that count: items the skip logic left unasked are not kept.
    answers: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def check_answers(
    instrument: Instrument, answers: dict[str, Any], context: dict[str, str]
) -> dict[str, int]:
    """Every item answered with one of its own values, and every context question answered.

    Whoever calls, an answer is one of the item's values as a whole number: not 1.5, not True,
    not the text "2" (a form turns its choice into a number first). An answer to a question the
    skip logic does not ask, or answers that contradict each other, are refused with a plain
    message rather than dropped: dropping them could hide a safety answer. A question the skip
    logic does not ask is left out of the answers kept, so it counts 0 in every score (the WHO
    AUDIT manual scores the questions it skips as 0).
    """
    problems: dict[str, str] = {}
    clean: dict[str, int] = {}
    for item in instrument.items:
        raw = answers.get(item.id)
        given = raw is not None and raw != ""
        if given and (type(raw) is not int or raw not in item.values):
            problems[item.id] = "Choose one of the answers."
            continue
        if not item.is_asked(clean):
            # "No" (the lowest answer) to a question that was not asked says nothing new; any
            # other answer contradicts the answer that skipped it.
            if given and raw != min(item.values):
                problems[item.id] = _not_asked_message(instrument, item)
            continue
        if not given:
            problems[item.id] = "Answer this question."
            continue
        clean[item.id] = cast(int, raw)  # checked to be one of its values above
    for item_id, other, message in instrument.consistency:
        if item_id in clean and other in clean and clean[item_id] > clean[other]:
            problems[item_id] = message
    extra = set(map(str, answers)) - {item.id for item in instrument.items}
    if extra:
        problems["_"] = "There are answers to questions this instrument does not ask."
    for question in instrument.context:
        if context.get(question.id) not in {value for value, _ in question.options}:
            problems[f"context_{question.id}"] = f"Choose: {question.label.lower()}."
    if problems:
        raise AnswersInvalid(problems)
    return clean


def asked_when(instrument: Instrument, item: Item) -> str:
    """When a skipped question is asked, in the words of the answers it depends on."""
    if item.ask_if is None:
        return ""
    conditions = [_answer_words(instrument, other, at_least) for other, at_least in item.ask_if]
    return f"Asked only if {' or '.join(conditions)}."


def _answer_words(instrument: Instrument, other_id: str, at_least: int) -> str:
    other = instrument.item(other_id)
    below = [option for option in other.options if option.value < at_least]
    higher = any(option.value > at_least for option in other.options)
    chosen = next((o.label for o in other.options if o.value == at_least), str(at_least))
    if not higher:
        condition = f"is “{chosen.lower()}”"
    elif len(below) == 1:
        condition = f"is anything but “{below[0].label.lower()}”"
    else:
        condition = f"is “{chosen.lower()}” or more"
    return f"the answer to question {other.id} {condition}"


def _not_asked_message(instrument: Instrument, item: Item) -> str:
    questions = " or ".join(other for other, _ in item.ask_if or ())
    return (
        f"{asked_when(instrument, item)} Clear this answer, or change the answer to question "
        f"{questions}."
    )


def score(
    instrument: Instrument, answers: dict[str, Any], context: dict[str, str] | None = None
) -> Result:
    context = context or {}
    clean = check_answers(instrument, answers, context)
    scores = {
        name: sum(
            instrument.item(item_id).points(clean[item_id])
            for item_id in item_ids
            if item_id in clean
        )
        for name, item_ids in instrument.scores.items()
    }
    primary = scores.get(instrument.primary) if instrument.primary else None
    band = instrument.band_for(primary) if primary is not None else _level(instrument, clean)
    return Result(
        scores=scores,
        primary=primary,
        band=band,
        positive=_positive(instrument, scores, context),
        safety_messages=[
            rule["message"]
            for rule in instrument.safety
            if clean.get(str(rule["item"]), 0) >= int(rule["at_least"])
        ],
        answers=clean,
        notes=score_notes(instrument, scores),
    )


def score_notes(instrument: Instrument, scores: dict[str, int]) -> list[str]:
    """Plain words for each sub-score past its published cut-off."""
    notes = []
    for note in instrument.score_notes:
        value = scores[note["score"]]
        if ("at_least" in note and value >= note["at_least"]) or (
            "at_most" in note and value <= note["at_most"]
        ):
            notes.append(note["plain"])
    return notes


def _level(instrument: Instrument, clean: dict[str, int]) -> Band | None:
    """The first risk level whose rule any answer meets (a level with no rules matches last)."""
    for band, rules in instrument.levels:
        if not rules or any(clean.get(item, 0) >= at_least for item, at_least in rules):
            return band
    return None


def _positive(
    instrument: Instrument, scores: dict[str, int], context: dict[str, str]
) -> bool | None:
    rule = instrument.positive
    if not rule:
        return None
    value = scores[rule["score"]]
    if "at_least_by" in rule:
        by = rule["at_least_by"]
        return value >= int(by["values"][context[by["context"]]])
    return value >= int(rule["at_least"])


@dataclass
class Change:
    previous: int
    current: int
    difference: int
    words: str


def change_since(
    instrument: Instrument, previous: int | None, current: int | None
) -> Change | None:
    """What changed since the last time, in plain words (response and remission where defined)."""
    if previous is None or current is None:
        return None
    difference = current - previous
    if difference < 0:
        words = f"Down {-difference} since last time."
    elif difference > 0:
        words = f"Up {difference} since last time."
    else:
        words = "The same as last time."
    if instrument.higher_is_better:
        words = words.replace("Down", "Lower").replace("Up", "Higher")
    drop = instrument.change.get("response_drop")
    if drop and -difference >= drop:
        words += f" That is a real improvement (a drop of {drop} or more)."
    remission = instrument.change.get("remission_below")
    if remission and current < remission:
        words += " The score is now in the range of remission."
    if drop and difference >= drop:
        words += f" That is a real worsening (a rise of {drop} or more)."
    return Change(previous=previous, current=current, difference=difference, words=words)
