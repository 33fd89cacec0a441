"""Forms for drug screens, lab confirmations, meetings and medications. They read what is typed
(types, choices, the house bounds); the rules live in the services (screens, medications,
recovery), whose errors the views put beside each field."""

from typing import Any

from django import forms

from casebridge.inputs import LONG_TEXT, BoundedForm, DateField
from casebridge.monitoring.models.recovery import (
    CoachSharing,
    Confirmation,
    DrugScreen,
    Fellowship,
    Medication,
    ScreenMethod,
    ScreenStatus,
    Specimen,
    SpecimenProblem,
    SubstanceResult,
    UseDisorderMedication,
    Verification,
)
from casebridge.monitoring.services.screens import OTHER_PANEL, catalogue

YES_NO = [("yes", "Yes"), ("no", "No")]


def _substance_choices() -> list[tuple[str, str]]:
    return list(catalogue().substances.items())


class ScreenForm(BoundedForm, forms.Form):
    """A screen: what happened, then one result per substance (empty when not on the panel)."""

    collected_on = DateField(label="Date of the screen")
    status = forms.ChoiceField(
        label="What happened",
        choices=ScreenStatus.choices,
        widget=forms.RadioSelect,
        initial=ScreenStatus.TESTED,
        help_text="A refused or missed screen has no results.",
    )
    specimen = forms.ChoiceField(
        label="Specimen", choices=[("", "Choose"), *Specimen.choices], required=False
    )
    observed = forms.ChoiceField(
        label="Was the collection observed?",
        choices=YES_NO,
        widget=forms.RadioSelect,
        required=False,
    )
    method = forms.ChoiceField(
        label="Lab or point of care",
        choices=ScreenMethod.choices,
        widget=forms.RadioSelect,
        required=False,
    )
    custody_id = forms.CharField(
        label="Chain-of-custody id",
        required=False,
        max_length=60,
        help_text="The number on the custody form or the specimen label, if there is one.",
    )
    panel = forms.ChoiceField(
        label="Panel",
        required=False,
        help_text="Each substance on the panel needs a result below; leave the others as "
        "“Not on the panel”.",
    )
    problems = forms.MultipleChoiceField(
        label="Specimen problems",
        choices=SpecimenProblem.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    expected = forms.MultipleChoiceField(
        label="Expected because prescribed",
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="Ticked from the client's medications taken today. A positive for these is "
        "expected and does not count as use.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        names = catalogue()
        self.fields["panel"].choices = [  # type: ignore[attr-defined]
            ("", "Choose"),
            *((panel.code, panel.label) for panel in names.panels.values()),
            ("other", "Another panel: the substances given a result below"),
        ]
        self.fields["expected"].choices = _substance_choices()  # type: ignore[attr-defined]
        for code, label in names.substances.items():
            self.fields[f"result_{code}"] = forms.ChoiceField(
                label=label,
                required=False,
                choices=[("", "Not on the panel"), *SubstanceResult.choices],
            )

    def result_fields(self) -> list[forms.BoundField]:
        return [self[f"result_{code}"] for code in catalogue().substances]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("status") == ScreenStatus.TESTED and not data.get("panel"):
            self.add_error("panel", "Choose the panel, or “Another panel” to give results below.")
        return data

    def service_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        results = {
            code: data[f"result_{code}"]
            for code in catalogue().substances
            if data.get(f"result_{code}")
        }
        panel = data.get("panel") or ""
        return {
            "collected_on": data["collected_on"],
            "status": data["status"],
            "specimen": data["specimen"],
            "observed": data.get("observed") == "yes",
            "method": data["method"],
            "custody_id": data["custody_id"],
            "panel": OTHER_PANEL if panel == "other" else panel,
            "results": results,
            "expected": data["expected"],
            "problems": data["problems"],
        }


class ConfirmationForm(BoundedForm, forms.Form):
    """The lab's confirmation of each positive of one screen."""

    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, screen: DrugScreen, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        names = catalogue()
        self.positives = [
            row for row in screen.results.all() if row.result == SubstanceResult.POSITIVE
        ]
        for row in self.positives:
            self.fields[f"confirmation_{row.substance}"] = forms.ChoiceField(
                label=names.label(row.substance),
                required=False,
                choices=[("", "Not confirmed yet"), *Confirmation.choices],
                initial=row.confirmation,
            )

    def confirmations(self) -> dict[str, str]:
        return {
            row.substance: self.cleaned_data[f"confirmation_{row.substance}"]
            for row in self.positives
        }


class MeetingForm(BoundedForm, forms.Form):
    attended_on = DateField(label="Date of the meeting")
    fellowship = forms.ChoiceField(
        label="Kind of meeting", choices=Fellowship.choices, widget=forms.RadioSelect
    )
    other_fellowship = forms.CharField(
        label="If other: which group",
        required=False,
        max_length=100,
        help_text="For example: Recovery Dharma, Cocaine Anonymous, a church group.",
    )
    meeting_name = forms.CharField(
        label="Meeting",
        required=False,
        max_length=200,
        help_text="Its name or where it meets, e.g. 'Tuesday step study, St. Mark's hall'.",
    )
    verification = forms.ChoiceField(
        label="How it is known", choices=Verification.choices, widget=forms.RadioSelect
    )


class MedicationForm(BoundedForm, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    drug = forms.CharField(
        label="Medication",
        max_length=200,
        help_text="As on the label, e.g. 'Suboxone (buprenorphine/naloxone) film'.",
    )
    use_disorder = forms.ChoiceField(
        label="Medication for opioid or alcohol use disorder",
        choices=[("", "No: another medication"), *UseDisorderMedication.choices],
        required=False,
        help_text="Buprenorphine, methadone and naltrexone are MOUD: a gap between their "
        "prescriptions shows as due.",
    )
    dose = forms.CharField(label="Dose", max_length=100, help_text="E.g. '8 mg once a day'.")
    prescriber = forms.CharField(label="Prescriber", required=False, max_length=200)
    pharmacy = forms.CharField(
        label="Pharmacy or clinic",
        required=False,
        max_length=200,
        help_text="Where it is dispensed (for methadone, usually the clinic).",
    )
    started_on = DateField(label="Start date")
    ends_on = DateField(
        label="Prescription runs out",
        required=False,
        help_text="The last day the prescription covers. A renewal is recorded as the next "
        "prescription.",
    )
    screens_as = forms.MultipleChoiceField(
        label="Shows on drug screens as",
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="A screen expects these while the client takes it (buprenorphine and "
        "methadone are added for you).",
    )
    adherence_notes = forms.CharField(
        label="Adherence",
        required=False,
        max_length=LONG_TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Doses missed, pill counts, dispensing visits kept or missed.",
    )

    def __init__(self, *args: Any, stopping: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["screens_as"].choices = _substance_choices()  # type: ignore[attr-defined]
        if stopping:
            self.fields["stopped_on"] = DateField(
                label="Stopped on",
                required=False,
                help_text="The first day without it. Leave empty while it is taken.",
            )
            self.fields["stop_reason"] = forms.CharField(
                label="Why it stopped", required=False, max_length=300
            )

    @classmethod
    def initial_from(cls, medication: Medication) -> dict[str, Any]:
        return {
            "version": medication.version,
            "drug": medication.drug,
            "use_disorder": medication.use_disorder,
            "dose": medication.dose,
            "prescriber": medication.prescriber,
            "pharmacy": medication.pharmacy,
            "started_on": medication.started_on,
            "ends_on": medication.ends_on,
            "screens_as": list(medication.screens_as),
            "adherence_notes": medication.adherence_notes,
            "stopped_on": medication.stopped_on,
            "stop_reason": medication.stop_reason,
        }

    def service_fields(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("version", None)
        return data


class CoachSharingForm(BoundedForm, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    screens = forms.BooleanField(
        label="Drug screen results and the days in recovery",
        required=False,
        help_text="Which substances each screen found, and the count of days since last use.",
    )
    medications = forms.BooleanField(
        label="Medications",
        required=False,
        help_text="Prescriptions, including medication for opioid or alcohol use disorder.",
    )
    agreed_on = DateField(
        label="The client agreed on",
        required=False,
        help_text="When the client said they want their coach to see this.",
    )

    def __init__(self, *args: Any, instance: CoachSharing | None = None, **kwargs: Any) -> None:
        if instance is not None:
            kwargs.setdefault(
                "initial",
                {
                    "version": instance.version,
                    "screens": instance.screens,
                    "medications": instance.medications,
                    "agreed_on": instance.agreed_on,
                },
            )
        super().__init__(*args, **kwargs)

    def service_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "screens": data["screens"],
            "medications": data["medications"],
            "agreed_on": data["agreed_on"],
            "version": data["version"],
        }
