"""Drug screens: the substances and panels (data, in panels.json), what a screen amounts to, and
the services that record a screen and a laboratory's confirmation of it.

A positive for a substance the client takes on prescription (buprenorphine, methadone ...) is
expected and changes nothing. An unexpected positive, unless the lab's confirmation says
negative, a refused screen and a missed screen raise the "High risk of relapse" flag and go on
the timeline for clinical staff; the substances are clinical content and never reach a coach.
"""

import json
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from casebridge.accounts.models import User
from casebridge.audit.services import audit_record
from casebridge.audit.versions import check_version, save_version
from casebridge.clients import services as client_services
from casebridge.clients.models import Client, FlagKind
from casebridge.inputs import EARLIEST_DATE, text_problem
from casebridge.monitoring.models.recovery import (
    Confirmation,
    DrugScreen,
    RecoveryTimelineKind,
    ScreenMethod,
    ScreenOutcome,
    ScreenResult,
    ScreenStatus,
    Specimen,
    SpecimenProblem,
    SubstanceResult,
)

PANELS_FILE = Path(__file__).resolve().parent.parent / "panels.json"
OTHER_PANEL = ""  # a panel given substance by substance: the substances with a result
# A refusal, a missed screen and an unexpected positive each say the same to the team: look
# at relapse risk now. The flag's note (clinical) says which screen and what it found.
SCREEN_FLAG = FlagKind.HIGH_RISK
RAISES_FLAG = frozenset({ScreenOutcome.POSITIVE, ScreenOutcome.REFUSED, ScreenOutcome.MISSED})
# A screen refused or missed has no specimen, so no results to give or to confirm.
NO_SPECIMEN = frozenset({ScreenStatus.REFUSED, ScreenStatus.MISSED})


class PanelError(ValueError):
    """panels.json is not shaped as the code expects: start-up stops, not a person's page."""


@dataclass(frozen=True)
class Panel:
    code: str
    label: str
    substances: tuple[str, ...]


@dataclass(frozen=True)
class Catalogue:
    """The substances screens test for (in the order forms show them) and the usual panels."""

    substances: dict[str, str]  # code -> label
    panels: dict[str, Panel]

    def label(self, code: str) -> str:
        return self.substances.get(code, code)

    def labels(self, codes: Iterable[str]) -> list[str]:
        return [self.label(code) for code in codes]


def _load(raw: Any) -> Catalogue:
    if not isinstance(raw, dict):
        raise PanelError("panels.json holds an object with substances and panels")
    substances: dict[str, str] = {}
    for entry in raw.get("substances") or []:
        if not isinstance(entry, dict) or not entry.get("code") or not entry.get("label"):
            raise PanelError(f"panels.json: each substance has a code and a label ({entry!r})")
        code = str(entry["code"])
        if code in substances or len(code) > 40:
            raise PanelError(
                f"panels.json: substance codes are unique, 40 letters at most ({code})"
            )
        substances[code] = str(entry["label"])
    if not substances:
        raise PanelError("panels.json lists no substances")
    panels: dict[str, Panel] = {}
    for entry in raw.get("panels") or []:
        if not isinstance(entry, dict) or not entry.get("code") or not entry.get("label"):
            raise PanelError(f"panels.json: each panel has a code and a label ({entry!r})")
        codes = tuple(str(code) for code in entry.get("substances") or [])
        unknown = sorted(set(codes) - set(substances))
        if not codes or unknown or len(set(codes)) != len(codes):
            raise PanelError(
                f"panels.json: panel {entry['code']} lists each known substance once "
                f"(unknown: {unknown})"
            )
        code = str(entry["code"])
        if code in panels or len(code) > 40:
            raise PanelError(f"panels.json: panel codes are unique, 40 letters at most ({code})")
        # Shown in the catalogue's order, whatever the file's.
        ordered = tuple(s for s in substances if s in codes)
        panels[code] = Panel(code=code, label=str(entry["label"]), substances=ordered)
    return Catalogue(substances=substances, panels=panels)


@cache
def catalogue() -> Catalogue:
    return _load(json.loads(PANELS_FILE.read_text(encoding="utf-8")))


def panel_label(code: str) -> str:
    found = catalogue().panels.get(code)
    return found.label if found else "Panel given substance by substance"


