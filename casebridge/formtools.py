"""Small helpers every app's views share for putting a service's errors on a form."""

from typing import Any

from django.core.exceptions import ValidationError


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
    form.data["version"] = str(version)


def error_text(form: Any, field: str | None = None) -> str:
    """A field's errors (or the form's own) as one sentence, for a message at the top."""
    errors = form.errors.get(field) if field else form.non_field_errors()
    return " ".join(str(message) for message in errors or [])
