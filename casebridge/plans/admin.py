"""Program administrators set how often each program reviews plans and whether a supervisor
co-signs them."""

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from casebridge.accounts.models import Program
from casebridge.plans.models import PlanRules


@admin.register(PlanRules)
class PlanRulesAdmin(admin.ModelAdmin):
    list_display = ["program", "review_every_days", "supervisor_cosign"]
    fields = ["program", "review_every_days", "supervisor_cosign"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[PlanRules]:
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