# What a screen amounts to


def outcome_of(
    *,
    status: str,
    finals: Mapping[str, str],
    expected: Collection[str],
    problems: Collection[str],
) -> str:
    """The screen's outcome from the result that counts for each substance (the confirmation
    where there is one): refused and missed are what they are; any positive not prescribed is
    an unexpected positive, even on an adulterated specimen; then an invalid or adulterated
    specimen; then positives that are all prescribed; then no result, or negative."""
    if status in NO_SPECIMEN:
        return status
    if any(r == SubstanceResult.POSITIVE and s not in expected for s, r in finals.items()):
        return ScreenOutcome.POSITIVE
    if {SpecimenProblem.INVALID, SpecimenProblem.ADULTERATED} & set(problems):
        return ScreenOutcome.INVALID
    if any(r == SubstanceResult.POSITIVE for r in finals.values()):
        return ScreenOutcome.EXPECTED
    if all(r == SubstanceResult.NOT_TESTED for r in finals.values()):
        return ScreenOutcome.NO_RESULT
    return ScreenOutcome.NEGATIVE


def _house_date(day: date) -> str:
    return f"{day:%b} {day.day}, {day.year}"


def _joined(labels: list[str]) -> str:
    """Labels in running text: "Fentanyl" reads "fentanyl"; "MDMA" and "PCP" stay as they are."""
    words = [
        label[0].lower() + label[1:] if label[:2] != label[:2].upper() else label
        for label in labels
    ]
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


def findings(screen: DrugScreen, results: Sequence[ScreenResult]) -> str:
    """What a screen found, in one sentence for the timeline and the flag (clinical)."""
    names = catalogue()
    if screen.status == ScreenStatus.REFUSED:
        return "refused"
    if screen.status == ScreenStatus.MISSED:
        return "missed"
    unexpected = [r.substance for r in results if r.final == "positive" and not r.expected]
    prescribed = [r.substance for r in results if r.final == "positive" and r.expected]
    parts = []
    if unexpected:
        parts.append("unexpected positive for " + _joined(names.labels(unexpected)))
    if prescribed:
        parts.append("positive for " + _joined(names.labels(prescribed)) + " as prescribed")
    if not parts:
        parts.append(str(ScreenOutcome(screen.outcome).label).lower())
    problems = [str(SpecimenProblem(p).label).lower() for p in screen.problems]
    if problems:
        parts.append("specimen " + " and ".join(problems))
    return "; ".join(parts)


def how_collected(screen: DrugScreen) -> str:
    """The specimen and how it was taken and read, e.g. "urine, observed, point of care"."""
    bits = [str(Specimen(screen.specimen).label).lower()] if screen.specimen else []
    if screen.status == ScreenStatus.TESTED:
        bits.append("observed" if screen.observed else "not observed")
        if screen.method:
            bits.append("lab" if screen.method == ScreenMethod.LAB else "point of care")
    return ", ".join(bits)


def _how(screen: DrugScreen) -> str:
    how = how_collected(screen)
    return f" ({how})" if how else ""


# Recording


def _check_codes(errors: dict[str, str], codes: Iterable[str]) -> None:
    unknown = sorted(set(codes) - set(catalogue().substances))
    if unknown:
        errors["__all__"] = (
            f"{', '.join(unknown)}: not a substance on the list. Reload the page and enter the "
            "screen again."
        )


