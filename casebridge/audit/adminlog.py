"""The configuration screens (Django's admin) write to the audit trail, not only to Django's
own admin log: every add, change and removal is a row with before and after values, chained
like every other event, in the same transaction as the change.

Knows no domain model: it reads whatever fields the configured model and its inlines have.
"""

from typing import Any

from django.db import transaction
from django.db.models import Model, QuerySet
from django.http import HttpRequest

from casebridge.audit.services import audit_record, changed_fields

# Never on the trail: password hashes, and the bookkeeping the sign-in writes.
NOT_AUDITED = frozenset({"password", "last_login"})


def _value(field: Any, obj: Model) -> Any:
    return field.value_from_object(obj)


def snapshot(obj: Model, inlines: list[Any] | None = None) -> dict[str, Any]:
    """The object's fields, its many-to-many links (as sorted ids) and its inline rows."""
    found: dict[str, Any] = {}
    for field in obj._meta.concrete_fields:
        if field.name not in NOT_AUDITED:
            found[field.attname] = _value(field, obj)
    if obj.pk is not None:
        for field in obj._meta.many_to_many:
            found[field.name] = sorted(related.pk for related in getattr(obj, field.name).all())
        for inline in inlines or []:
            fk = next(
                f
                for f in inline.model._meta.concrete_fields
                if f.is_relation and f.related_model is type(obj)
            )
            rows = inline.model._default_manager.filter(**{fk.name: obj}).order_by("pk")
            found[inline.model._meta.model_name] = [snapshot(row) for row in rows]
    return found


class AuditedAdminMixin:
    """Mix into a ModelAdmin: adds, changes and removals go on the audit trail."""

    def _inline_models(self) -> list[Any]:
        return list(getattr(self, "inlines", []))

    def _organisation_of(self, obj: Model) -> int | None:
        for attname in ("organisation_id",):
            if hasattr(obj, attname):
                return getattr(obj, attname)
        program = getattr(obj, "program", None)
        if program is not None:
            return getattr(program, "organisation_id", None)
        if obj._meta.model_name == "organisation":
            return obj.pk
        return None

    def save_model(self, request: HttpRequest, obj: Model, form: Any, change: bool) -> None:
        before: dict[str, Any] = {}
        if change and obj.pk is not None:
            stored = type(obj)._default_manager.filter(pk=obj.pk).first()
            if stored is not None:
                before = snapshot(stored, self._inline_models())
        request._audit_before = getattr(request, "_audit_before", {})  # type: ignore[attr-defined]
        request._audit_before[(type(obj), obj.pk)] = before  # type: ignore[attr-defined]
        super().save_model(request, obj, form, change)  # type: ignore[misc]

    def _audit_saved(self, request: HttpRequest, obj: Model, action: str) -> None:
        saved: dict[Any, Any] = getattr(request, "_audit_before", {})
        before = saved.get((type(obj), obj.pk)) or saved.get((type(obj), None)) or {}
        fresh = type(obj)._default_manager.get(pk=obj.pk)
        changes = changed_fields(before, snapshot(fresh, self._inline_models()))
        if action == "update" and not changes:
            return
        audit_record(
            actor=request.user,
            action=action,
            object_type=obj._meta.label_lower,
            object_id=obj.pk,
            changes=changes,
            organisation_id=self._organisation_of(fresh),
        )

    def log_addition(self, request: HttpRequest, obj: Model, message: Any) -> Any:
        self._audit_saved(request, obj, "create")
        return super().log_addition(request, obj, message)  # type: ignore[misc]

    def log_change(self, request: HttpRequest, obj: Model, message: Any) -> Any:
        self._audit_saved(request, obj, "update")
        return super().log_change(request, obj, message)  # type: ignore[misc]

    def _audit_removed(self, request: HttpRequest, obj: Model) -> None:
        audit_record(
            actor=request.user,
            action="delete",
            object_type=obj._meta.label_lower,
            object_id=obj.pk,
            changes=changed_fields(snapshot(obj, self._inline_models()), {}),
            organisation_id=self._organisation_of(obj),
        )

    def delete_model(self, request: HttpRequest, obj: Model) -> None:
        self._audit_removed(request, obj)
        super().delete_model(request, obj)  # type: ignore[misc]

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        with transaction.atomic():
            for obj in queryset:
                self._audit_removed(request, obj)
            super().delete_queryset(request, queryset)  # type: ignore[misc]
