"""Configuration screens for program administrators: organisation, programs, staff."""

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest

from casebridge.accounts.models import Organisation, Program, ProgramModelRule, User


class OwnOrganisationMixin:
    """Administrators configure their own organisation only."""

    organisation_field = "organisation"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        queryset = super().get_queryset(request)  # type: ignore[misc]
        if request.user.is_superuser:
            return queryset
        return queryset.filter(**{self.organisation_field: request.user.organisation_id})  # type: ignore[union-attr]


@admin.register(Organisation)
class OrganisationAdmin(OwnOrganisationMixin, admin.ModelAdmin):
    organisation_field = "pk"
    list_display = ["name", "case_number_prefix", "require_two_factor"]


class ProgramModelRuleInline(admin.TabularInline):
    model = ProgramModelRule
    extra = 0


@admin.register(Program)
class ProgramAdmin(OwnOrganisationMixin, admin.ModelAdmin):
    list_display = ["name", "organisation", "default_model", "is_active"]
    list_filter = ["is_active"]
    inlines = [ProgramModelRuleInline]


@admin.register(User)
class StaffAdmin(OwnOrganisationMixin, UserAdmin):
    list_display = ["username", "first_name", "last_name", "role", "organisation", "is_active"]
    list_filter = ["role", "is_active"]
    fieldsets = (
        *UserAdmin.fieldsets,
        ("Casebridge", {"fields": ("organisation", "role", "programs")}),
    )
    add_fieldsets = (
        *UserAdmin.add_fieldsets,
        (
            "Casebridge",
            {"fields": ("first_name", "last_name", "email", "organisation", "role", "programs")},
        ),
    )
    filter_horizontal = ["programs", "groups", "user_permissions"]