def _screen_errors(
    *,
    collected_on: date,
    status: str,
    specimen: str,
    method: str,
    custody_id: str,
    panel: str,
    panel_substances: Sequence[str],
    results: Mapping[str, str],
    expected: Collection[str],
    problems: Collection[str],
    confirmations: Mapping[str, str],
) -> dict[str, str]:
    names = catalogue()
    errors: dict[str, str] = {}
    if status not in ScreenStatus.values:
        errors["status"] = "Say whether the client was tested, refused or missed the screen."
    if not isinstance(collected_on, date) or collected_on > timezone.localdate():
        errors["collected_on"] = "A screen cannot be dated in the future. Check the date."
    elif collected_on < EARLIEST_DATE:
        errors["collected_on"] = "Check the year: give a date after 1900."
    problem = text_problem(custody_id, max_length=60)
    if problem:
        errors["custody_id"] = problem
    if specimen and specimen not in Specimen.values:
        errors["specimen"] = "Choose the specimen from the list."
    if method and method not in ScreenMethod.values:
        errors["method"] = "Choose a laboratory or a point-of-care test."
    if not set(problems) <= set(SpecimenProblem.values):
        errors["problems"] = "Choose specimen problems from the list."
    if panel != OTHER_PANEL and panel not in names.panels:
        errors["panel"] = "Choose a panel from the list."
    _check_codes(errors, [*results, *expected, *confirmations])
    _check_codes(errors, panel_substances)
    if status in NO_SPECIMEN:
        what = "refused" if status == ScreenStatus.REFUSED else "missed"
        for code in results:
            errors[f"result_{code}"] = (
                f"A {what} screen has no results: clear this, or choose “Tested” above."
            )
        if problems:
            errors["problems"] = f"A {what} screen has no specimen: clear the specimen problems."
        if confirmations:
            errors["__all__"] = f"A {what} screen has no results to confirm."
        return errors
    if status != ScreenStatus.TESTED:
        return errors
    if not specimen:
        errors["specimen"] = "Choose the specimen that was tested."
    if not method:
        errors["method"] = "Say whether a laboratory or a point-of-care test gave the result."
    on_panel = set(panel_substances)
    if not on_panel and "panel" not in errors:
        errors["panel"] = "Choose the panel, or give a result for each substance tested below."
    panel_name = panel_label(panel) if panel else "panel"
    for code, result in results.items():
        if code not in names.substances:
            continue
        if result not in SubstanceResult.values:
            errors[f"result_{code}"] = "Choose negative, positive or not tested."
        elif code not in on_panel:
            errors[f"result_{code}"] = (
                f"{names.label(code)} is not on the {panel_name}. Clear this result, or choose "
                "the panel that tested it."
            )
    for code in on_panel - set(results):
        errors[f"result_{code}"] = (
            f"Give the result for {names.label(code)}: negative, positive, or not tested if the "
            "test could not read it."
        )
    for code, confirmation in confirmations.items():
        if confirmation not in Confirmation.values:
            errors[f"confirmation_{code}"] = "Choose confirmed positive or negative."
        elif code not in results or code not in on_panel:
            errors[f"confirmation_{code}"] = (
                f"{names.label(code)} was not tested on this screen, so there is nothing to confirm."
            )
        elif results[code] != SubstanceResult.POSITIVE:
            shown = str(SubstanceResult(results[code]).label).lower()
            errors[f"confirmation_{code}"] = (
                f"Only a positive is confirmed: {names.label(code)} was {shown} on this screen."
            )
    return errors


def _audited(screen: DrugScreen, results: Sequence[ScreenResult]) -> dict[str, Any]:
    return {
        "date": screen.collected_on.isoformat(),
        "status": screen.status,
        "specimen": screen.specimen,
        "observed": screen.observed,
        "lab or point of care": screen.method,
        "chain-of-custody id": screen.custody_id,
        "panel": screen.panel,
        "results": {r.substance: r.result for r in results},
        "confirmations": {r.substance: r.confirmation for r in results if r.confirmation},
        "expected": list(screen.expected),
        "specimen problems": list(screen.problems),
        "outcome": screen.outcome,
    }


def _raise_flag(client: Client, by: User, screen: DrugScreen, found: str) -> None:
    """The flag, unless it is already up: one open flag of a kind, and the screen's own timeline
    entry says what this one found."""
    if client.flags.filter(kind=SCREEN_FLAG, cleared_at__isnull=True).exists():
        return
    note = f"Drug screen of {_house_date(screen.collected_on)}: {found}"
    client_services.flag_raise(client=client, by=by, kind=SCREEN_FLAG, note=note[:300])


