"""The application forms: a new application, a status move, the deadlines, an authorization's
details, an appeal, and documents sent. The rules are the services'; a form only turns what was
typed into their arguments. Each form on the one detail page has its own id format, so no two
fields share an id while the names stay what the services take."""

from collections.abc import Collection
from typing import Any

from django import forms

from casebridge.advocacy.models import ApplicationKind, UnitKind
from casebridge.advocacy.statuses import ApplicationStatus, Reason
from casebridge.assessments.biopsychosocial import ASAM_LEVELS
from casebridge.consents.models import DisclosureMethod, InformationCategory
from casebridge.inputs import BoundedForm, DateField

LEVEL_CHOICES = [("", "—"), *[(code, f"{code} {name}") for code, name in ASAM_LEVELS]]
DEADLINE_HELP = "What the client or you must do by then, e.g. send three recent pay stubs."


class ApplicationForm(BoundedForm, forms.Form):
    kind = forms.ChoiceField(
        label="What the client applies for",
        choices=ApplicationKind.choices,
        error_messages={"required": "Choose what the client applies for."},
    )
    kind_detail = forms.CharField(
        label="What it is",
        max_length=200,
        required=False,
        help_text="Needed for something else; e.g. Section 8 voucher, utility assistance.",
    )
    agency_name = forms.CharField(
        label="Agency or payer",
        max_length=200,
        error_messages={"required": "Name the agency or the payer."},
        help_text="e.g. County Department of Social Services, or the health plan.",
    )
    agency_contact = forms.CharField(
        label="How to reach them",
        max_length=300,
        required=False,
        help_text="A worker's name, a phone number or an email.",
    )
    reference_number = forms.CharField(
        label="Case or reference number", max_length=100, required=False
    )
    next_deadline_on = DateField(label="Next deadline", required=False)
    next_deadline_for = forms.CharField(
        label="What the deadline is for", max_length=200, required=False, help_text=DEADLINE_HELP
    )
    decision_expected_on = DateField(label="Decision expected by", required=False)
    level_of_care = forms.ChoiceField(
        label="Level of care (insurance authorization only)",
        choices=LEVEL_CHOICES,
        required=False,
    )
    authorization_number = forms.CharField(
        label="Authorization number (insurance authorization only)",
        max_length=100,
        required=False,
    )


MOVE_CHOICES = [
    ("", "Choose"),
    *(
        (status.value, status.label)
        for status in ApplicationStatus
        if status not in {ApplicationStatus.PREPARING, ApplicationStatus.APPEALED}
    ),
]


class MoveForm(BoundedForm, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    to_status = forms.ChoiceField(
        label="What happened",
        choices=MOVE_CHOICES,
        error_messages={"required": "Choose what happened to the application."},
    )
    happened_on = DateField(
        label="The day it happened",
        required=False,
        help_text="The day it was submitted or the date on the letter. Empty means today.",
    )
    reason = forms.ChoiceField(
        label="Why (denied or withdrawn)", choices=[("", "—"), *Reason.choices], required=False
    )
    detail = forms.CharField(
        label="Details",
        max_length=300,
        required=False,
        help_text="For more information requested: what the agency asked for.",
    )
    next_deadline_on = DateField(label="Next deadline", required=False)
    next_deadline_for = forms.CharField(
        label="What the deadline is for", max_length=200, required=False, help_text=DEADLINE_HELP
    )
    decision_expected_on = DateField(label="Decision expected by", required=False)
    appeal_by = DateField(
        label="Last day to appeal (denied)",
        required=False,
        help_text="From the decision letter.",
    )

    def __init__(self, *args: Any, moves: Collection[str] | None = None, **kwargs: Any) -> None:
        """`moves` narrows the list to what may follow the current status (the page shows only
        those; a post of any other is answered by the service in plain words)."""
        super().__init__(*args, **kwargs)
        if moves is not None:
            field = self.fields["to_status"]
            assert isinstance(field, forms.ChoiceField)
            field.choices = [
                (value, label) for value, label in MOVE_CHOICES if value in moves or not value
            ]


class DatesForm(BoundedForm, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    next_deadline_on = DateField(label="Next deadline", required=False)
    next_deadline_for = forms.CharField(
        label="What the deadline is for", max_length=200, required=False, help_text=DEADLINE_HELP
    )
    decision_expected_on = DateField(label="Decision expected by", required=False)
    appeal_by = DateField(
        label="Last day to appeal",
        required=False,
        help_text="Only for a denial or an appeal being prepared. Empty it when the client "
        "decides not to appeal.",
    )


class AuthorizationForm(BoundedForm, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    level_of_care = forms.ChoiceField(label="Level of care", choices=LEVEL_CHOICES)
    authorization_number = forms.CharField(
        label="Authorization number", max_length=100, required=False
    )
    approved_from = DateField(label="Approved from", required=False)
    approved_to = DateField(label="Approved to", required=False)
    units_approved = forms.IntegerField(
        label="Units approved", required=False, min_value=1, max_value=1000
    )
    unit_kind = forms.ChoiceField(
        label="Units are", choices=[("", "—"), *UnitKind.choices], required=False
    )
    next_review_on = DateField(label="Next review", required=False)


class AppealForm(BoundedForm, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    agency_name = forms.CharField(
        label="Appeal to",
        max_length=200,
        required=False,
        help_text="Empty means the same agency; e.g. State Fair Hearings Office.",
    )
    agency_contact = forms.CharField(label="How to reach them", max_length=300, required=False)
    reference_number = forms.CharField(label="Appeal number", max_length=100, required=False)
    appeal_by = DateField(
        label="Last day to appeal", required=False, help_text="Empty keeps the day already given."
    )


class SendForm(BoundedForm, forms.Form):
    description = forms.CharField(
        label="What is sent",
        max_length=300,
        error_messages={"required": "Say what is sent."},
        help_text="e.g. Letter confirming treatment dates; clinical update for the review.",
    )
    categories = forms.MultipleChoiceField(
        label="Information in it",
        choices=InformationCategory.choices,
        error_messages={"required": "Choose the information that goes with the documents."},
        widget=forms.CheckboxSelectMultiple,
        help_text="Only what a consent of the client's covers for this agency can be sent.",
    )
    method = forms.ChoiceField(label="Sent by", choices=DisclosureMethod.choices)
