"""The form for one instrument, built from its definition: a set of radio buttons per question."""

from datetime import date
from typing import Any

from django import forms
from django.utils import timezone

from casebridge.assessments.biopsychosocial import (
    ASAM_DIMENSIONS,
    ASAM_LEVELS,
    NEED_DOMAINS,
    NEED_SEVERITY,
    PART_TITLES,
    SECTIONS,
    SUBSTANCE_ROUTES,
)
from casebridge.assessments.definitions import Instrument
from casebridge.assessments.scoring import asked_when
from casebridge.clients.models import Substance
from casebridge.inputs import BoundedForm, DateField


class InstrumentForm(BoundedForm, forms.Form):
    def __init__(self, *args: Any, instrument: Instrument, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instrument = instrument
        for question in instrument.context:
            self.fields[f"context_{question.id}"] = forms.ChoiceField(
                label=question.label,
                help_text=question.help,
                choices=list(question.options),
                widget=forms.RadioSelect,
                required=False,
            )
        for item in instrument.items:
            hint = asked_when(instrument, item)
            self.fields[f"item_{item.id}"] = forms.TypedChoiceField(
                label=f"{item.id}. {item.text}",
                help_text=hint,
                choices=[(option.value, option.label) for option in item.options],
                coerce=int,
                # The page's script hides a question the skip logic does not ask: asked when any
                # "field:lowest answer" pair holds. Without script the scoring refuses an answer
                # to it all the same.
                widget=forms.RadioSelect(
                    attrs={
                        "data-ask-if": " ".join(
                            f"item_{other}:{at_least}" for other, at_least in item.ask_if
                        )
                    }
                    if item.ask_if
                    else {}
                ),
                required=False,
            )

    def answers(self) -> dict[str, Any]:
        return {
            item.id: self.cleaned_data.get(f"item_{item.id}")
            for item in self.instrument.items
            if self.cleaned_data.get(f"item_{item.id}") not in (None, "")
        }

    def context(self) -> dict[str, str]:
        return {
            q.id: self.cleaned_data.get(f"context_{q.id}") or "" for q in self.instrument.context
        }

    def show_problems(self, problems: dict[str, str]) -> None:
        for key, message in problems.items():
            field = key if key.startswith("context_") else f"item_{key}"
            self.add_error(field if field in self.fields else None, message)


class AssessmentForm(BoundedForm, forms.Form):
    """Every section, need and ASAM dimension of the biopsychosocial assessment, from the data."""

    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, assessment: Any, **kwargs: Any) -> None:
        initial = kwargs.pop("initial", {}) or {}
        initial["version"] = assessment.version
        for section in SECTIONS:
            for question in section.questions:
                initial[f"s_{section.key}_{question.key}"] = assessment.sections.get(
                    section.key, {}
                ).get(question.key, "")
        for domain, _ in NEED_DOMAINS:
            need = assessment.needs.get(domain, {})
            initial[f"need_{domain}_severity"] = need.get("severity")
            initial[f"need_{domain}_reason"] = need.get("reason", "")
        for dimension, _ in ASAM_DIMENSIONS:
            rated = assessment.asam.get(str(dimension), {})
            initial[f"asam_{dimension}_rating"] = rated.get("rating")
            initial[f"asam_{dimension}_rationale"] = rated.get("rationale", "")
        initial["chosen_level"] = assessment.chosen_level
        initial["level_override_reason"] = assessment.level_override_reason
        super().__init__(*args, initial=initial, **kwargs)
        for section in SECTIONS:
            for question in section.questions:
                name = f"s_{section.key}_{question.key}"
                if question.kind == "yesno":
                    self.fields[name] = forms.ChoiceField(
                        label=question.label,
                        required=False,
                        help_text=question.help,
                        choices=[("", "Not asked"), ("yes", "Yes"), ("no", "No")],
                    )
                else:
                    widget = (
                        forms.Textarea(attrs={"rows": 2})
                        if question.kind == "long"
                        else forms.TextInput
                    )
                    self.fields[name] = forms.CharField(
                        label=question.label,
                        required=False,
                        help_text=question.help,
                        widget=widget,
                        max_length=4000,
                    )
        for domain, label in NEED_DOMAINS:
            self.fields[f"need_{domain}_severity"] = forms.TypedChoiceField(
                label=label,
                required=False,
                coerce=int,
                empty_value=None,
                choices=[("", "Not rated"), *[(value, text) for value, text in NEED_SEVERITY]],
            )
            self.fields[f"need_{domain}_reason"] = forms.CharField(
                label=f"Why ({label.lower()})", required=False, max_length=300
            )
        for dimension, name in ASAM_DIMENSIONS:
            self.fields[f"asam_{dimension}_rating"] = forms.TypedChoiceField(
                label=f"Dimension {dimension}: {name}",
                required=False,
                coerce=int,
                empty_value=None,
                choices=[("", "Not rated"), *[(r, str(r)) for r in range(5)]],
            )
            self.fields[f"asam_{dimension}_rationale"] = forms.CharField(
                label=f"Reason for the rating (dimension {dimension})",
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
                max_length=2000,
            )
        self.fields["chosen_level"] = forms.ChoiceField(
            label="Level of care you confirm",
            required=False,
            choices=[
                ("", "Not chosen yet"),
                *[(code, f"{code} {name}") for code, name in ASAM_LEVELS],
            ],
        )
        self.fields["level_override_reason"] = forms.CharField(
            label="If it differs from the suggestion: why",
            required=False,
            widget=forms.Textarea(attrs={"rows": 2}),
            max_length=2000,
        )

        # A part carried over from the last signed assessment (or registration) and not yet
        # confirmed gets a box to confirm it as it is; changing the part confirms it too.
        self.unconfirmed = [
            part for part in assessment.carried_over.get("unconfirmed", []) if part in PART_TITLES
        ]
        self.carried_note = carried_note(assessment.carried_over)
        for part in self.unconfirmed:
            self.fields[f"confirm_{part}"] = forms.BooleanField(
                label=f"Checked with the client: keep {PART_TITLES[part].lower()} as carried over",
                required=False,
            )

    def confirm(self, part: str) -> Any:
        """The box that confirms a carried-over part, or None when the part is not marked."""
        return self[f"confirm_{part}"] if part in self.unconfirmed else None

    @property
    def confirm_substances(self) -> Any:
        return self.confirm("substances")

    @property
    def confirm_needs(self) -> Any:
        return self.confirm("needs")

    @property
    def confirm_asam(self) -> Any:
        return self.confirm("asam")

    @property
    def unconfirmed_titles(self) -> list[str]:
        return [PART_TITLES[part] for part in self.unconfirmed]

    def confirmed(self) -> list[str]:
        """The carried-over parts the person ticked as checked with the client."""
        return [part for part in self.unconfirmed if self.cleaned_data.get(f"confirm_{part}")]

    def section_fields(self) -> list[tuple[Any, list[Any], Any]]:
        return [
            (
                section,
                [self[f"s_{section.key}_{q.key}"] for q in section.questions],
                self.confirm(section.key),
            )
            for section in SECTIONS
        ]

    def need_fields(self) -> list[tuple[str, Any, Any]]:
        return [
            (label, self[f"need_{d}_severity"], self[f"need_{d}_reason"])
            for d, label in NEED_DOMAINS
        ]

    def asam_fields(self) -> list[tuple[int, Any, Any]]:
        return [
            (d, self[f"asam_{d}_rating"], self[f"asam_{d}_rationale"]) for d, _ in ASAM_DIMENSIONS
        ]

    def collected(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "sections": {
                section.key: {
                    q.key: data.get(f"s_{section.key}_{q.key}", "") for q in section.questions
                }
                for section in SECTIONS
            },
            "needs": {
                domain: {
                    "severity": data.get(f"need_{domain}_severity"),
                    "reason": data.get(f"need_{domain}_reason", ""),
                }
                for domain, _ in NEED_DOMAINS
            },
            "asam": {
                str(d): {
                    "rating": data.get(f"asam_{d}_rating"),
                    "rationale": data.get(f"asam_{d}_rationale", ""),
                }
                for d, _ in ASAM_DIMENSIONS
            },
            "chosen_level": data.get("chosen_level", ""),
            "level_override_reason": data.get("level_override_reason", ""),
        }


