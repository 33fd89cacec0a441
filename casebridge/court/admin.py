"""Program administrators set up their agency's treatment courts: the court, its phases and
what each asks before moving up, and the colours of its testing groups. Every change is on the
audit trail (ProgramScopedAdmin). The seed of the random draw is made with the court and never
shown."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from casebridge.accounts.http import organisation_of
from casebridge.accounts.scoping import ProgramScopedAdmin
from casebridge.court.models import CourtProgram, Phase, TestingGroup


class PhaseInline(admin.TabularInline):
    model = Phase
    extra = 0


class TestingGroupInline(admin.TabularInline):
    model = TestingGroup
    extra = 0

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "phase":
            court_id = (
                request.resolver_match.kwargs.get("object_id") if request.resolver_match else None
            )
            kwargs["queryset"] = Phase.objects.filter(
                court_program_id=court_id,
                court_program__organisation_id=organisation_of(request),
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(CourtProgram)
class CourtProgramAdmin(ProgramScopedAdmin):
    list_display = ["name", "court_name", "program", "active"]
    fields = ["name", "court_name", "judge_name", "program", "active"]
    inlines = [PhaseInline, TestingGroupInline]

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        obj.organisation_id = obj.program.organisation_id
        super().save_model(request, obj, form, change)
