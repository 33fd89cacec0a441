"""Program administrators set how often each program repeats each instrument."""

from typing import Any

from django import forms
from django.contrib import admin

from casebridge.accounts.scoping import ProgramScopedAdmin
from casebridge.assessments.definitions import all_instruments
from casebridge.assessments.models import InstrumentSchedule


class InstrumentScheduleForm(forms.ModelForm):
    instrument = forms.ChoiceField(choices=[])

    class Meta:
        model = InstrumentSchedule
        fields = ["program", "instrument", "every_days"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["instrument"].choices = [
            (code, i.plain_name) for code, i in all_instruments().items()
        ]


@admin.register(InstrumentSchedule)
class InstrumentScheduleAdmin(ProgramScopedAdmin):
    form = InstrumentScheduleForm
    list_display = ["program", "instrument", "every_days"]
    list_filter = ["program"]
