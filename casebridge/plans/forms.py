"""Forms for each part of a care plan, for signing, reviewing, and closing tasks.

The forms read what is typed (types, choices, the house bounds); the rules for a plan's content
live in casebridge.plans.services.elements, shared with the API, and reach the page as the
save service's errors, which the views put beside each field."""

from typing import Any

from django import forms

from casebridge.accounts.models import User
from casebridge.assessments.biopsychosocial import NEED_DOMAINS
from casebridge.formtools import ModelChoiceField
from casebridge.inputs import MAX_SIGNATURE_CHARS, BoundedForm, DateField
from casebridge.plans.documents import MULTILINE_FIELDS, TEXT_LIMITS
from casebridge.plans.models import (
    CarePlan,
    Frequency,
    GoalTerm,
    Progress,
    Responsible,
    ReviewOutcome,
    ReviewReason,
)
from casebridge.plans.services import owner_candidates

TEXT = forms.Textarea(attrs={"rows": 3})


def _text(name: str, label: str, **options: Any) -> forms.CharField:
    """A text field of a plan element, as long as the plan takes (see TEXT_LIMITS)."""
    widget = TEXT if name in MULTILINE_FIELDS else forms.TextInput
    return forms.CharField(
        label=label, max_length=TEXT_LIMITS[name], widget=widget, required=False, **options
    )


class DraftForm(BoundedForm, forms.Form):
    """Every edit of a draft carries the version it was made on (optimistic locking)."""

    version = forms.IntegerField(widget=forms.HiddenInput)


class ProblemForm(DraftForm):
    need_domain = forms.ChoiceField(
        label="Life area", choices=[("", "Other"), *NEED_DOMAINS], required=False
    )
    statement = _text(
        "statement",
        "The need, in a sentence",
        help_text="What gets in the way, as the client would put it.",
    )


class GoalForm(DraftForm):
    problem_id = forms.TypedChoiceField(label="Which need it answers", coerce=int)
    own_words = _text(
        "own_words",
        "The goal in the client's words",
        help_text="Write it the way the client says it.",
    )
    measurable = _text(
        "measurable",
        "How we will know it is reached",
        help_text="Something you can count or see, e.g. 'a signed lease in my name'.",
    )
    term = forms.ChoiceField(label="Short or long term", choices=GoalTerm.choices)
    target_date = DateField(label="Target date", required=False)
    strength = _text(
        "strength",
        "Strength it builds on",
        help_text="What the client is good at or has going for them that will help.",
    )

    def __init__(self, *args: Any, plan: CarePlan, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["problem_id"].choices = [  # type: ignore[attr-defined]
            (p.pk, p.statement[:80]) for p in plan.problems.all()
        ]


class ObjectiveForm(DraftForm):
    text = _text("text", "The step", help_text="A step that shows progress.")
    target_date = DateField(label="By when", required=False)


class InterventionForm(DraftForm):
    action = _text("action", "What will be done")
    responsible = forms.ChoiceField(label="Who does it", choices=Responsible.choices)
    provider_name = _text(
        "provider_name",
        "Provider or referral",
        help_text="The named provider, program or referral, when someone outside does it.",
    )
    frequency = forms.ChoiceField(label="How often", choices=Frequency.choices)
    owner = ModelChoiceField(
        label="Staff member who keeps track",
        queryset=User.objects.none(),
        required=False,
        empty_label="Nobody",
        help_text=(
            "They get a task on their list each time it is due. For a step the client or the "
            "family take, nobody named means the case manager gets a task to check in on it."
        ),
    )
    first_due_on = DateField(
        label="First due", required=False, help_text="Leave empty to start next time."
    )

    def __init__(self, *args: Any, plan: CarePlan, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owner_candidates(plan).order_by(  # type: ignore[attr-defined]
            "first_name", "last_name"
        )


class ClientSignatureForm(DraftForm):
    method = forms.ChoiceField(
        label="How the client agreed",
        choices=[("on_screen", "Signed on screen"), ("verbal", "Agreed verbally, with a witness")],
        widget=forms.RadioSelect,
    )
    name = forms.CharField(label="Client's name as signed", required=False)
    image = forms.CharField(
        widget=forms.HiddenInput(attrs={"data-signature-input": "true"}),
        required=False,
        max_length=MAX_SIGNATURE_CHARS,
        error_messages={"max_length": "The signature is too large; clear it and sign again."},
    )
    witness_name = forms.CharField(
        label="Witness", required=False, help_text="Needed when the client agrees verbally."
    )


class ReasonForm(BoundedForm, forms.Form):
    reason = forms.CharField(label="Why", widget=TEXT, required=False)


class ReviewForm(BoundedForm, forms.Form):
    reason = forms.ChoiceField(label="Why this review", choices=ReviewReason.choices)
    summary = forms.CharField(
        label="How the plan is going", widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    outcome = forms.ChoiceField(
        label="What happens next", choices=ReviewOutcome.choices, widget=forms.RadioSelect
    )

    def __init__(self, *args: Any, goals: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.goals = goals
        for goal in goals:
            self.fields[f"goal_{goal.pk}_rating"] = forms.ChoiceField(
                label="Progress",
                choices=[("", "Choose"), *Progress.choices],
                required=False,
            )
            self.fields[f"goal_{goal.pk}_note"] = forms.CharField(
                label="Note", required=False, widget=forms.Textarea(attrs={"rows": 2})
            )

    def goal_rows(self) -> list[tuple[Any, Any, Any]]:
        return [
            (goal, self[f"goal_{goal.pk}_rating"], self[f"goal_{goal.pk}_note"])
            for goal in self.goals
        ]

    def ratings(self) -> dict[int, tuple[str, str]]:
        return {
            goal.pk: (
                self.cleaned_data.get(f"goal_{goal.pk}_rating", ""),
                self.cleaned_data.get(f"goal_{goal.pk}_note", ""),
            )
            for goal in self.goals
        }


class TaskCloseForm(BoundedForm, forms.Form):
    done = forms.TypedChoiceField(
        label="What happened",
        choices=[("1", "Done"), ("0", "Missed")],
        coerce=lambda value: value == "1",
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label="Note", required=False, help_text="Needed when it was missed: what happened?"
    )
