"""Program administrators set up their agency's treatment courts: the court, its phases and
what each asks before moving up, the colours of its testing groups, and its schedule of
graduated responses (incentives, sanctions and changes to services) to each behaviour. Every change is on the
audit trail (ProgramScopedAdmin). The seed of the random draw is made with the court and never
shown."""

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from casebridge.accounts.http import organisation_of
from casebridge.accounts.models import Role, User
from casebridge.accounts.scoping import ProgramScopedAdmin
from casebridge.audit.adminlog import AuditedAdminMixin
from casebridge.court.models import (
    Behaviour,
    CourtProgram,
    CourtTeamMember,
    Phase,
    ScheduledResponse,
    TestingGroup,
)


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


class ScheduledResponseInline(admin.TabularInline):
    model = ScheduledResponse
    extra = 1


@admin.register(Behaviour)
class BehaviourAdmin(AuditedAdminMixin, admin.ModelAdmin):
    """A behaviour and its graduated responses, step by step; a step can change from a phase on
    (a treatment response to use in the early phases, a sanction later)."""

    list_display = ["name", "positive", "court_program"]
    list_filter = ["court_program"]
    fields = ["court_program", "name", "positive"]
    inlines = [ScheduledResponseInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return queryset.filter(court_program__organisation_id=organisation_of(request))

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "court_program" and not request.user.is_superuser:
            kwargs["queryset"] = CourtProgram.objects.filter(
                organisation_id=organisation_of(request)
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(CourtTeamMember)
class CourtTeamMemberAdmin(AuditedAdminMixin, admin.ModelAdmin):
    """The seat of a court team member's read-only account: the account is made (and its role
    confirmed by a second person) under Staff; here it gets its court and seat. What the member
    reads is still each participant's consent's to say."""

    list_display = ["user", "seat", "agency_name", "court_program"]
    list_filter = ["court_program", "seat"]
    fields = ["user", "court_program", "seat", "agency_name"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        queryset = super().get_queryset(request).select_related("user", "court_program")
        if request.user.is_superuser:
            return queryset
        return queryset.filter(court_program__organisation_id=organisation_of(request))

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "court_program" and not request.user.is_superuser:
            kwargs["queryset"] = CourtProgram.objects.filter(
                organisation_id=organisation_of(request)
            )
        if db_field.name == "user":
            users = User.objects.filter(role=Role.COURT_TEAM)
            if not request.user.is_superuser:
                users = users.filter(organisation_id=organisation_of(request))
            kwargs["queryset"] = users
        return super().formfield_for_foreignkey(db_field, request, **kwargs)
