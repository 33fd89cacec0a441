"""Configuration screens for things that belong to a program (schedules, plan rules): each
program administrator sees and picks only their own organisation's programs."""

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from casebridge.accounts.http import organisation_of
from casebridge.accounts.models import Program
from casebridge.audit.adminlog import AuditedAdminMixin


class ProgramScopedAdmin(AuditedAdminMixin, admin.ModelAdmin):
    """For a model with a `program` foreign key. Every change is on the audit trail."""

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return queryset.filter(program__organisation_id=organisation_of(request))

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "program" and not request.user.is_superuser:
            kwargs["queryset"] = Program.objects.filter(organisation_id=organisation_of(request))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)