def carried_note(carried_over: dict[str, Any]) -> str:
    """Where a carried-over part came from, in the words shown beside it."""
    if carried_over.get("from") == "registration":
        return "Carried over from registration — confirm or change."
    try:
        signed = date.fromisoformat(carried_over.get("signed_on") or "")
    except ValueError:
        return "Carried over from the last signed assessment — confirm or change."
    return (
        f"Carried over from the assessment signed {signed:%b} {signed.day}, {signed.year} "
        "— confirm or change."
    )


class SubstanceForm(BoundedForm, forms.Form):
    substance = forms.ChoiceField(
        label="Substance", choices=[("", "Choose"), *Substance.choices], required=False
    )
    age_first_use = forms.IntegerField(
        label="Age at first use", min_value=5, max_value=90, required=False
    )
    pattern = forms.CharField(label="How often and how much now", max_length=200, required=False)
    route = forms.ChoiceField(label="How it is used", choices=SUBSTANCE_ROUTES, required=False)
    last_use = DateField(label="Last use", required=False)
    overdoses = forms.IntegerField(
        label="Overdoses (ever)", min_value=0, max_value=100, required=False
    )
    withdrawal = forms.CharField(label="Withdrawal history", max_length=500, required=False)
    prior_treatment = forms.CharField(
        label="Past treatment for this substance", max_length=500, required=False
    )

    def clean_last_use(self) -> Any:
        last_use = self.cleaned_data.get("last_use")
        if last_use and last_use > timezone.localdate():
            raise forms.ValidationError("The last use cannot be in the future.")
        return last_use

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        filled = any(v not in (None, "") for k, v in cleaned.items() if k != "substance")
        if filled and not cleaned.get("substance"):
            self.add_error("substance", "Choose which substance this row is about.")
        return cleaned


SubstanceFormSet = forms.formset_factory(SubstanceForm, extra=1, max_num=10, validate_max=True)


def substances_from(formset: Any) -> list[dict[str, Any]]:
    rows = []
    for form in formset.forms:
        data = getattr(form, "cleaned_data", {}) or {}
        if data.get("substance"):
            row = dict(data)
            row["last_use"] = row["last_use"].isoformat() if row.get("last_use") else ""
            rows.append(row)
    return rows


class AddendumForm(BoundedForm, forms.Form):
    text = forms.CharField(label="Correction or addition", widget=forms.Textarea(attrs={"rows": 3}))
