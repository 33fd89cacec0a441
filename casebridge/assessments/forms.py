"""The form for one instrument, built from its definition: a set of radio buttons per question."""

from typing import Any

from django import forms

from casebridge.assessments.definitions import Instrument


class InstrumentForm(forms.Form):
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
        for number, item in enumerate(instrument.items, start=1):
            self.fields[f"item_{item.id}"] = forms.TypedChoiceField(
                label=f"{number}. {item.text}",
                choices=[(option.value, option.label) for option in item.options],
                coerce=int,
                widget=forms.RadioSelect,
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
