"""The directory in the configuration screens, to look up, not to edit: the directory is
changed by importing HSDS files (the Directory import page, or `casebridge hsds-import`), so
that every change is a whole file, checked and audited. Each administrator sees only their own
agency's directory (and the built-in categories every agency shares)."""

from typing import Any

from django.contrib import admin
from django.db.models import Q, QuerySet
from django.http import HttpRequest

from casebridge.accounts.http import organisation_of
from casebridge.directory.models import (
    DirectoryImport,
    Location,
    Provider,
    Service,
    TaxonomyTerm,
)


class ReadOnlyDirectoryAdmin(admin.ModelAdmin):
    shared_rows = False  # whether rows of no agency (the built-in taxonomy) are shown too

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        own = Q(organisation_id=organisation_of(request))
        return queryset.filter(own | Q(organisation__isnull=True) if self.shared_rows else own)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Provider)
class ProviderAdmin(ReadOnlyDirectoryAdmin):
    list_display = ["name", "hsds_id"]
    search_fields = ["name", "hsds_id"]


@admin.register(Service)
class ServiceAdmin(ReadOnlyDirectoryAdmin):
    list_display = ["name", "provider", "status"]
    list_filter = ["status"]
    search_fields = ["name", "description", "hsds_id"]
    list_select_related = ["provider"]


@admin.register(Location)
class LocationAdmin(ReadOnlyDirectoryAdmin):
    list_display = ["name", "latitude", "longitude"]
    search_fields = ["name", "hsds_id"]


@admin.register(TaxonomyTerm)
class TaxonomyTermAdmin(ReadOnlyDirectoryAdmin):
    shared_rows = True
    list_display = ["name", "code", "taxonomy", "parent"]
    search_fields = ["name", "code"]
    list_select_related = ["taxonomy", "parent"]


@admin.register(DirectoryImport)
class DirectoryImportAdmin(ReadOnlyDirectoryAdmin):
    list_display = ["file_name", "uploaded_by", "created_at", "status", "dry_run", "strict"]
    list_filter = ["status", "dry_run", "strict"]
    exclude = ["report"]
