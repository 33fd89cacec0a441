"""Configuration screens for program administrators: their organisation, programs and staff.

A program administrator sees and changes only their own organisation; the superuser sees all.
Client records are deliberately not registered here: administrators configure, they do not
read clinical content.
"""

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest

from casebridge.accounts.models import Organisation, Program, ProgramModelRule, User


def _organisation_id(request: HttpRequest) -> int | None:
    return getattr(request.user, "organisation_id", None)


class OwnOrganisationMixin:
    organisation_field = "organisation"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        queryset = super().get_queryset(request)  # type: ignore[misc]
        if request.user.is_superuser:
            return queryset
        return queryset.filter(**{self.organisation_field: _organisation_id(request)})

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "organisation" and not request.user.is_superuser:
            kwargs["queryset"] = Organisation.objects.filter(pk=_organisation_id(request))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)  # type: ignore[misc]

    def formfield_for_manytomany(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "programs" and not request.user.is_superuser:
            kwargs["queryset"] = Program.objects.filter(organisation_id=_organisation_id(request))
        return super().formfield_for_manytomany(db_field, request, **kwargs)  # type: ignore[misc]

    def get_exclude(self, request: HttpRequest, obj: Any = None) -> Any:
        excluded = list(super().get_exclude(request, obj) or [])  # type: ignore[misc]
        if not request.user.is_superuser and self.organisation_field == "organisation":
            excluded.append("organisation")
        return excluded

    def save_model(self, request: HttpRequest, obj: Any, form: ModelForm, change: bool) -> None:
        if not request.user.is_superuser and self.organisation_field == "organisation":
            obj.organisation_id = _organisation_id(request)
        super().save_model(request, obj, form, change)  # type: ignore[misc]


@admin.register(Organisation)
class OrganisationAdmin(OwnOrganisationMixin, admin.ModelAdmin):
    organisation_field = "pk"
    list_display = ["name", "case_number_prefix", "require_two_factor"]


class ProgramModelRuleInline(admin.TabularInline):
    model = ProgramModelRule
    extra = 0


@admin.register(Program)
class ProgramAdmin(OwnOrganisationMixin, admin.ModelAdmin):
    list_display = ["name", "default_model", "is_active"]
    list_filter = ["is_active"]
    inlines = [ProgramModelRuleInline]


@admin.register(User)
class StaffAdmin(OwnOrganisationMixin, UserAdmin):
    list_display = ["username", "first_name", "last_name", "role", "is_active"]
    list_filter = ["role", "is_active", "programs"]
    search_fields = ["username", "first_name", "last_name", "email"]
    filter_horizontal = ["programs", "groups", "user_permissions"]
    staff_fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("Person", {"fields": ("first_name", "last_name", "email")}),
        ("Work", {"fields": ("role", "programs", "is_active")}),
    )
    staff_add_fieldsets = (
        (None, {"fields": ("username", "usable_password", "password1", "password2")}),
        ("Person", {"fields": ("first_name", "last_name", "email")}),
        ("Work", {"fields": ("role", "programs")}),
    )

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        if request.user.is_superuser:
            extra = ("Casebridge", {"fields": ("organisation", "role", "programs")})
            return (*super().get_fieldsets(request, obj), extra)
        return self.staff_fieldsets if obj is not None else self.staff_add_fieldsets
