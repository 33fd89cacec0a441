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
        for item in instrument.items:
            asked_when = ""
            if item.ask_if:
                other = instrument.item(item.ask_if[0])
                answer = next((o.label for o in other.options if o.value == item.ask_if[1]), "")
                asked_when = f"Ask only if the answer to question {other.id} is {answer.lower()}."
            self.fields[f"item_{item.id}"] = forms.TypedChoiceField(
                label=f"{item.id}. {item.text}",
                help_text=asked_when,
                choices=[(option.value, option.label) for option in item.options],
                coerce=int,
                widget=forms.RadioSelect(
                    attrs={"data-ask-if": f"item_{item.ask_if[0]}:{item.ask_if[1]}"}
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