def screen_record(
    *,
    client: Client,
    by: User,
    collected_on: date,
    status: str,
    specimen: str = "",
    observed: bool = False,
    method: str = "",
    custody_id: str = "",
    panel: str = OTHER_PANEL,
    substances: Sequence[str] = (),
    results: Mapping[str, str] | None = None,
    expected: Collection[str] = (),
    problems: Collection[str] = (),
    confirmations: Mapping[str, str] | None = None,
) -> DrugScreen:
    """Record a screen. `panel` is a panel's code in panels.json, whose substances each need a
    result, or "" for a panel given substance by substance (`substances`, or else those in
    `results`). Results are {substance: negative | positive | not_tested}; `confirmations`
    ({substance: positive | negative}, for positives only) when the lab reports both at once.
    Errors are keyed by field; a substance's as `result_<code>` and `confirmation_<code>`."""
    results = dict(results or {})
    confirmations = dict(confirmations or {})
    custody_id = (custody_id or "").strip()
    names = catalogue()
    if panel in names.panels:
        panel_substances: Sequence[str] = names.panels[panel].substances
    else:
        panel_substances = list(substances) or list(results)
    if status in NO_SPECIMEN:
        panel_substances = []
    errors = _screen_errors(
        collected_on=collected_on,
        status=status,
        specimen=specimen,
        method=method,
        custody_id=custody_id,
        panel=panel,
        panel_substances=panel_substances,
        results=results,
        expected=expected,
        problems=problems,
        confirmations=confirmations,
    )
    if errors:
        raise ValidationError(errors)
    prescribed = [code for code in names.substances if code in set(expected)]
    kept_problems = [p for p in SpecimenProblem.values if p in set(problems)]
    with transaction.atomic():
        screen = DrugScreen(
            client=client,
            collected_on=collected_on,
            status=status,
            specimen=specimen,
            observed=bool(observed) and status == ScreenStatus.TESTED,
            method=method,
            custody_id=custody_id,
            panel=panel if status == ScreenStatus.TESTED else OTHER_PANEL,
            expected=prescribed,
            problems=kept_problems,
            recorded_by=by,
        )
        rows = [
            ScreenResult(
                substance=code,
                result=results[code],
                confirmation=confirmations.get(code, ""),
                expected=code in prescribed,
            )
            for code in names.substances
            if code in set(panel_substances)
        ]
        screen.outcome = outcome_of(
            status=status,
            finals={row.substance: row.final for row in rows},
            expected=prescribed,
            problems=kept_problems,
        )
        screen.full_clean()
        screen.save()
        for row in rows:
            row.screen = screen
        ScreenResult.objects.bulk_create(rows)
        audit_record(
            actor=by,
            action="create",
            client_id=client.pk,
            object_type="drug_screen",
            object_id=screen.pk,
            changes={name: [None, value] for name, value in _audited(screen, rows).items()},
        )
        found = findings(screen, rows)
        client_services.timeline_add(
            client=client,
            kind=RecoveryTimelineKind.SCREEN,
            summary=f"Drug screen on {_house_date(collected_on)}{_how(screen)}: {found}",
            actor=by,
        )
        if screen.outcome in RAISES_FLAG:
            _raise_flag(client, by, screen, found)
    return screen


CONFIRM_CONFLICT = (
    "Someone recorded a confirmation for this screen while you were entering yours. Yours was "
    "not saved; review what they recorded below and enter it again."
)


