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
