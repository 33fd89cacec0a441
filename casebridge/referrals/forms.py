"""The referral forms: a new referral, a status move, and a note of a call or letter about it.
The rules are the services'; a form only turns what was typed into their arguments."""

from typing import Any

from django import forms

from casebridge.consents.models import DisclosureMethod, InformationCategory
from casebridge.directory.models import Service
from casebridge.formtools import ModelChoiceField
from casebridge.inputs import BoundedForm, DateField
from casebridge.plans.models import Goal, Intervention
from casebridge.referrals.models import Channel, Outcome, Urgency
from casebridge.referrals.statuses import Reason, ReferralStatus


class ActionChoiceField(ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        text = obj.action if len(obj.action) <= 80 else obj.action[:79] + "…"
        return f"{text} ({obj.provider_name})" if obj.provider_name else text


class ReferralForm(BoundedForm, forms.Form):
    # Chosen in the directory search above the form; carried as its id.
    service = ModelChoiceField(
        queryset=Service.objects.none(), required=False, widget=forms.HiddenInput
    )
    plan_action = ActionChoiceField(
        label="The plan action it carries out",
        queryset=Intervention.objects.none(),
        required=False,
        empty_label="None: not in the care plan",
        help_text="What the care plan says a provider will do; the plan then shows this referral "
        "and what came of it.",
    )
    provider_name = forms.CharField(
        label="Provider",
        max_length=200,
        required=False,
        help_text="The agency or person, e.g. Hope House. Filled in from the directory when you "
        "choose a service there.",
    )
    service_name = forms.CharField(
        label="Service", max_length=200, required=False, help_text="e.g. Recovery housing."
    )
    provider_contact = forms.CharField(
        label="How to reach them",
        max_length=300,
        required=False,
        help_text="A phone number, an email or the intake desk.",
    )
    goal = ModelChoiceField(
        label="The goal it serves",
        queryset=Goal.objects.none(),
        required=False,
        empty_label="None of the plan's goals",
    )
    urgency = forms.ChoiceField(
        label="How soon", choices=Urgency.choices, widget=forms.RadioSelect, initial="routine"
    )
    reason = forms.CharField(
        label="Why the client is referred",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="The provider reads this with the referral: write only what the client has "
        "agreed to share with them.",
    )
    information = forms.MultipleChoiceField(
        label="Information that goes with it",
        choices=InformationCategory.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Only what a consent of the client's covers can be sent; leave all unticked "
        "to send nothing but the referral itself.",
    )

    def __init__(
        self,
        *args: Any,
        goals: Any = None,
        actions: Any = None,
        services: Any = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        for name, queryset in (("goal", goals), ("plan_action", actions), ("service", services)):
            if queryset is not None:
                field = self.fields[name]
                assert isinstance(field, forms.ModelChoiceField)
                field.queryset = queryset
        if actions is not None and not actions:
            del self.fields["plan_action"]


class SendForm(BoundedForm, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    method = forms.ChoiceField(label="Sent by", choices=DisclosureMethod.choices)


MOVE_CHOICES = [
    (status.value, status.label)
    for status in ReferralStatus
    if status not in {ReferralStatus.DRAFT, ReferralStatus.REQUESTED}
]


class MoveForm(BoundedForm, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    to_status = forms.ChoiceField(label="What happened", choices=MOVE_CHOICES)
    for_provider = forms.BooleanField(
        label="This is the provider's answer (by phone, fax or letter)", required=False
    )
    reason = forms.ChoiceField(
        label="Why (declined, cancelled or did not happen)",
        choices=[("", "—"), *Reason.choices],
        required=False,
    )
    detail = forms.CharField(label="Details", max_length=300, required=False)
    outcome = forms.ChoiceField(
        label="What came of it (when completed)",
        choices=[("", "—"), *Outcome.choices],
        required=False,
    )
    outcome_note = forms.CharField(label="Outcome details", max_length=300, required=False)
    next_follow_up_on = DateField(label="Next follow-up", required=False)


class CommunicationForm(BoundedForm, forms.Form):
    channel = forms.ChoiceField(label="How", choices=Channel.choices)
    with_whom = forms.CharField(label="With whom", max_length=200)
    summary = forms.CharField(label="What was said", max_length=500)
    happened_on = DateField(label="Date")
    next_follow_up_on = DateField(label="Next follow-up", required=False)
