"""Small helpers every app's forms and views share: a service's errors on a form, and choice
fields that read their options once."""

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.forms.models import ModelChoiceIterator

from casebridge.audit.versions import VersionConflict


def apply_errors(form: Any, error: ValidationError) -> None:
    """Put a service's validation errors beside the fields they concern (others at the top)."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def offer_latest(form: Any, version: int) -> None:
    """After a version conflict, let the person resubmit over the record as it now is.

    Their typed values stay in the form; only the hidden version moves on, so a second
    submit is a deliberate choice made after reading the other person's changes.
    """
    form.data = form.data.copy()
    form.data[form.add_prefix("version")] = str(version)


def error_text(form: Any, field: str | None = None) -> str:
    """A field's errors (or the form's own) as one sentence, for a message at the top."""
    errors = form.errors.get(field) if field else form.non_field_errors()
    return " ".join(str(message) for message in errors or [])


@dataclass(frozen=True)
class Attempt:
    """How a save went: saved, refused because someone else saved first (`conflict`, which the
    page shows with 409), or refused by the service's rules (the errors are on the form)."""

    saved: bool = False
    conflict: VersionConflict | None = None


def save_versioned(form: Any, save: Callable[[], object], *, record: models.Model) -> Attempt:
    """Run a service's save of a record edited under optimistic locking, for a valid form.

    Never merged: when someone else saved in between, the record is read again (so the page
    shows it as it now is) and the person's typing stays in the form over the latest version
    (`offer_latest`); the service's refusals go beside their fields."""
    try:
        save()
    except VersionConflict as conflict:
        record.refresh_from_db()
        offer_latest(form, record.version)  # type: ignore[attr-defined]
        return Attempt(conflict=conflict)
    except ValidationError as error:
        apply_errors(form, error)
        return Attempt()
    return Attempt(saved=True)


class _ReadOnce(ModelChoiceIterator):
    """A choice field's options from one plain read of its queryset, kept for the form's life.
    Django reads them through QuerySet.iterator(): on PostgreSQL a server-side cursor, three
    round trips to the database (declare, fetch, close) each time the field is drawn."""

    def __iter__(self) -> Iterator[Any]:
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for instance in self.queryset:
            yield self.choice(instance)


class ModelChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    """Django's, its options read once (_ReadOnce)."""

    iterator = _ReadOnce


class ModelMultipleChoiceField(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]
    """Django's, its options read once (_ReadOnce)."""

    iterator = _ReadOnce