def screen_confirm(
    *, screen: DrugScreen, by: User, version: int, confirmations: Mapping[str, str]
) -> DrugScreen:
    """Record the lab's confirmation of positives ({substance: positive | negative | ""}, "" to
    take one back), opened at `version`. The outcome follows; a flag the screen raised stays
    until someone clears it, with a note."""
    names = catalogue()
    with transaction.atomic():
        current = DrugScreen.objects.select_for_update().select_related("client").get(pk=screen.pk)
        check_version(
            current=current.version,
            version=version,
            client_id=current.client_id,
            object_type="drug_screen",
            object_id=current.pk,
            message=CONFIRM_CONFLICT,
        )
        rows = {row.substance: row for row in current.results.all()}
        errors: dict[str, str] = {}
        _check_codes(errors, confirmations)
        for code, confirmation in confirmations.items():
            row = rows.get(code)
            if code not in names.substances:
                continue
            if confirmation and confirmation not in Confirmation.values:
                errors[f"confirmation_{code}"] = "Choose confirmed positive or negative."
            elif row is None:
                errors[f"confirmation_{code}"] = (
                    f"{names.label(code)} was not tested on this screen, so there is nothing "
                    "to confirm."
                )
            elif confirmation and row.result != SubstanceResult.POSITIVE:
                shown = str(SubstanceResult(row.result).label).lower()
                errors[f"confirmation_{code}"] = (
                    f"Only a positive is confirmed: {names.label(code)} was {shown} on this screen."
                )
        if current.status != ScreenStatus.TESTED:
            errors["__all__"] = "A refused or missed screen has no results to confirm."
        if errors:
            raise ValidationError(errors)
        before = _audited(current, list(rows.values()))
        was = current.outcome
        changed = [
            code for code, value in confirmations.items() if rows[code].confirmation != value
        ]
        for code in changed:
            rows[code].confirmation = confirmations[code]
            rows[code].full_clean(exclude=["screen"])
            rows[code].save(update_fields=["confirmation"])
        current.outcome = outcome_of(
            status=current.status,
            finals={code: row.final for code, row in rows.items()},
            expected=current.expected,
            problems=current.problems,
        )
        ordered = list(rows.values())
        save_version(
            current,
            actor=by,
            object_type="drug_screen",
            changes={
                name: values
                for name, values in (
                    (name, [before[name], value])
                    for name, value in _audited(current, ordered).items()
                )
                if values[0] != values[1]
            },
        )
        if changed:
            said = "; ".join(
                f"{names.label(code)} "
                + (
                    str(Confirmation(rows[code].confirmation).label).lower()
                    if rows[code].confirmation
                    else "not confirmed yet"
                )
                for code in changed
            )
            client_services.timeline_add(
                client=current.client,
                kind=RecoveryTimelineKind.SCREEN,
                summary=(
                    f"Lab confirmation for the drug screen of {_house_date(current.collected_on)}: "
                    f"{said}"
                ),
                actor=by,
            )
        # Taking back a negative confirmation makes the positive count again.
        if current.outcome in RAISES_FLAG and was not in RAISES_FLAG:
            _raise_flag(current.client, by, current, findings(current, ordered))
    return current


# Reads


def screens_for(client: Client, limit: int = 200) -> list[DrugScreen]:
    """The client's screens, newest first, with their results (two queries)."""
    return list(
        client.drug_screens.select_related("recorded_by").prefetch_related("results")[:limit]
    )


def screen_of(client: Client, screen_id: int) -> DrugScreen | None:
    return (
        client.drug_screens.select_related("recorded_by")
        .prefetch_related("results")
        .filter(pk=screen_id)
        .first()
    )


@dataclass(frozen=True)
class ScreenLine:
    """A screen as the table lists it: what it found and how it was taken, in words."""

    screen: DrugScreen
    found: str
    how: str


def screen_lines(screens: Sequence[DrugScreen]) -> list[ScreenLine]:
    return [
        ScreenLine(
            screen=screen,
            found=findings(screen, list(screen.results.all())),
            how=how_collected(screen),
        )
        for screen in screens
    ]


@dataclass(frozen=True)
class StripCell:
    """One screen in the strip: its date, outcome (for the colour) and the words for it."""

    pk: int
    collected_on: date
    outcome: str
    label: str
    short: str
    detail: str


STRIP_WORDS = {
    ScreenOutcome.NEGATIVE: "Negative",
    ScreenOutcome.EXPECTED: "As prescribed",
    ScreenOutcome.POSITIVE: "Positive",
    ScreenOutcome.INVALID: "Invalid",
    ScreenOutcome.NO_RESULT: "No result",
    ScreenOutcome.REFUSED: "Refused",
    ScreenOutcome.MISSED: "Missed",
}
STRIP_SCREENS = 30  # the newest; the table below the strip lists them all


def screen_strip(screens: Sequence[DrugScreen]) -> list[StripCell]:
    """The newest screens, oldest first, as the strip shows them (what each found, in words, is
    in the cell's title for a pointer and in the table for everyone)."""
    shown = sorted(screens[:STRIP_SCREENS], key=lambda s: (s.collected_on, s.pk))
    return [
        StripCell(
            pk=screen.pk,
            collected_on=screen.collected_on,
            outcome=screen.outcome,
            label=str(ScreenOutcome(screen.outcome).label),
            short=STRIP_WORDS[ScreenOutcome(screen.outcome)],
            detail=findings(screen, list(screen.results.all())),
        )
        for screen in shown
    ]
