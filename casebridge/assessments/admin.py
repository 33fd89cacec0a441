"""Program administrators set how often each program repeats each instrument."""

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from casebridge.accounts.models import Program
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
class InstrumentScheduleAdmin(admin.ModelAdmin):
    form = InstrumentScheduleForm
    list_display = ["program", "instrument", "every_days"]
    list_filter = ["program"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[InstrumentSchedule]:
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return queryset.filter(
            program__organisation_id=getattr(request.user, "organisation_id", None)
        )

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "program" and not request.user.is_superuser:
            kwargs["queryset"] = Program.objects.filter(
                organisation_id=getattr(request.user, "organisation_id", None)
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)
