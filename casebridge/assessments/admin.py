"""Program administrators set how often each program repeats each instrument."""

from django import forms
from django.contrib import admin

from casebridge.accounts.scoping import ProgramScopedAdmin
from casebridge.assessments.definitions import all_instruments
from casebridge.assessments.models import InstrumentSchedule


def _instrument_choices() -> list[tuple[str, str]]:
    return [(code, i.plain_name) for code, i in all_instruments().items()]


class InstrumentScheduleForm(forms.ModelForm):
    instrument = forms.ChoiceField(choices=_instrument_choices)

    class Meta:
        model = InstrumentSchedule
        fields = ["program", "instrument", "every_days"]


@admin.register(InstrumentSchedule)
class InstrumentScheduleAdmin(ProgramScopedAdmin):
    form = InstrumentScheduleForm
    list_display = ["program", "instrument", "every_days"]
    list_filter = [("program", admin.RelatedOnlyFieldListFilter)]
